"""Shift times as instants: who is on call, a week's occurrences, and fair-load warnings.

A weekly shift is a weekday and two wall-clock times in the network's time
zone (``settings.TIME_ZONE``). Each occurrence is turned into UTC instants
through :mod:`zoneinfo` for its own date, so a shift keeps its wall-clock times
across daylight saving changes: 22:00-06:00 lasts 7 hours on the night clocks
spring forward and 9 on the night they fall back. A wall-clock time that does
not exist that night (02:30 when clocks jump from 02:00 to 03:00) is read with
the offset before the change (``fold=0``), i.e. an hour later on the new clock.

All comparisons are made in UTC: Python compares two datetimes that share a
``tzinfo`` by their wall clocks, which is wrong across a change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.accounts.models import Role
from amparo.dispatch.models import Responder, Shift, ShiftKind

UTC = dt.UTC
DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)

HOTLINE_ROLES = (Role.OPERATOR, Role.COORDINATOR)
# How far a shift's wall-clock times may be from the instant's on a night the
# clocks change (one hour in the US; two to be safe anywhere).
WALL_CLOCK_MARGIN = dt.timedelta(hours=2)
# The longest one-off shift (amparo.dispatch.actions.roster.add_shift refuses longer).
MAX_ONE_OFF = WEEK


def network_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Occurrence:
    """One time a shift happens, as UTC instants."""

    shift: Shift
    start: dt.datetime
    end: dt.datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _instant(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def weekly_occurrence(shift: Shift, day: dt.date, zone: ZoneInfo) -> Occurrence:
    """The occurrence of weekly ``shift`` that starts on local date ``day``."""
    assert shift.start_time is not None and shift.end_time is not None
    return Occurrence(shift, *_weekly_bounds(day, shift.start_time, shift.end_time, zone))


def _weekly_bounds(
    day: dt.date, start_time: dt.time, end_time: dt.time, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    end_day = day if end_time > start_time else day + DAY
    start = _instant(day, start_time, zone)
    # A shift inside the hour the clocks skip (02:30-03:00 on spring-forward night)
    # would end before it starts: it lasts nothing that night instead.
    end = max(start, _instant(end_day, end_time, zone))
    return start, end


def occurrences(shifts: Iterable[Shift], start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """Every occurrence of ``shifts`` that overlaps ``[start, end)``, earliest first."""
    zone = network_zone()
    found: list[Occurrence] = []
    # A weekly occurrence that overlaps the window starts at most a day before it.
    first_day = start.astimezone(zone).date() - DAY
    last_day = end.astimezone(zone).date()
    for shift in shifts:
        if shift.weekly:
            day = first_day
            while day <= last_day:
                if day.weekday() == shift.weekday:
                    occurrence = weekly_occurrence(shift, day, zone)
                    if occurrence.start < end and occurrence.end > start:
                        found.append(occurrence)
                day += DAY
        else:
            assert shift.starts_at is not None and shift.ends_at is not None
            if shift.starts_at < end and shift.ends_at > start:
                found.append(
                    Occurrence(
                        shift, shift.starts_at.astimezone(UTC), shift.ends_at.astimezone(UTC)
                    )
                )
    found.sort(key=lambda occurrence: (occurrence.start, occurrence.end))
    return found


def on_call(at: dt.datetime, *, kind: str) -> list[Responder]:
    """The active responders on a ``kind`` shift at instant ``at``, in roster order.

    A responder whose staff account is deactivated is not on call. Two
    queries, whatever the size of the roster: :func:`on_call_rows`, then the
    responders on call with their contacts.
    """
    ids = [row[0] for row in on_call_rows(at, kind=kind)]
    found = Responder.objects.select_related("contact").in_bulk(ids) if ids else {}
    return [found[pk] for pk in ids if pk in found]


def on_call_rows(
    at: dt.datetime, *, kind: str, fields: Sequence[str] = (), where: Q | None = None
) -> list[tuple[Any, ...]]:
    """``(responder id, *fields)`` of each responder on call at ``at``, in roster order.

    ``fields`` are lookups from a shift (``"responder__skills"``), given as the
    database driver returns them (JSON as text on SQLite, decimals as floats…);
    the responder id is a :class:`uuid.UUID`. ``where``
    narrows the shifts further (lookups from a shift too). One query (two
    selects, each on its own index) of
    plain tuples, no model instances, so that choosing among thousands of
    responders stays fast (``amparo bench dispatch``): the weekly shifts of
    the local weekday of ``at`` and the day before (an overnight shift started
    yesterday) that may be running by their wall-clock times, and the one-off
    shifts running at ``at``. The exact check of a
    weekly shift is made on UTC instants, computed once per distinct day and
    wall-clock times.
    """
    if kind not in ShiftKind.values:
        raise ValueError(f"unknown shift kind {kind!r}")
    if at.tzinfo is None:
        raise ValueError("on_call() needs a timezone-aware instant")
    zone = network_zone()
    local_day = at.astimezone(zone).date()
    yesterday = local_day - DAY
    staff_on_call = Q(responder__user__is_active=True)
    if kind == ShiftKind.OPERATOR:
        # The hotline rings only staff who answer it (or an SMS-only volunteer):
        # a treasurer or legal account on an operator shift is not rung.
        staff_on_call &= Q(responder__user__role__in=HOTLINE_ROLES)
    shifts = (
        Shift.objects.filter(kind=kind, responder__active=True)
        # A staff member whose account was closed is off call too.
        .filter(Q(responder__user__isnull=True) | staff_on_call)
        .filter(where or Q())
        .order_by()
    )
    # Times and the roster order as text: the driver then converts none of them
    # (SQLite parsed every time and datetime of every row); the few distinct
    # wall-clock times are parsed once each below.
    shifts = shifts.annotate(
        start_text=Cast("start_time", TextField()),
        end_text=Cast("end_time", TextField()),
        roster_order=Cast("responder__created_at", TextField()),
    )
    columns = ("weekday", "start_text", "end_text", "responder_id", *fields, "roster_order")
    # Two selects in one query, so that each searches its own index of the
    # shifts (SQLite does not for an OR of the two).
    weekly = shifts.filter(
        _weekly_maybe_running(at, local_day),
        weekday__in=[local_day.weekday(), yesterday.weekday()],
    ).values_list(*columns)
    # A one-off shift lasts at most a week: the lower bound keeps the search to
    # the shifts of the last week, however many past ones the roster holds.
    once = shifts.filter(
        starts_at__lte=at, starts_at__gt=at - MAX_ONE_OFF, ends_at__gt=at
    ).values_list(*columns)
    rows = weekly.union(once, all=True).order_by("roster_order", "responder_id")
    return running_rows(_raw_rows(rows), at)


def running_rows(rows: Iterable[Sequence[Any]], at: dt.datetime) -> list[tuple[Any, ...]]:
    """``(responder id, *values)`` of the rows whose shift runs at ``at``, one per responder.

    ``rows`` are ``(weekday, start, end, responder id, *values, roster order)``
    in roster order, as :func:`on_call_rows` selects them (a superset for the
    weekly shifts): times as text or :class:`datetime.time`, ``weekday`` None
    for a one-off shift (already known to run). The exact check of a weekly
    shift is made on UTC instants, once per distinct day and wall-clock times.
    """
    zone = network_zone()
    local_day = at.astimezone(zone).date()
    yesterday = local_day - DAY
    running: dict[tuple[dt.date, object, object], bool] = {}
    seen: set[uuid.UUID] = set()
    found: list[tuple[Any, ...]] = []
    for weekday, start_raw, end_raw, responder_raw, *values in rows:
        responder_id = _as_uuid(responder_raw)
        if responder_id in seen:
            continue
        if weekday is not None:
            # A weekly row is of today's weekday or of yesterday's (overnight).
            day = local_day if weekday == local_day.weekday() else yesterday
            key = (day, start_raw, end_raw)
            if key not in running:
                start, end = _weekly_bounds(day, _as_time(start_raw), _as_time(end_raw), zone)
                running[key] = start <= at < end
            if not running[key]:
                continue
        seen.add(responder_id)
        found.append((responder_id, *values[:-1]))
    return found


def _raw_rows(queryset: QuerySet[Any, Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``queryset`` as the database driver returns them.

    Without Django's converter per value (most of :func:`on_call_rows`'s time
    for thousands of rows): on SQLite times and JSON are text and UUIDs hex
    text, on PostgreSQL they are Python values. The callers convert what they use.
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    for chunk in compiler.execute_sql(MULTI):
        yield from chunk


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_time(value: object) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def wall_clock_bounds(at: dt.datetime) -> tuple[dt.time | None, dt.time | None]:
    """(latest start, earliest end) on the wall clock of a weekly shift that may run at ``at``.

    :data:`WALL_CLOCK_MARGIN` either side of ``at``'s local time, to spare for
    a daylight saving change; None for a bound that would wrap past midnight.
    """
    now = at.astimezone(network_zone())
    wall = dt.datetime.combine(dt.date(2000, 1, 2), now.time().replace(tzinfo=None))
    early, late = wall - WALL_CLOCK_MARGIN, wall + WALL_CLOCK_MARGIN
    return (
        late.time() if late.day == wall.day else None,
        early.time() if early.day == wall.day else None,
    )


def _weekly_maybe_running(at: dt.datetime, local_day: dt.date) -> Q:
    """Weekly shifts that may be running at ``at``: a superset, checked exactly in Python.

    Today's shifts that start by now and have not ended (or end tomorrow), and
    yesterday's overnight shifts not ended yet, within :func:`wall_clock_bounds`.
    """
    latest_start, earliest_end = wall_clock_bounds(at)
    today = Q(weekday=local_day.weekday())
    yesterday = Q(weekday=(local_day - DAY).weekday(), end_time__lte=F("start_time"))
    if latest_start is not None:
        today &= Q(start_time__lte=latest_start)
    if earliest_end is not None:
        not_ended = Q(end_time__gt=earliest_end)
        today &= not_ended | Q(end_time__lte=F("start_time"))
        yesterday &= not_ended
    return today | yesterday


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of ``monday`` and of the Monday after, as UTC instants."""
    zone = network_zone()
    return (
        _instant(monday, dt.time(0), zone),
        _instant(monday + WEEK, dt.time(0), zone),
    )


def _clipped_hours(items: Iterable[Occurrence], start: dt.datetime, end: dt.datetime) -> float:
    total = 0.0
    for occurrence in items:
        overlap = min(occurrence.end, end) - max(occurrence.start, start)
        total += max(overlap.total_seconds(), 0) / 3600
    return total


def shift_warnings(shift: Shift, *, now: dt.datetime) -> list[str]:
    """Why ``shift`` (already saved) may be unfair on its responder; empty if it is fine.

    Checked over the week of the shift's next occurrence from ``now`` (a
    one-off shift: its own week): the responder's hours that week against
    ``AMPARO_SHIFT_MAX_HOURS_WEEK``, and the rest before and after each of the
    shift's occurrences against ``AMPARO_SHIFT_MIN_REST_HOURS``. Warnings,
    never refusals: the coordinator knows things the software does not.
    """
    zone = network_zone()
    if shift.weekly:
        start = now.astimezone(zone).date()
        day = start + dt.timedelta(days=(shift.weekday or 0) - start.weekday())
        if day < start:
            day += WEEK
        monday = week_start(day)
    else:
        assert shift.starts_at is not None
        monday = week_start(shift.starts_at.astimezone(zone).date())
    week_from, week_to = week_bounds(monday)
    others = list(Shift.objects.filter(responder_id=shift.responder_id).exclude(pk=shift.pk))
    window = occurrences([*others, shift], week_from - DAY, week_to + DAY)
    warnings: list[str] = []

    max_hours = settings.AMPARO_SHIFT_MAX_HOURS_WEEK
    hours = _clipped_hours(window, week_from, week_to)
    if hours > max_hours:
        warnings.append(
            _(
                "This responder would be on shift %(hours)s hours in the week of %(week)s, "
                "more than %(max)s."
            )
            % {"hours": f"{hours:g}", "week": monday.isoformat(), "max": max_hours}
        )

    min_rest = dt.timedelta(hours=settings.AMPARO_SHIFT_MIN_REST_HOURS)
    shortest: dt.timedelta | None = None
    for mine in (o for o in window if o.shift.pk == shift.pk):
        for other in (o for o in window if o.shift.pk != shift.pk):
            gap = max(other.start - mine.end, mine.start - other.end)
            if gap < min_rest and (shortest is None or gap < shortest):
                shortest = gap
    if shortest is not None:
        if shortest <= dt.timedelta(0):
            warnings.append(_("This shift overlaps another shift of the same responder."))
        else:
            rest = int(shortest.total_seconds() // 3600)
            warnings.append(
                ngettext(
                    "Only %(rest)d hour of rest between this shift and another (at least "
                    "%(min)d recommended).",
                    "Only %(rest)d hours of rest between this shift and another (at least "
                    "%(min)d recommended).",
                    rest,
                )
                % {"rest": rest, "min": settings.AMPARO_SHIFT_MIN_REST_HOURS}
            )
    return warnings
