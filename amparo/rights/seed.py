"""Loading the seed texts (amparo/rights/seed_content.py) into the library, as drafts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from amparo.rights.actions import create_topic, draft_version
from amparo.rights.models import Topic, TopicVersion
from amparo.rights.seed_content import SEED_TOPICS


@dataclass(frozen=True)
class Seeded:
    topics: int
    drafts: int


@transaction.atomic
def seed_rights() -> Seeded:
    """Create the missing topics, and a draft of each seed text a topic has no version of yet.

    Safe to run again: a topic already there, or a language it already has any
    version in (draft, published or retired), is left as it is. Every draft is
    marked "needs legal review" and has no author (the seed is nobody's work on
    staff), so anyone on staff with the right role may review it.
    """
    topics = drafts = 0
    for seed in SEED_TOPICS:
        topic = Topic.objects.filter(kind=seed.kind).first()
        if topic is None:
            topic = create_topic(kind=seed.kind, slug=seed.slug, order=seed.order, by=None)
            topics += 1
        present = set(TopicVersion.objects.filter(topic=topic).values_list("language", flat=True))
        for language, text in seed.texts.items():
            if language in present:
                continue
            draft_version(
                topic=topic,
                language=language,
                title=text.title,
                body=text.body,
                sms_text=text.sms_text,
                script=text.script,
                needs_legal_review=True,
                by=None,
            )
            drafts += 1
    return Seeded(topics=topics, drafts=drafts)
