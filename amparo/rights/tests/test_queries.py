"""Reading the library: current texts with an English fallback, and scripts for intake."""

from __future__ import annotations

import pytest

from amparo.rights.models import TopicKind
from amparo.rights.queries import current_versions, intake_scripts, script_for
from amparo.rights.tests.factories import coordinator, draft, published, topic

pytestmark = pytest.mark.django_db


def test_script_for_finds_a_topic_by_kind_or_slug_in_the_language_asked() -> None:
    door = topic()
    published(door, script="English script.")
    spanish = published(door, language="es", title="En la puerta", script="Guion.")

    assert script_for(TopicKind.AT_THE_DOOR, "es") == spanish
    assert script_for("at-the-door", "es") == spanish
    by_kind = script_for("door", "pt")
    assert by_kind is not None and by_kind.script == "English script."  # English fallback


def test_script_for_ignores_drafts_and_topics_without_a_current_text() -> None:
    door = topic()
    draft(door, by=coordinator(), script="Draft script.")

    assert script_for("door", "en") is None
    assert script_for("nothing-like-it", "en") is None
    assert intake_scripts("en") == []


def test_the_current_texts_come_in_topic_order_one_per_topic() -> None:
    street = topic(TopicKind.ON_THE_STREET, "on-the-street", 2)
    door = topic()
    published(street, title="On the street")
    published(door, title="At the door")
    published(door, language="ht", title="Devan pòt ou")

    titles = [version.title for version in current_versions("ht")]

    assert titles == ["Devan pòt ou", "On the street"]
