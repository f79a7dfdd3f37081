"""Ready-made texts: one per kind and language, placeholders filled, previews with segments."""

from __future__ import annotations

import pytest
from django.utils import translation

from amparo.alerts.models import BroadcastKind
from amparo.alerts.tests.broadcast_factories import incident, town
from amparo.alerts.texts import LANGUAGES, TEMPLATES, prefill, preview, template_for, unfilled
from amparo.channels.models import Encoding

pytestmark = pytest.mark.django_db


def test_every_kind_has_a_template_in_every_language_with_the_network_in_it() -> None:
    for kind in TEMPLATES:
        for language in LANGUAGES:
            assert "{network}" in template_for(kind, language)


def test_prefill_puts_the_town_the_hotline_and_the_network_in(settings) -> None:
    settings.AMPARO_NETWORK_NAME = "Red Amparo"
    hartford = town("Hartford")
    body = prefill(
        BroadcastKind.CONFIRMED, "en", towns=[hartford], incident=incident(where=hartford)
    )
    assert body.startswith("Red Amparo ALERT")
    assert "Hartford" in body and "+18605550100" in body
    assert unfilled(body) == []


def test_a_placeholder_without_a_value_stays_for_the_coordinator_to_fill() -> None:
    body = prefill(BroadcastKind.CONFIRMED, "en", towns=[])
    assert "{place}" in body and "{town}" in body
    assert unfilled(body) == ["place", "town"]


def test_the_preview_says_encoding_and_segments_per_language() -> None:
    with translation.override("en"):
        previews = preview({"en": "Agents left.", "pt": "Os agentes já saíram." * 4})
    by_language = {p.language: p for p in previews}
    assert by_language["en"].encoding == Encoding.GSM7 and by_language["en"].segments == 1
    assert by_language["pt"].encoding == Encoding.UCS2 and by_language["pt"].segments == 2
