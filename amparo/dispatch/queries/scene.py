"""Reads for a responder's own page (their offers, deployments and shifts) and for ending one.

A staff member on the roster sees only their own offers: the incident's town
and code, as the text they were sent says, and the times of their reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.actions import record_event
from amparo.dispatch.actions import DISPATCH_ROLES, STAFF_RESPONDER_ROLES
from amparo.dispatch.models import Offer, OfferStatus, Responder
from amparo.dispatch.schedule import Occurrence, occurrences

# How far ahead a responder's page lists their shifts.
SHIFTS_AHEAD = dt.timedelta(days=7)


@dataclass(frozen=True)
class MyDispatches:
    # None: the staff member is not on the roster.
    responder: Responder | None
    # Offers waiting for their answer.
    offers: list[Offer]
    # Accepted offers they have not left: on the way or on scene.
    deployments: list[Offer]
    shifts: list[Occurrence]


def access_my_dispatches(user: User, *, now: dt.datetime | None = None) -> MyDispatches:
    """``user``'s own open offers, deployments and shifts of the next week; audited once."""
    if not user.has_role(*STAFF_RESPONDER_ROLES):
        raise PermissionDenied
    responder = Responder.objects.filter(user=user).first()
    if responder is None:
        return MyDispatches(responder=None, offers=[], deployments=[], shifts=[])
    now = now or timezone.now()
    mine = (
        Offer.objects.filter(responder=responder, incident__isnull=False)
        .select_related("incident__town")
        .order_by("sent_at", "pk")
    )
    offers = list(mine.filter(status=OfferStatus.OFFERED))
    deployments = list(mine.filter(status=OfferStatus.ACCEPTED, left_at__isnull=True))
    shifts = occurrences(responder.shifts.all(), now, now + SHIFTS_AHEAD)
    record_event(actor=user, action="dispatch.me_view", target=responder)
    return MyDispatches(responder=responder, offers=offers, deployments=deployments, shifts=shifts)


def my_offer(user: User, offer_id: int) -> Offer:
    """One of ``user``'s own offers of an incident, to answer or report on; else 404.

    Not audited: the action that follows is.
    """
    if not user.has_role(*STAFF_RESPONDER_ROLES):
        raise PermissionDenied
    return get_object_or_404(
        Offer, pk=offer_id, responder__user=user, responder__active=True, incident__isnull=False
    )


def offer_to_close(user: User, offer_id: int) -> Offer:
    """The offer a coordinator records as left; not audited (the action is)."""
    if not user.has_role(*DISPATCH_ROLES):
        raise PermissionDenied
    return get_object_or_404(Offer, pk=offer_id, incident__isnull=False)
