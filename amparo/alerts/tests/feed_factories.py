"""Published broadcasts and verified incidents for the feed and map tests.

Broadcasts are written directly, as the broadcast actions leave them once
queued (approved, ``published`` set, ``queued_at`` given), so these tests do
not wait on the broadcast actions. Incidents go through the real incident
actions for every decision. Words, towns and numbers are invented or public.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.models import Broadcast, BroadcastKind, BroadcastStatus
from amparo.incidents.actions import confirm_incident, mark_false_alarm
from amparo.incidents.models import Incident, IncidentState
from amparo.places.actions import add_town
from amparo.places.models import Town

# Public-safe words only: what the broadcast checks let through.
BODIES = {
    "en": "Confirmed: immigration agents near Park St, Hartford. Stay inside. Know your rights.",
    "es": "Confirmado: agentes de inmigración cerca de Park St, Hartford. Quédese adentro.",
    "pt": "Confirmado: agentes de imigração perto da Park St, Hartford. Fique em casa.",
    "ht": "Konfime: ajan imigrasyon toupre Park St, Hartford. Rete anndan.",
}
DEBUNK_BODIES = {
    "en": "FALSE ALARM: the vans on Main St in Hartford were utility workers.",
    "es": "FALSA ALARMA: las camionetas en Main St en Hartford eran trabajadores de la luz.",
}


def make_town(
    name: str = "Hartford", latitude: str = "41.76371", longitude: str = "-72.68509"
) -> Town:
    return add_town(name=name, state="CT", latitude=Decimal(latitude), longitude=Decimal(longitude))


def make_coordinator() -> User:
    return make_staff(Role.COORDINATOR)


def make_broadcast(
    *,
    kind: str = BroadcastKind.CONFIRMED,
    bodies: dict[str, str] | None = None,
    towns: list[Town] | None = None,
    status: str = BroadcastStatus.SENT,
    published: bool = True,
    minutes_ago: float = 5,
    author: User | None = None,
    **fields: Any,
) -> Broadcast:
    """A broadcast as it is once queued (or, with ``status``, at an earlier step)."""
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    author = author or make_coordinator()
    gone_out = status in (BroadcastStatus.SENDING, BroadcastStatus.SENT)
    broadcast = Broadcast.objects.create(
        kind=kind,
        bodies=BODIES if bodies is None else bodies,
        status=status,
        author=author,
        created_at=at - dt.timedelta(minutes=3),
        submitted_at=at - dt.timedelta(minutes=2) if status != BroadcastStatus.DRAFT else None,
        approved_by=make_coordinator() if gone_out else None,
        approved_at=at if gone_out else None,
        validity_seconds=3600,
        queued_at=at if gone_out else None,
        published=published,
        **fields,
    )
    if towns:
        broadcast.towns.set(towns)
    return broadcast


def make_verifying_incident(
    town: Town,
    *,
    latitude: str = "41.76",
    longitude: str = "-72.69",
    location: dict[str, float] | None = None,
) -> Incident:
    """An incident being verified, at a coarse cell, as clustering and a coordinator leave it."""
    opened = timezone.now() - dt.timedelta(minutes=30)
    return Incident.objects.create(
        state=IncidentState.VERIFYING,
        opened_at=opened,
        last_report_at=opened,
        town=town,
        coarse_latitude=Decimal(latitude),
        coarse_longitude=Decimal(longitude),
        location=location or {"lat": 41.76342, "lon": -72.68731},
        report_count=1,
        reporter_count=1,
    )


def make_confirmed_incident(town: Town, **place: Any) -> Incident:
    """An incident a coordinator confirmed on a responder's word."""
    return confirm_incident(
        incident=make_verifying_incident(town, **place),
        by=make_coordinator(),
        note="responder saw them",
        responder_on_site=True,
    )


def make_debunked_incident(town: Town, **place: Any) -> Incident:
    """An incident a coordinator called a false alarm."""
    return mark_false_alarm(
        incident=make_verifying_incident(town, **place), by=make_coordinator(), note="utility crew"
    )
