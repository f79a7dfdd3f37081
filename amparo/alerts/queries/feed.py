"""Public reads: the alerts feed and the map of verified incidents. No account, no audit.

Everything here is shown to anyone, so each read names the few fields it may
show and returns small frozen records of them, never model instances: a
template cannot reach a broadcast's author or an incident's sealed exact place
through what these functions return.

- The feed holds only broadcasts marked ``published`` (confirmed activity,
  debunks, all-clears and corrections of those, set by the broadcast actions
  when they are queued, cleared when a coordinator withdraws one) that have
  gone out (sending or sent): a draft, one waiting for approval, a cancelled
  or halted one never shows. A retracted one shows without its words.
- The map holds only incidents in state ``confirmed`` (a verified incident not
  yet closed), at their coarse cell of about 1 km. A closed, merged or
  false-alarm incident leaves the map at once: nothing here is cached.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amparo.alerts.models import Broadcast, BroadcastKind, BroadcastStatus
from amparo.contacts.models import Language
from amparo.incidents.models import Incident, IncidentState
from amparo.places import geo
from amparo.places.lookup import towns_in_region
from amparo.places.models import Town

# Newest first, this many on the page and in the feeds.
FEED_SIZE = 50
# A bound on the map, far above what a region sees at once.
MAP_SIZE = 500
# Broadcasts that went out; "published" alone could be set on one later cancelled.
OUT_STATUSES = (BroadcastStatus.SENDING, BroadcastStatus.SENT)

KIND_LABELS: dict[str, Promise] = {
    BroadcastKind.CONFIRMED: _("Confirmed"),
    BroadcastKind.DEBUNK: _("FALSE ALARM"),
    BroadcastKind.ALL_CLEAR: _("All clear"),
    BroadcastKind.CORRECTION: _("Correction"),
    BroadcastKind.RETRACTION: _("Retraction"),
    BroadcastKind.RIGHTS: _("Know your rights"),
    BroadcastKind.NOTICE: _("Notice"),
}


@dataclass(frozen=True)
class Correction:
    """A published correction or retraction of an item, for a note on the item."""

    id: uuid.UUID
    kind: str


@dataclass(frozen=True)
class FeedItem:
    """One published broadcast as the public sees it, in one language."""

    id: uuid.UUID
    kind: str
    body: str
    # The language ``body`` is in: the viewer's, else English (else any there is).
    body_language: str
    published_at: dt.datetime
    towns: tuple[str, ...]
    # Its incident: the town, when it was first reported, and where it stands now.
    incident_town: str
    incident_reported_at: dt.datetime | None
    incident_state: str
    # A correction's original (its id and when it went out).
    corrects_id: uuid.UUID | None
    corrects_published_at: dt.datetime | None
    # Published corrections and retractions of this item, oldest first.
    corrected_by: tuple[Correction, ...]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def incident_over(self) -> bool:
        """A confirmed alert whose incident has ended since: the page says so."""
        return self.kind == BroadcastKind.CONFIRMED and self.incident_state in (
            IncidentState.CLOSED,
            IncidentState.FALSE_ALARM,
        )

    @property
    def retracted(self) -> bool:
        return any(c.kind == BroadcastKind.RETRACTION for c in self.corrected_by)


@dataclass(frozen=True)
class MapPin:
    """A verified incident on the public map: its town and coarse cell, and since when."""

    town: str
    # The centre of its cell of 0.01 degree (about 1.1 x 0.8 km in Connecticut).
    latitude: Decimal
    longitude: Decimal
    since: dt.datetime

    @property
    def cell(self) -> str:
        """The cell as people can type it into any map: "41.76, -72.69"."""
        return f"{self.latitude}, {self.longitude}"


@dataclass(frozen=True)
class TownLabel:
    name: str
    latitude: Decimal
    longitude: Decimal


def _out() -> QuerySet[Broadcast]:
    return Broadcast.objects.filter(
        published=True, status__in=OUT_STATUSES, queued_at__isnull=False
    )


def _feed_rows() -> QuerySet[Broadcast]:
    # Only the public fields: the author, the approver and the incident's sealed
    # place are not even read.
    return (
        _out()
        .select_related("incident__town", "corrects")
        .only(
            "id",
            "kind",
            "bodies",
            "queued_at",
            "incident__opened_at",
            "incident__state",
            "incident__town__name",
            "corrects__id",
            "corrects__queued_at",
        )
        .prefetch_related(
            Prefetch("towns", queryset=Town.objects.only("id", "name")),
            Prefetch("corrects__towns", queryset=Town.objects.only("id", "name")),
            Prefetch(
                "corrections",
                queryset=_out().only("id", "kind", "corrects").order_by("queued_at"),
                to_attr="public_corrections",
            ),
        )
        .order_by("-queued_at")
    )


def pick_body(bodies: object, language: str) -> tuple[str, str]:
    """The body in ``language``, else in English, else in any language it has: (text, language)."""
    if not isinstance(bodies, dict):
        return "", Language.ENGLISH
    for code in (language, Language.ENGLISH, *Language.values):
        text = bodies.get(code)
        if isinstance(text, str) and text.strip():
            return text.strip(), code
    return "", Language.ENGLISH


def _item(broadcast: Broadcast, language: str) -> FeedItem:
    corrected_by = tuple(
        Correction(id=c.id, kind=c.kind) for c in getattr(broadcast, "public_corrections", [])
    )
    body, body_language = pick_body(broadcast.bodies, language)
    if any(c.kind == BroadcastKind.RETRACTION for c in corrected_by):
        # Retracted: its words were wrong, so they are not repeated to anyone.
        body = ""
    towns = [town.name for town in broadcast.towns.all()]
    original = broadcast.corrects
    if not towns and original is not None:
        # A correction goes to its original's recipients, whatever its own towns.
        towns = [town.name for town in original.towns.all()]
    incident = broadcast.incident
    if not towns and incident is not None and incident.town is not None:
        towns = [incident.town.name]
    return FeedItem(
        id=broadcast.id,
        kind=broadcast.kind,
        body=body,
        body_language=body_language,
        published_at=broadcast.queued_at or broadcast.created_at,
        towns=tuple(sorted(towns)),
        incident_town=incident.town.name if incident and incident.town else "",
        incident_reported_at=incident.opened_at if incident else None,
        incident_state=incident.state if incident else "",
        corrects_id=original.id if original else None,
        corrects_published_at=original.queued_at if original else None,
        corrected_by=corrected_by,
    )


def published_broadcasts(*, language: str, limit: int = FEED_SIZE) -> list[FeedItem]:
    """The newest published broadcasts, newest first, each in ``language`` where it has it."""
    return [_item(broadcast, language) for broadcast in _feed_rows()[:limit]]


def published_broadcast(broadcast_id: uuid.UUID, *, language: str) -> FeedItem | None:
    """One published broadcast (its own page, the feeds' links); None if it is not public."""
    broadcast = _feed_rows().filter(id=broadcast_id).first()
    return _item(broadcast, language) if broadcast else None


def verified_incidents(*, limit: int = MAP_SIZE) -> list[MapPin]:
    """Confirmed incidents not yet closed, newest verdict first, at their coarse cell.

    An incident without a coarse cell but with a town is shown at its town's
    centre, coarsened the same way (a town's centre is public). One with
    neither is left out: it has no place to show.
    """
    incidents = (
        Incident.objects.filter(
            state=IncidentState.CONFIRMED, closed_at__isnull=True, merged_into__isnull=True
        )
        .select_related("town")
        .only(
            "id",
            "coarse_latitude",
            "coarse_longitude",
            "decided_at",
            "opened_at",
            "town__name",
            "town__latitude",
            "town__longitude",
        )
        .order_by("-decided_at", "-opened_at")[:limit]
    )
    pins = []
    for incident in incidents:
        town = incident.town
        if incident.coarse_latitude is not None and incident.coarse_longitude is not None:
            latitude, longitude = incident.coarse_latitude, incident.coarse_longitude
        elif town is not None:
            latitude, longitude = geo.coarsen(float(town.latitude), float(town.longitude))
        else:
            continue
        pins.append(
            MapPin(
                town=town.name if town else "",
                latitude=latitude,
                longitude=longitude,
                since=incident.decided_at or incident.opened_at,
            )
        )
    return pins


def region_town_labels(*, limit: int = MAP_SIZE) -> list[TownLabel]:
    """The region's towns and their centres, so a map without tiles still says where it is."""
    towns = towns_in_region().only("name", "latitude", "longitude")[:limit]
    return [TownLabel(name=t.name, latitude=t.latitude, longitude=t.longitude) for t in towns]
