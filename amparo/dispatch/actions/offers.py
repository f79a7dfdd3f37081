"""Writes of offers to go to an incident: sending, answers, escalation.

Only coordinators send offers (or the system, when it escalates). Every write
is audited by ids only. Rules kept here:

- An offer is one text per responder, in their language, with the town (or
  "your area") and a code: nothing else (:mod:`amparo.dispatch.offers`).
- The first ``wanted`` (K) accepts of an incident go; a later accept is
  "covered". Answers lock the incident's row and its offers, so two accepts
  racing for the last place cannot both win (on PostgreSQL; SQLite runs one
  writer at a time).
- A ring whose offers are unanswered ``AMPARO_DISPATCH_ESCALATE_MINUTES``
  after they went out, while fewer than K accepted, is escalated by the
  ``dispatch.escalate`` sweep: its open offers expire, the next responders
  proposed (never offered this incident before) get ring n+1, and a note on
  the incident's timeline tells the coordinators. A late accept of an expired
  offer still counts while places remain. Once K accepted, the open offers
  left become "covered" without a text.
- The first accept of an incident still reported moves it to "being
  verified": someone is on the way (:func:`move_from_field`).
- A decline that leaves no open offer of the incident (in any ring), while
  fewer than K accepted (everybody asked said no, or one who was going cannot
  any more), escalates at once in the same way: nobody is left to wait for.
- With ``AMPARO_DISPATCH_AUTO_OFFER`` on, the ``dispatch.auto_offer`` sweep
  offers each new open incident nobody was offered yet to the nearest
  ``AMPARO_DISPATCH_RING_SIZE`` responders on call (:func:`auto_offer`), if
  more than one text vouches for it (:data:`CORROBORATED`).
- Offers of an incident that is no longer open are withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.audit.actions import record_event
from amparo.channels.actions import queue_message
from amparo.channels.models import Lane
from amparo.dispatch import offers as offer_texts
from amparo.dispatch.actions.roster import DISPATCH_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import Offer, OfferStatus, Responder
from amparo.incidents.actions import add_system_note, move_from_field
from amparo.incidents.models import OPEN_STATES, Incident, IncidentState, Report, ReportSource

if TYPE_CHECKING:
    from amparo.accounts.models import User

CODE_ATTEMPTS = 5
# Incidents the system may send people to on its own: two or more distinct
# reporters, or a report an operator took (from a call). One text alone may be
# a hoax or a trap: it waits for a coordinator.
CORROBORATED = Q(reporter_count__gte=2) | Exists(
    Report.objects.filter(incident=OuterRef("pk")).filter(
        Q(source=ReportSource.OPERATOR) | Q(taken_by__isnull=False)
    )
)


def offer_dispatch(
    *,
    incident: Incident,
    responders: Sequence[Responder],
    by: User | None,
    wanted: int | None = None,
) -> list[Offer]:
    """Text ``responders`` an offer to go to ``incident``: the next ring of its offers.

    ``by`` is the coordinator, or None for the system (:func:`auto_offer`).
    ``wanted`` (default ``AMPARO_DISPATCH_WANTED``) is how many of them the
    incident needs; the first that many accepts go. Responders already offered
    this incident, inactive, or with no number to text (or opted out) are
    skipped. Raise :class:`DispatchError` for a role other than coordinator,
    an incident no longer open, or nobody left to offer.
    """
    if by is not None and not by.has_role(*DISPATCH_ROLES):
        raise DispatchError(_("Only a coordinator sends responders."))
    wanted = settings.AMPARO_DISPATCH_WANTED if wanted is None else wanted
    if wanted < 1:
        raise DispatchError(_("An incident needs at least one responder."))
    with transaction.atomic():
        locked = _lock_incident(incident)
        if locked.state not in OPEN_STATES:
            raise DispatchError(_("This incident is no longer open."))
        sent = _send_ring(locked, responders, wanted=wanted, by=by, now=timezone.now())
        if not sent:
            raise DispatchError(_("None of these responders can be sent an offer."))
        record_event(actor=by, action="dispatch.offer_send", target=locked)
    return sent


def _lock_incident(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",)).select_related("town").get(pk=incident.pk)
    )


def _send_ring(
    incident: Incident,
    responders: Sequence[Responder],
    *,
    wanted: int,
    by: User | None,
    now: dt.datetime,
) -> list[Offer]:
    """Create ring n+1 of ``incident``'s offers (locked by the caller) and queue the texts."""
    existing = Offer.objects.filter(incident=incident)
    already = set(existing.values_list("responder_id", flat=True))
    ring = (existing.aggregate(ring=Max("ring"))["ring"] or 0) + 1
    chosen: dict[object, Responder] = {}
    for responder in Responder.objects.filter(
        pk__in=[r.pk for r in responders], active=True, contact__opted_out_at__isnull=True
    ).select_related("contact"):
        if responder.pk not in already:
            chosen[responder.pk] = responder
    sent: list[Offer] = []
    for responder in responders:
        target = chosen.pop(responder.pk, None)
        if target is None:
            continue
        assert target.contact is not None
        offer = _create_offer(incident, target, ring=ring, wanted=wanted, now=now)
        offer.message = queue_message(
            contact=target.contact,
            body=offer_texts.offer_text(target.contact, town=incident.town, code=offer.code),
            lane=Lane.DISPATCH,
            sent_by=by,
        )
        if offer.message is not None:
            offer.save(update_fields=["message"])
        sent.append(offer)
    return sent


def _create_offer(
    incident: Incident, responder: Responder, *, ring: int, wanted: int, now: dt.datetime
) -> Offer:
    """One offer with a code no open offer has; a race for the same code picks another."""
    for _attempt in range(CODE_ATTEMPTS):
        taken = set(Offer.objects.filter(status=OfferStatus.OFFERED).values_list("code", flat=True))
        try:
            with transaction.atomic():
                return Offer.objects.create(
                    incident=incident,
                    responder=responder,
                    code=offer_texts.new_code(taken),
                    ring=ring,
                    wanted=wanted,
                    sent_at=now,
                )
        except IntegrityError:
            continue
    raise DispatchError(_("No free offer code; try again."))


def answer_offer(*, offer: Offer, accept: bool, now: dt.datetime | None = None) -> Offer:
    """Record the responder's answer to ``offer`` (by their text) and return it as it is now.

    An accept goes (``accepted``) while fewer than the incident's ``wanted``
    responders accepted, and is ``covered`` after; the first accept of an
    incident still reported moves it to being verified. An accept of an
    expired offer still goes while places remain. A decline is recorded, also
    after an accept (the place is free again), and escalates at once when it
    leaves nobody to wait for (see the module docstring). Any other answer to
    an offer already answered, covered or withdrawn changes nothing; an offer
    of an incident no longer open is withdrawn. The caller tells the responder
    what the status means.
    """
    if offer.incident is None:
        raise ValueError("a drill's offer is answered by answer_drill_offer")
    now = now or timezone.now()
    with transaction.atomic():
        incident = _lock_incident(offer.incident)
        offers = list(Offer.objects.select_for_update().filter(incident=incident).order_by("pk"))
        mine = next(o for o in offers if o.pk == offer.pk)
        # A late yes still helps while places remain; a "no" after a yes frees the place.
        answerable = (
            {OfferStatus.OFFERED, OfferStatus.EXPIRED}
            if accept
            else {OfferStatus.OFFERED, OfferStatus.ACCEPTED}
        )
        if mine.status not in answerable:
            return mine
        if incident.state not in OPEN_STATES:
            mine.status = OfferStatus.WITHDRAWN
        elif not accept:
            mine.status = OfferStatus.DECLINED
        else:
            going = sum(1 for o in offers if o.status == OfferStatus.ACCEPTED)
            mine.status = OfferStatus.ACCEPTED if going < mine.wanted else OfferStatus.COVERED
        mine.answered_at = now
        mine.save(update_fields=["status", "answered_at"])
        # The responder answered by text: no staff actor.
        record_event(actor=None, action=f"dispatch.offer_{mine.status}", target=mine)
        if mine.status == OfferStatus.ACCEPTED and incident.state == IncidentState.REPORTED:
            _someone_is_going(incident, mine)
        elif mine.status == OfferStatus.DECLINED and _nobody_left_to_wait_for(offers):
            _escalate(incident, offers, now=now, everybody_declined=True)
    return mine


def _someone_is_going(incident: Incident, offer: Offer) -> None:
    """The incident's first accept: it is being verified now (by the system, on their word)."""
    note = _("Dispatch: a responder accepted (code %(code)s) and is on the way.") % {
        "code": offer.code
    }
    move_from_field(incident=incident, to_state=IncidentState.VERIFYING, note=note)


def _nobody_left_to_wait_for(offers: Sequence[Offer]) -> bool:
    """No open offer in any ring, and fewer accepted than the incident wants.

    Any ring, not only the latest: while someone asked earlier may still say
    yes, the timeout decides, so no more volunteers are texted than needed.
    """
    latest = max(offers, key=lambda o: (o.ring, o.sent_at))
    going = sum(1 for o in offers if o.status == OfferStatus.ACCEPTED)
    still_open = any(o.status == OfferStatus.OFFERED for o in offers)
    return not still_open and going < latest.wanted


def escalate_dispatch(*, incident: Incident, now: dt.datetime | None = None) -> list[Offer]:
    """Escalate ``incident``'s offers left unanswered too long; return the new ring's offers.

    Does nothing (and returns ``[]``) when no offer of the incident has waited
    ``AMPARO_DISPATCH_ESCALATE_MINUTES`` unanswered, so running it twice, or
    in two workers at once, escalates once. See the module docstring.
    """
    now = now or timezone.now()
    deadline = now - dt.timedelta(minutes=settings.AMPARO_DISPATCH_ESCALATE_MINUTES)
    with transaction.atomic():
        locked = _lock_incident(incident)
        offers = list(Offer.objects.select_for_update().filter(incident=locked).order_by("pk"))
        waiting = [o for o in offers if o.status == OfferStatus.OFFERED and o.sent_at <= deadline]
        if not waiting:
            return []
        latest = max(offers, key=lambda o: (o.ring, o.sent_at))
        going = sum(1 for o in offers if o.status == OfferStatus.ACCEPTED)
        if locked.state not in OPEN_STATES:
            _close_offers(waiting, OfferStatus.WITHDRAWN)
            return []
        if going >= latest.wanted:
            _close_offers(waiting, OfferStatus.COVERED)
            return []
        _close_offers(waiting, OfferStatus.EXPIRED)
        return _escalate(locked, offers, now=now, everybody_declined=False)


def _escalate(
    locked: Incident, offers: Sequence[Offer], *, now: dt.datetime, everybody_declined: bool
) -> list[Offer]:
    """Offer ring n+1 of ``locked`` (its open offers already closed) and tell the coordinators.

    ``offers`` are all the incident's offers, locked, with their statuses as
    they are now. The note on the timeline names no one.
    """
    latest = max(offers, key=lambda o: (o.ring, o.sent_at))
    going = sum(1 for o in offers if o.status == OfferStatus.ACCEPTED)
    ring_size = sum(1 for o in offers if o.ring == latest.ring)
    proposed = offer_texts.propose_responders(
        locked,
        at=now,
        limit=max(ring_size, latest.wanted - going),
        exclude={o.responder_id for o in offers},
    )
    sent = _send_ring(locked, proposed, wanted=latest.wanted, by=None, now=now)
    figures = {
        "going": going,
        "wanted": latest.wanted,
        "minutes": settings.AMPARO_DISPATCH_ESCALATE_MINUTES,
        "ring": latest.ring,
        "count": len(sent),
        "next": latest.ring + 1,
    }
    if everybody_declined:
        why = _(
            "Dispatch: nobody offered in ring %(ring)d can go (they declined); "
            "%(going)d of %(wanted)d responders accepted."
        )
    else:
        why = _("Dispatch: %(going)d of %(wanted)d responders accepted within %(minutes)d minutes.")
    if sent:
        then = _("Offers sent to %(count)d more responders (ring %(next)d).")
    else:
        then = _("No other responder on call can be offered this incident.")
    add_system_note(incident=locked, note=f"{why % figures} {then % figures}")
    record_event(actor=None, action="dispatch.offer_escalate", target=locked)
    return sent


def auto_offer(*, incident: Incident, now: dt.datetime | None = None) -> list[Offer]:
    """Offer a new incident to the nearest responders on call, by the system; return the offers.

    For networks that turn ``AMPARO_DISPATCH_AUTO_OFFER`` on: the ring is the
    first ``AMPARO_DISPATCH_RING_SIZE`` responders :func:`propose_responders`
    gives, each asked like a coordinator's offer, and a note on the timeline
    says so. Only for an incident someone vouches for beyond one text
    (:data:`CORROBORATED`): at least 2 independent reporters
    (``Incident.reporter_count``) or a report taken by an operator. A single
    untrusted text could send people into a trap, so it waits for a
    coordinator (or a second reporter). Does nothing (returns ``[]``) for an
    incident not corroborated, no longer open, already offered to anyone (a
    coordinator got there first, or another worker did), or when nobody on
    call can be offered it: the sweep tries again while the incident is new.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_incident(incident)
        if locked.state not in OPEN_STATES or Offer.objects.filter(incident=locked).exists():
            return []
        if not Incident.objects.filter(CORROBORATED, pk=locked.pk).exists():
            return []
        proposed = offer_texts.propose_responders(
            locked, at=now, limit=settings.AMPARO_DISPATCH_RING_SIZE
        )
        sent = _send_ring(
            locked, proposed, wanted=settings.AMPARO_DISPATCH_WANTED, by=None, now=now
        )
        if not sent:
            return []
        note = _(
            "Dispatch: offers sent automatically to the %(count)d nearest responders on call; "
            "%(wanted)d needed."
        ) % {"count": len(sent), "wanted": settings.AMPARO_DISPATCH_WANTED}
        add_system_note(incident=locked, note=note)
        record_event(actor=None, action="dispatch.offer_auto", target=locked)
    return sent


def _close_offers(offers: Sequence[Offer], status: str) -> None:
    Offer.objects.filter(pk__in=[o.pk for o in offers]).update(status=status)
    for offer in offers:
        offer.status = status
