from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amparo.incidents.actions import (
    close_incident,
    confirm_incident,
    expire_incident,
    mark_false_alarm,
    merge_incidents,
)
from amparo.incidents.metrics import summary
from amparo.incidents.models import Incident
from amparo.incidents.tests.factories import SCHOOL, STAMFORD, coordinator, make_gazetteer, texted

pytestmark = pytest.mark.django_db


def decide_after(incident: Incident | None, minutes: int, verdict: str) -> None:
    """Decide ``incident`` as if the decision came ``minutes`` after its first report."""
    assert incident is not None
    boss = coordinator()
    if verdict == "confirmed":
        confirm_incident(incident=incident, by=boss, note="seen", responder_on_site=True)
    else:
        mark_false_alarm(incident=incident, by=boss, note="not seen")
    decided = Incident.objects.get(pk=incident.pk).decided_at
    assert decided is not None
    Incident.objects.filter(pk=incident.pk).update(
        opened_at=decided - dt.timedelta(minutes=minutes)
    )


def test_the_summary_counts_outcomes_and_towns_and_times_decisions() -> None:
    make_gazetteer()
    start = timezone.now() - dt.timedelta(days=1)
    hartford_a = texted().incident
    hartford_b = texted((SCHOOL[0] + 0.1, SCHOOL[1])).incident
    stamford = texted(STAMFORD).incident
    lost = texted(
        (SCHOOL[0] - 0.1, SCHOOL[1]), received_at=timezone.now() - dt.timedelta(hours=7)
    ).incident
    texted((SCHOOL[0] - 0.2, SCHOOL[1]))  # still open
    decide_after(hartford_a, 10, "confirmed")
    decide_after(hartford_b, 30, "false-alarm")
    decide_after(stamford, 50, "false-alarm")
    close_incident(incident=Incident.objects.get(pk=stamford.pk), by=coordinator())
    assert lost is not None and expire_incident(incident=lost)

    figures = summary(start)

    assert figures["incidents"] == 5
    assert figures["by_outcome"] == {"open": 1, "confirmed": 1, "false-alarm": 2, "unconfirmed": 1}
    assert figures["decided"] == 3
    assert figures["minutes_to_decision_p50"] == pytest.approx(30, abs=0.2)
    assert figures["minutes_to_decision_p90"] == pytest.approx(50, abs=0.2)
    towns = {row["town"]: row for row in figures["by_town"]}
    assert towns["Stamford"] == {
        "town": "Stamford",
        "incidents": 1,
        "confirmed": 0,
        "false_alarm": 1,
    }
    assert towns["Hartford"]["false_alarm"] == 1 and towns["Hartford"]["confirmed"] == 1


def test_merged_incidents_count_once_and_older_ones_not_at_all() -> None:
    make_gazetteer()
    old = texted(STAMFORD, received_at=timezone.now() - dt.timedelta(days=3)).incident
    one = texted().incident
    two = texted((SCHOOL[0] + 0.1, SCHOOL[1])).incident
    assert one is not None and two is not None and old is not None
    merge_incidents(into=one, other=two, by=coordinator(), note="same raid")
    figures = summary(timezone.now() - dt.timedelta(days=1))
    assert figures["incidents"] == 1
    assert figures["minutes_to_decision_p50"] is None
