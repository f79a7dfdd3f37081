"""Writes of readiness drills: a practice dispatch, its answers, its end.

A coordinator starts a drill to learn how ready the network really is: who
answers an offer, how fast, in which area and with which skill. Its offers
are ordinary :class:`~amparo.dispatch.models.Offer` rows (with ``drill`` set
instead of ``incident``) and ordinary codes, so responders answer them as
they would a real one ("1 4821"); every text says it is practice and nobody
goes (:mod:`amparo.dispatch.drills`). Rules kept here:

- A drill is offered to every active responder with a number to text, on
  call or not: it measures the whole network, not this hour's shifts.
- Every accept counts: a drill has no "first K", nobody is told "covered".
- The time an answer took is from the offer being queued to the first
  answer; a responder may change their answer while the drill runs, and the
  last word counts.
- A drill ends when a coordinator ends it or ``AMPARO_DRILL_MINUTES`` after
  it started (the ``dispatch.drills`` sweep). Its unanswered offers expire;
  an answer after the end is not recorded (the responder is told the drill
  has ended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.audit.actions import record_event
from amparo.channels.actions import queue_message
from amparo.channels.models import Lane
from amparo.dispatch import drills as drill_texts
from amparo.dispatch import offers as offer_texts
from amparo.dispatch.actions.offers import CODE_ATTEMPTS
from amparo.dispatch.actions.roster import DISPATCH_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import Drill, Offer, OfferStatus, Responder, Skill
from amparo.places import geo
from amparo.places.models import Town

if TYPE_CHECKING:
    from amparo.accounts.models import User

BATCH = 100


def _require_coordinator(by: User | None) -> None:
    if by is None or not by.has_role(*DISPATCH_ROLES):
        raise DispatchError(_("Only a coordinator runs drills."))


def _reachable() -> QuerySet[Responder]:
    """Active responders with a number that has not opted out; a closed staff account is out."""
    return Responder.objects.filter(
        Q(user__isnull=True) | Q(user__is_active=True),
        active=True,
        contact__isnull=False,
        contact__opted_out_at__isnull=True,
    ).select_related("contact")


def _start_point(responder: Responder, towns: dict[Any, Town]) -> tuple[float, float] | None:
    point = responder.home_point
    if isinstance(point, dict):
        lat, lon = point.get("lat"), point.get("lon")
        if isinstance(lat, float | int) and isinstance(lon, float | int):
            return float(lat), float(lon)
    town = towns.get(responder.home_town_id)
    if town is not None:
        return float(town.latitude), float(town.longitude)
    return None


def drill_responders(*, town: Town | None, skill: str) -> list[Responder]:
    """Who a drill of ``town`` and ``skill`` (blank: any) is offered to, in roster order.

    Every active responder with a number to text and the skill, on call or
    not. With a town: those whose home town it is or who would travel there
    (their home point, else their home town, within their travel radius of
    the town's centre), and those with no place at all, since a real
    dispatch would offer them too (the report shows them as "no area").
    """
    candidates = [
        responder
        for responder in _reachable().order_by("created_at", "id")
        if not skill or skill in responder.skills
    ]
    if town is None:
        return candidates
    town_ids = {r.home_town_id for r in candidates if r.home_town_id is not None}
    towns = Town.objects.in_bulk(town_ids) if town_ids else {}
    chosen = []
    for responder in candidates:
        start = _start_point(responder, towns)
        if responder.home_town_id == town.pk or start is None:
            chosen.append(responder)
            continue
        distance = geo.distance_m(start[0], start[1], float(town.latitude), float(town.longitude))
        if distance <= responder.travel_radius_km * 1000:
            chosen.append(responder)
    return chosen


def start_drill(
    *,
    by: User,
    town: Town | None = None,
    skill: str = "",
    responders: Sequence[Responder] | None = None,
    now: dt.datetime | None = None,
) -> Drill:
    """Start a drill of ``town`` (None: everywhere) and ``skill`` ("": any) and text its offers.

    The offers go to ``responders`` if given (those among them who are
    active and can be texted), else to :func:`drill_responders`: the whole
    network, on call or not, since a drill measures everyone's readiness.
    Raise :class:`DispatchError` for a role other than coordinator, an
    unknown skill, or nobody to offer the drill to.
    """
    _require_coordinator(by)
    if skill and skill not in Skill.values:
        raise DispatchError(_("That is not a skill the network knows."))
    now = now or timezone.now()
    if responders is None:
        chosen = drill_responders(town=town, skill=skill)
    else:
        ids = [r.pk for r in responders]
        found = _reachable().in_bulk(ids)
        chosen = list(dict.fromkeys(found[pk] for pk in ids if pk in found))
    if not chosen:
        raise DispatchError(_("Nobody on the roster can be texted this drill."))
    with transaction.atomic():
        drill = Drill.objects.create(started_by=by, started_at=now, town=town, skill=skill)
        for responder in chosen:
            assert responder.contact is not None
            offer = _create_drill_offer(drill, responder, now=now)
            # The lowest lane: practice never holds up a real offer or alert.
            offer.message = queue_message(
                contact=responder.contact,
                body=drill_texts.offer_text(responder.contact, town=town, code=offer.code),
                lane=Lane.BULK,
                sent_by=by,
            )
            if offer.message is not None:
                offer.save(update_fields=["message"])
        record_event(actor=by, action="dispatch.drill_start", target=drill)
    return drill


def _create_drill_offer(drill: Drill, responder: Responder, *, now: dt.datetime) -> Offer:
    """One offer of ``drill`` with a code no open offer (real or practice) has."""
    for _attempt in range(CODE_ATTEMPTS):
        taken = set(Offer.objects.filter(status=OfferStatus.OFFERED).values_list("code", flat=True))
        try:
            with transaction.atomic():
                return Offer.objects.create(
                    drill=drill,
                    responder=responder,
                    code=offer_texts.new_code(taken),
                    ring=1,
                    sent_at=now,
                )
        except IntegrityError:
            continue
    raise DispatchError(_("No free offer code; try again."))


def drill_deadline(drill: Drill) -> dt.datetime:
    """When ``drill`` ends by itself: ``AMPARO_DRILL_MINUTES`` after it started."""
    return drill.started_at + dt.timedelta(minutes=settings.AMPARO_DRILL_MINUTES)


def answer_drill_offer(*, offer: Offer, accept: bool, now: dt.datetime | None = None) -> Offer:
    """Record a responder's answer to a drill's offer and return the offer as it is now.

    ``accepted`` (would go) or ``declined``; nobody goes either way. The first
    answer's time is kept as ``answered_at``; a later, different answer while
    the drill runs changes the status only. An answer after the drill ended
    (or after its deadline, which ends it now) changes nothing. The returned
    offer's ``drill`` is fresh: ``offer.drill.ended_at`` tells the caller
    whether the drill is over.
    """
    if offer.drill_id is None:
        raise ValueError("an incident's offer is answered by answer_offer")
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=offer.drill_id)
        # The clock is read under the lock, so an answer and the end never cross.
        now = now or timezone.now()
        if drill.ended_at is None and now >= drill_deadline(drill):
            _end_locked(drill, by=None, at=drill_deadline(drill))
        mine = Offer.objects.select_for_update().get(pk=offer.pk)
        mine.drill = drill
        wanted = OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED
        answerable = {OfferStatus.OFFERED, OfferStatus.ACCEPTED, OfferStatus.DECLINED}
        if drill.ended_at is not None or mine.status not in answerable or mine.status == wanted:
            return mine
        mine.status = wanted
        mine.answered_at = mine.answered_at or now
        mine.save(update_fields=["status", "answered_at"])
        # The responder answered by text: no staff actor.
        record_event(actor=None, action=f"dispatch.drill_{wanted}", target=mine)
    return mine


def end_drill(*, drill: Drill, by: User | None = None, now: dt.datetime | None = None) -> Drill:
    """End ``drill`` (a coordinator, or the system when ``by`` is None); return it as it is now.

    Its unanswered offers expire. Ending a drill already ended changes
    nothing. A drill past its deadline is recorded as ended at the deadline,
    however late the sweep comes to it.
    """
    if by is not None:
        _require_coordinator(by)
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        now = now or timezone.now()
        if locked.ended_at is None:
            _end_locked(locked, by=by, at=min(now, drill_deadline(locked)))
    return locked


def _end_locked(drill: Drill, *, by: User | None, at: dt.datetime) -> None:
    drill.ended_at = at
    drill.save(update_fields=["ended_at"])
    Offer.objects.filter(drill=drill, status=OfferStatus.OFFERED).update(status=OfferStatus.EXPIRED)
    record_event(actor=by, action="dispatch.drill_end", target=drill)


def end_overdue_drills(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """End the drills running past ``AMPARO_DRILL_MINUTES``; return how many were ended.

    Idempotent: :func:`end_drill` re-checks under the drill's lock.
    """
    now = now or timezone.now()
    started_before = now - dt.timedelta(minutes=settings.AMPARO_DRILL_MINUTES)
    due = list(
        Drill.objects.filter(ended_at__isnull=True, started_at__lte=started_before).order_by(
            "started_at"
        )[:batch]
    )
    ended = 0
    for drill in due:
        if end_drill(drill=drill, now=now).ended_at is not None:
            ended += 1
    return ended
