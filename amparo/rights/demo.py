"""The rights library in the demo: the seed texts, published after a demo review.

``amparo.core.demo`` calls :func:`load_demo_rights` after the demo accounts
exist. The texts stay marked "needs legal review": the demo reviewer is no lawyer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from amparo.accounts.models import User
from amparo.rights.actions import publish_version, review_version
from amparo.rights.errors import RightsError
from amparo.rights.models import TopicVersion, VersionStatus
from amparo.rights.seed import seed_rights

DEMO_REVIEWER = "demo-legal"
DEMO_PUBLISHER = "demo-coordinator"


@transaction.atomic
def load_demo_rights() -> str:
    """Seed the library and publish every seed draft of a topic with nothing published yet."""
    if not settings.AMPARO_DEMO:
        raise RightsError("Demo rights content goes only into a demo database.")
    seeded = seed_rights()
    reviewer = User.objects.get(username=DEMO_REVIEWER)
    publisher = User.objects.get(username=DEMO_PUBLISHER)
    published = 0
    drafts = TopicVersion.objects.filter(status=VersionStatus.DRAFT, author__isnull=True)
    for draft in drafts.select_related("topic"):
        if TopicVersion.objects.filter(
            topic=draft.topic, language=draft.language, published_at__isnull=False
        ).exists():
            continue
        reviewed = review_version(version=draft, by=reviewer)
        publish_version(version=reviewed, by=publisher)
        published += 1
    return f"rights: {seeded.topics} new topics, {published} texts published"
