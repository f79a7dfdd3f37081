"""The planner's estimate matches the carrier arithmetic of CONTEXT.md."""

from __future__ import annotations

import pytest
from django.utils import translation

from amparo.alerts.actions import (
    approve_broadcast,
    draft_broadcast,
    draft_correction,
    submit_broadcast,
)
from amparo.alerts.models import BroadcastKind
from amparo.alerts.planner import build_plan, describe_duration, plan_broadcast
from amparo.alerts.tests.broadcast_factories import BODIES, coordinator, subscriber, town
from amparo.channels.gateways.base import ChannelConfig
from amparo.channels.segments import count_segments
from amparo.contacts.actions import opt_out

# 161 GSM-7 characters: two segments.
TWO_SEGMENTS = "Agents confirmed near the station. " * 4 + "Do not open the door. Help line."


def _config(senders: int, rate: float, **options) -> ChannelConfig:
    return ChannelConfig(
        name="sms",
        gateway="amparo.channels.gateways.console.ConsoleGateway",
        senders=[f"+1860555{100 + n:04d}" for n in range(senders)],
        rate_per_sender=rate,
        options=options,
    )


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


def test_ten_thousand_two_segment_texts_from_one_long_code_take_five_point_six_hours() -> None:
    assert count_segments(TWO_SEGMENTS)[1] == 2
    plan = build_plan(
        by_town_language={(1, "en"): 10_000},
        bodies={"en": TWO_SEGMENTS},
        config=_config(senders=1, rate=1.0),
        kind=BroadcastKind.RIGHTS,
    )
    assert plan.messages == 10_000 and plan.segments == 20_000
    assert plan.seconds == 20_000
    assert describe_duration(plan.seconds) == "5.6 h"
    assert any("slower than 15 minutes" in warning for warning in plan.warnings)
    # 20,000 segments in 15 minutes at 1/s: 23 long codes.
    assert plan.senders_for(15 * 60) == 23


def test_the_same_from_a_short_code_takes_about_three_minutes() -> None:
    plan = build_plan(
        by_town_language={(1, "en"): 10_000},
        bodies={"en": TWO_SEGMENTS},
        config=_config(senders=1, rate=100.0),
        kind=BroadcastKind.RIGHTS,
    )
    assert plan.seconds == 200
    assert describe_duration(plan.seconds) == "3.3 min"
    assert plan.warnings == []


def test_a_daily_cap_adds_days_and_is_warned_about() -> None:
    plan = build_plan(
        by_town_language={(1, "en"): 10_000},
        bodies={"en": TWO_SEGMENTS},
        config=_config(senders=1, rate=75.0, daily_segments_per_sender=2000),
        kind=BroadcastKind.RIGHTS,
    )
    assert plan.daily_capacity == 2000
    assert plan.seconds > 9 * 24 * 3600
    assert any("2000 segments a day" in warning for warning in plan.warnings)
    assert any("stay valid" in warning for warning in plan.warnings)
    assert plan.senders_for(15 * 60) == 10


def test_a_language_the_broadcast_lacks_is_counted_as_english() -> None:
    plan = build_plan(
        by_town_language={(1, "en"): 3, (1, "ht"): 2, (2, "es"): 4},
        bodies={"en": "Agents left.", "es": "Los agentes se fueron según vecinos."},
        config=_config(senders=1, rate=1.0),
        kind=BroadcastKind.ALL_CLEAR,
    )
    assert {line.language: line.recipients for line in plan.languages} == {"en": 5, "es": 4}
    assert plan.validity_seconds == 6 * 3600


@pytest.mark.django_db
def test_a_subscriber_of_two_of_the_towns_counts_once() -> None:
    hartford, hamden = town("Hartford"), town("Hamden")
    subscriber(hartford, hamden, language="es")
    subscriber(hamden)
    subscriber(town("Elsewhere"))
    broadcast = draft_broadcast(
        by=coordinator(), kind=BroadcastKind.RIGHTS, bodies=BODIES, towns=[hartford, hamden]
    )
    plan = plan_broadcast(broadcast)
    assert plan.recipients == 2
    assert sum(plan.by_town_language.values()) == 2
    assert plan.senders == 1 and plan.rate_per_sender == 1.0


@pytest.mark.django_db
def test_a_corrections_plan_counts_the_originals_recipients_who_still_want_alerts() -> None:
    hartford, hamden = town("Hartford"), town("Hamden")
    subscriber(hartford, hamden, language="es")
    stopping = subscriber(hartford)
    author, approver = coordinator(), coordinator()
    original = draft_broadcast(
        by=author, kind=BroadcastKind.RIGHTS, bodies=BODIES, towns=[hartford, hamden]
    )
    submit_broadcast(broadcast=original, by=author)
    original = approve_broadcast(broadcast=original, by=approver)
    subscriber(hartford)  # joined later: not the original's
    opt_out(contact=stopping, method="sms-keyword")
    correction = draft_correction(
        original=original,
        by=author,
        kind=BroadcastKind.CORRECTION,
        bodies={"en": "Amparo: CORRECTION to our alert of 14:05: it was at the library."},
    )
    plan = plan_broadcast(correction)
    assert plan.by_town_language == {(min(hartford.pk, hamden.pk), "es"): 1}
    assert plan.recipients == 1 and [line.language for line in plan.languages] == ["en"]
