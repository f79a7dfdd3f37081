"""Invented responders and shifts for the dispatch tests, built through the actions."""

from __future__ import annotations

import datetime as dt
import itertools

from amparo.accounts.models import User
from amparo.dispatch.actions import add_responder, add_shift
from amparo.dispatch.models import Responder, Shift, ShiftKind

_numbers = itertools.count(10)


def next_phone() -> str:
    """A fictional number, +1 860 555 01xx, different for each call (up to 90 of them)."""
    return f"+18605550{100 + next(_numbers) % 90:03d}"


def make_responder(
    name: str = "Invented Volunteer", *, phone: str | None = None, user: User | None = None
) -> Responder:
    return add_responder(
        by=None, display_name=name, user=user, phone=phone if phone is not None else next_phone()
    )


def weekly(
    responder: Responder,
    weekday: int,
    start: dt.time,
    end: dt.time,
    kind: str = ShiftKind.FIELD,
) -> Shift:
    return add_shift(
        responder=responder, kind=kind, by=None, weekday=weekday, start_time=start, end_time=end
    )


def once(
    responder: Responder, starts: dt.datetime, ends: dt.datetime, kind: str = ShiftKind.FIELD
) -> Shift:
    return add_shift(responder=responder, kind=kind, by=None, starts_at=starts, ends_at=ends)
