"""Who to offer an incident to, the offer codes, and the texts of the offers.

Offers travel by SMS through a third party, so their texts name a town (or
"your area") and a code, never a person, an address or anything about the
incident beyond "verify a report". The writes (sending offers, answers,
escalation) are in :mod:`amparo.dispatch.actions`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from amparo.contacts.models import Contact
from amparo.dispatch.candidates import Box, offerable_rows
from amparo.dispatch.models import Responder, Skill
from amparo.incidents.models import Incident
from amparo.places import geo
from amparo.places.models import Town

# Who can go and look: the skills an offer to verify an incident asks for.
OFFER_SKILLS = frozenset({Skill.VERIFIER, Skill.LEGAL_OBSERVER})
# How far a responder's home point may lie from their home town's centre: more
# than any Connecticut town's reach. A home town farther than their travel radius
# plus this from an incident rules them out without opening the home point.
HOME_TOWN_SLACK_KM = 30
CODE_DIGITS = 4


def new_code(taken: Collection[str]) -> str:
    """A random code of :data:`CODE_DIGITS` digits not in ``taken`` (the open offers' codes)."""
    low, high = 10 ** (CODE_DIGITS - 1), 10**CODE_DIGITS
    if len(taken) >= (high - low) // 2:
        raise RuntimeError("too many open offers for the code space")
    while True:
        code = str(low + secrets.randbelow(high - low))
        if code not in taken:
            return code


def _point(value: Any) -> tuple[float, float] | None:
    if isinstance(value, dict) and isinstance(value.get("lat"), float | int):
        lon = value.get("lon")
        if isinstance(lon, float | int):
            return float(value["lat"]), float(lon)
    return None


def incident_point(incident: Incident) -> tuple[float, float] | None:
    """Where the incident is: its sealed exact centroid, else its coarse cell, else its town."""
    exact = _point(incident.location)
    if exact is not None:
        return exact
    if incident.coarse_latitude is not None and incident.coarse_longitude is not None:
        return float(incident.coarse_latitude), float(incident.coarse_longitude)
    town = incident.town
    if town is not None:
        return float(town.latitude), float(town.longitude)
    return None


def propose_responders(
    incident: Incident,
    *,
    at: dt.datetime | None = None,
    limit: int = 10,
    exclude: Collection[object] = (),
) -> list[Responder]:
    """The responders to offer ``incident`` to, nearest first, at most ``limit``.

    Active, on a field shift at ``at`` (now by default), reachable by text,
    with a skill in :data:`OFFER_SKILLS`, and within their travel radius of
    the incident. Distance is from their sealed home point, else their home
    town; responders with neither (or an incident with no place) come last,
    in roster order, for the coordinator to judge. ``exclude``: responder ids
    (those already offered).

    At most three queries, whatever the number of responders: who is on call
    with their plain facts (:func:`~amparo.dispatch.candidates.offerable_rows`,
    tuples), the sealed home points of those who could go (opened only for them), and the chosen
    responders themselves. ``amparo bench dispatch`` keeps it under 50 ms
    (p99) for 5,000 responders and 20,000 shifts.
    """
    at = at or timezone.now()
    target = incident_point(incident)
    box = None if target is None else Box(target[0], target[1], slack_km=HOME_TOWN_SLACK_KM)
    rows = offerable_rows(at, skills=OFFER_SKILLS, box=box)
    candidates: list[_Candidate] = []
    # Those with a number, an offer skill and a home town in the box, already in SQL.
    for pk, radius_km, town_lat, town_lon in rows:
        if pk in exclude:
            continue
        town = (float(town_lat), float(town_lon)) if town_lat is not None else None
        if (
            target is not None
            and town is not None
            and geo.distance_m(town[0], town[1], target[0], target[1])
            > (int(radius_km) + HOME_TOWN_SLACK_KM) * 1000
        ):
            # Their home town is too far for any home point of theirs to be in
            # reach: skip them without opening their sealed home point.
            continue
        candidates.append(_Candidate(pk, int(radius_km), town))
    if not candidates:
        return []
    homes: dict[object, tuple[float, float] | None] = {}
    if target is not None:
        homes = {
            responder.pk: _point(responder.home_point)
            for responder in Responder.objects.filter(
                pk__in=[c.pk for c in candidates], home_point__isnull=False
            ).only("id", "home_point")
        }
    near: list[tuple[float, int, object]] = []
    unplaced: list[object] = []
    for order, candidate in enumerate(candidates):
        start = homes.get(candidate.pk) or candidate.town
        if start is None or target is None:
            unplaced.append(candidate.pk)
            continue
        distance = geo.distance_m(start[0], start[1], target[0], target[1])
        if distance <= candidate.radius_km * 1000:
            near.append((distance, order, candidate.pk))
    near.sort(key=lambda item: (item[0], item[1]))
    chosen = ([pk for _, _, pk in near] + unplaced)[:limit]
    found = Responder.objects.select_related("contact").in_bulk(chosen) if chosen else {}
    return [found[pk] for pk in chosen if pk in found]


@dataclass(frozen=True, slots=True)
class _Candidate:
    pk: object
    radius_km: int
    town: tuple[float, float] | None


def _in_language_of(contact: Contact, render: Callable[[], str]) -> str:
    with translation.override(contact.language):
        return render()


def _network() -> str:
    name: str = settings.AMPARO_NETWORK_NAME
    return name


def offer_text(contact: Contact, *, town: Town | None, code: str) -> str:
    """The offer: the town (or "your area") and the code; nothing else about anyone."""

    def render() -> str:
        place = town.name if town is not None else gettext("your area")
        return gettext(
            "%(network)s: verify a report near %(place)s. Reply 1 %(code)s to go, "
            "2 %(code)s if you can't."
        ) % {"network": _network(), "place": place, "code": code}

    return _in_language_of(contact, render)


def going_text(contact: Contact, *, code: str) -> str:
    """To a responder whose accept goes: the code, and the words to report from the scene."""

    def render() -> str:
        going = gettext("%(network)s: You're going. Code %(code)s. Check in when you arrive.")
        how = gettext("Text HERE then, OK every %(minutes)d min, LEAVING when you go.")
        minutes = settings.AMPARO_DISPATCH_CHECKIN_MINUTES
        return " ".join((going % {"network": _network(), "code": code}, how % {"minutes": minutes}))

    return _in_language_of(contact, render)


def covered_text(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext("%(network)s: Covered, thank you. No need to go.") % {"network": _network()}
        ),
    )


def declined_text(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext("%(network)s: Thank you, noted that you can't go.") % {"network": _network()}
        ),
    )


def closed_text(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext("%(network)s: This offer is closed. No need to go, thank you.")
            % {"network": _network()}
        ),
    )


def which_offer_text(contact: Contact, *, codes: list[str]) -> str:
    """Asked of a responder who answered "1" or "2" with several offers open."""
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: Which offer? Put its code after your answer, e.g. 1 %(code)s. "
                "Your open codes: %(codes)s."
            )
            % {"network": _network(), "code": codes[0], "codes": ", ".join(codes)}
        ),
    )
