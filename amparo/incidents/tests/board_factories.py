"""Invented incidents and reports for the board tests: made-up towns, words and numbers.

Incidents are written directly (as the clustering action would leave them) so
a test can set exactly the facts the board orders by; decisions in tests go
through the real actions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from amparo.incidents.models import Incident, IncidentState, Report, ReportSource
from amparo.places.actions import add_town
from amparo.places.models import Town


def make_town(name: str = "Hartford", latitude: str = "41.76", longitude: str = "-72.68") -> Town:
    return add_town(name=name, state="CT", latitude=Decimal(latitude), longitude=Decimal(longitude))


def make_incident(
    *,
    town: Town | None = None,
    state: str = IncidentState.REPORTED,
    opened_minutes_ago: float = 10,
    reports: int = 0,
    **facts: Any,
) -> Incident:
    """An incident with ``reports`` reports attached (counts kept as the actions keep them)."""
    opened = timezone.now() - dt.timedelta(minutes=opened_minutes_ago)
    incident = Incident.objects.create(
        state=state,
        opened_at=opened,
        last_report_at=opened,
        town=town,
        coarse_latitude=Decimal("41.76") if town else None,
        coarse_longitude=Decimal("-72.68") if town else None,
        report_count=facts.pop("report_count", reports),
        reporter_count=facts.pop("reporter_count", reports),
        **facts,
    )
    for n in range(reports):
        make_report(
            incident,
            text=f"agents at the corner, report {n}",
            received_at=opened + dt.timedelta(seconds=n),
        )
    return incident


def make_report(
    incident: Incident | None,
    *,
    text: str = "two vans and agents in vests at the corner",
    where: str = "",
    source: str = ReportSource.SMS,
    received_at: dt.datetime | None = None,
) -> Report:
    return Report.objects.create(
        incident=incident,
        source=source,
        received_at=received_at or timezone.now(),
        text=text,
        where=where,
        # Reports in an incident were placed; an unplaced one knows no place yet.
        location={"lat": 41.76, "lon": -72.68, "precision": "town"} if incident else None,
        town=incident.town if incident else None,
    )
