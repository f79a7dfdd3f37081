"""Reads of the roster and shifts for coordinators, each audited by ids only.

Names and home points are sealed; opening them is what the audit records:
the roster and the calendar once per page, a responder's page once per view.
The ``*_for_action`` helpers load what a form is about to change and audit
nothing: the action that follows records who did what.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from amparo.accounts.models import User
from amparo.audit.actions import record_event
from amparo.dispatch.actions import MANAGE_ROLES, feed_token_digest
from amparo.dispatch.models import Responder, Shift
from amparo.dispatch.schedule import (
    DAY,
    Occurrence,
    network_zone,
    occurrences,
    week_bounds,
)

ROSTER_LIMIT = 2000


def _require_manager(user: User) -> None:
    if not user.has_role(*MANAGE_ROLES):
        raise PermissionDenied


def _roster() -> list[Responder]:
    return list(
        Responder.objects.select_related("home_town", "user").order_by(
            "-active", "created_at", "id"
        )[:ROSTER_LIMIT]
    )


def access_roster(user: User) -> list[Responder]:
    """Every responder, active ones first, for a coordinator; audited once."""
    _require_manager(user)
    responders = _roster()
    record_event(actor=user, action="dispatch.roster_view")
    return responders


def access_responder(user: User, responder_id: uuid.UUID) -> Responder:
    """One responder with their shifts (``responder.shift_list``), for a coordinator; audited."""
    _require_manager(user)
    responder = get_object_or_404(
        Responder.objects.select_related("home_town", "user", "contact"), pk=responder_id
    )
    responder.shift_list = list(  # type: ignore[attr-defined]
        responder.shifts.order_by("weekday", "start_time", "starts_at", "id")
    )
    record_event(actor=user, action="dispatch.responder_view", target=responder)
    return responder


def responder_for_action(user: User, responder_id: uuid.UUID) -> Responder:
    """The responder a coordinator's form is about to change; not audited (the action is)."""
    _require_manager(user)
    return get_object_or_404(Responder, pk=responder_id)


def shift_for_action(user: User, shift_id: int) -> Shift:
    _require_manager(user)
    return get_object_or_404(Shift.objects.select_related("responder"), pk=shift_id)


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    # (local start, local end, occurrence) of the shifts starting or running that day
    occurrences: list[tuple[dt.datetime, dt.datetime, Occurrence]]


@dataclass(frozen=True)
class CalendarRow:
    responder: Responder
    days: list[CalendarDay]
    hours: float


def access_week(user: User, monday: dt.date) -> list[CalendarRow]:
    """The week from ``monday`` as a grid: one row per active responder with shifts.

    Two queries, whatever the number of responders and shifts; audited once.
    """
    _require_manager(user)
    start, end = week_bounds(monday)
    shifts = list(
        Shift.objects.filter(responder__active=True)
        .filter(Q(weekday__isnull=False) | Q(starts_at__lt=end, ends_at__gt=start))
        .select_related("responder")
        .order_by("responder__created_at", "responder_id", "id")
    )
    zone = network_zone()
    by_responder: dict[uuid.UUID, list[Occurrence]] = {}
    responders: dict[uuid.UUID, Responder] = {}
    for occurrence in occurrences(shifts, start, end):
        responder = occurrence.shift.responder
        responders.setdefault(responder.pk, responder)
        by_responder.setdefault(responder.pk, []).append(occurrence)
    rows = []
    ordered = sorted(responders.values(), key=lambda r: (r.created_at, str(r.pk)))
    for responder in ordered:
        days = []
        for offset in range(7):
            date = monday + offset * DAY
            shown = [
                (o.start.astimezone(zone), o.end.astimezone(zone), o)
                for o in by_responder[responder.pk]
                if o.start.astimezone(zone).date() == date
                # one that started on the Sunday before shows on Monday
                or (offset == 0 and o.start.astimezone(zone).date() < date)
            ]
            days.append(CalendarDay(date, shown))
        hours = sum(
            (min(o.end, end) - max(o.start, start)).total_seconds() / 3600
            for o in by_responder[responder.pk]
        )
        rows.append(CalendarRow(responder, days, hours))
    record_event(actor=user, action="dispatch.calendar_view")
    return rows


def responder_for_feed(token: str) -> Responder | None:
    """The active responder whose calendar feed secret is ``token``, with their shifts.

    Not audited: calendar apps fetch a feed every few minutes, and it shows
    only shift times.
    """
    if not token or len(token) > 100:
        return None
    responder = (
        Responder.objects.filter(feed_token_index=feed_token_digest(token), active=True)
        .filter(Q(user__isnull=True) | Q(user__is_active=True))
        .prefetch_related("shifts")
        .first()
    )
    return responder
