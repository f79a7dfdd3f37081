"""Invented staff and rights texts for the rights tests, made through the actions."""

from __future__ import annotations

import datetime as dt

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.rights.actions import create_topic, draft_version, publish_version, review_version
from amparo.rights.models import Topic, TopicKind, TopicVersion


def coordinator() -> User:
    return make_staff(Role.COORDINATOR, second_factor=False)


def lawyer() -> User:
    return make_staff(Role.LEGAL, second_factor=False)


def topic(
    kind: TopicKind = TopicKind.AT_THE_DOOR, slug: str = "at-the-door", order: int = 1
) -> Topic:
    return create_topic(kind=kind, slug=slug, order=order, by=None)


def draft(
    on: Topic,
    *,
    by: User | None,
    language: str = "en",
    title: str = "At the door",
    body: str = "Do not open the door.\n\nAsk for the warrant under the door.",
    sms_text: str = "Do not open the door. Ask for the warrant under the door.",
    script: str = "Ask: are they at the door now?",
    review_by: dt.date | None = None,
    needs_legal_review: bool = True,
) -> TopicVersion:
    return draft_version(
        topic=on,
        language=language,
        title=title,
        body=body,
        sms_text=sms_text,
        script=script,
        review_by=review_by,
        needs_legal_review=needs_legal_review,
        by=by,
    )


def published(
    on: Topic, *, author: User | None = None, reviewer: User | None = None, **kwargs
) -> TopicVersion:
    """A draft reviewed by someone else and published."""
    version = draft(on, by=author, **kwargs)
    reviewer = reviewer or lawyer()
    reviewed = review_version(version=version, by=reviewer)
    return publish_version(version=reviewed, by=reviewer)


def publish_seed() -> list[TopicVersion]:
    """The seed texts, every one reviewed by an invented lawyer and published."""
    from amparo.rights.seed import seed_rights

    seed_rights()
    reviewer = lawyer()
    return [
        publish_version(version=review_version(version=version, by=reviewer), by=reviewer)
        for version in TopicVersion.objects.filter(status="draft").select_related("topic")
    ]
