"""Seed texts: `amparo rights seed` loads drafts for legal review; the demo publishes them."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role
from amparo.contacts.models import Language
from amparo.rights.demo import load_demo_rights
from amparo.rights.errors import RightsError
from amparo.rights.models import Topic, TopicKind, TopicVersion, VersionStatus
from amparo.rights.seed_content import CARD_TEXTS, SEED_TOPICS

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("rights", "seed", stdout=out)
    return out.getvalue()


def test_the_seed_covers_every_kind_of_topic_in_every_language() -> None:
    assert {seed.kind for seed in SEED_TOPICS} == set(TopicKind.values)
    assert sorted(seed.order for seed in SEED_TOPICS) == list(range(1, len(SEED_TOPICS) + 1))
    for seed in SEED_TOPICS:
        assert set(seed.texts) == set(Language.values), seed.slug
        for text in seed.texts.values():
            assert text.title and text.body and text.sms_text and text.script
    assert set(CARD_TEXTS) == set(Language.values)


def test_the_warrant_and_trust_act_facts_are_in_the_texts() -> None:
    by_slug = {seed.slug: seed for seed in SEED_TOPICS}
    warrants = by_slug["warrants"].texts
    trust_act = by_slug["connecticut-trust-act"].texts
    for language in Language.values:
        assert "I-200" in warrants[language].body and "I-205" in warrants[language].body
        for year in ("2013", "2019", "2025"):
            assert year in trust_act[language].body, (language, year)


def test_the_command_loads_drafts_marked_for_legal_review_and_publishes_nothing() -> None:
    output = _seed()

    assert "8 new topics, 32 new drafts" in output
    assert Topic.objects.count() == len(SEED_TOPICS)
    versions = TopicVersion.objects.all()
    assert versions.count() == len(SEED_TOPICS) * len(Language.values)
    assert all(v.needs_legal_review for v in versions)
    assert set(versions.values_list("status", flat=True)) == {VersionStatus.DRAFT}
    assert not versions.filter(author__isnull=False).exists()


def test_the_command_is_safe_to_run_again() -> None:
    _seed()
    TopicVersion.objects.filter(topic__order=1, language="es").update(title="Changed by staff")

    output = _seed()

    assert "0 new topics, 0 new drafts" in output
    assert TopicVersion.objects.count() == len(SEED_TOPICS) * len(Language.values)
    assert TopicVersion.objects.get(topic__order=1, language="es").title == "Changed by staff"


def test_the_demo_publishes_the_seed_after_a_review_by_the_demo_lawyer(settings) -> None:
    settings.AMPARO_DEMO = True
    for role in (Role.LEGAL, Role.COORDINATOR):
        create_staff_user(username=f"demo-{role}", role=role, password=None, by=None)

    first = load_demo_rights()
    again = load_demo_rights()

    published = TopicVersion.objects.filter(status=VersionStatus.PUBLISHED)
    assert published.count() == len(SEED_TOPICS) * len(Language.values)
    assert set(published.values_list("reviewer__username", flat=True)) == {"demo-legal"}
    assert all(v.needs_legal_review for v in published)  # the demo reviewer is no lawyer
    assert "32 texts published" in first and "0 texts published" in again


def test_the_demo_content_is_refused_outside_demo_mode() -> None:
    with pytest.raises(RightsError):
        load_demo_rights()
    assert not Topic.objects.exists()
