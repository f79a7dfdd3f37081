"""The iCalendar text: escaping, folding, and events in UTC across a daylight saving change."""

from __future__ import annotations

import datetime as dt

import pytest

from amparo.dispatch.ical import escape_text, fold, shifts_calendar
from amparo.dispatch.models import ShiftKind
from amparo.dispatch.tests.factories import make_responder, once, weekly

pytestmark = pytest.mark.django_db

SUMMARIES = {ShiftKind.OPERATOR: "Hotline shift", ShiftKind.FIELD: "Field shift"}


def test_text_values_are_escaped() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character() -> None:
    line = "SUMMARY:" + "ñ" * 80
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part.removeprefix(" ") for part in parts) == line


def test_weekly_events_keep_their_local_time_across_the_change(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    responder = make_responder()
    weekly(responder, 5, dt.time(22), dt.time(6))  # Saturdays; 2026-03-07 spring forward
    now = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)

    text = shifts_calendar(responder.shifts.all(), summaries=SUMMARIES, now=now)

    assert "DTSTART:20260301T030000Z" in text  # 22:00 EST on Saturday 02-28
    assert "DTEND:20260301T110000Z" in text  # 06:00 EST
    assert "DTSTART:20260308T030000Z" in text  # 22:00 EST on 03-07
    assert "DTEND:20260308T100000Z" in text  # 06:00 EDT: one hour shorter
    assert "DTSTART:20260315T020000Z" in text  # 22:00 EDT
    assert "X-WR-CALNAME:Shifts" in text and "SUMMARY:Field shift\r" in text
    assert all(line.endswith("\r") or not line for line in text.split("\n")[:-1])


def test_one_off_shifts_outside_the_window_are_left_out() -> None:
    responder = make_responder()
    now = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)
    once(responder, now + dt.timedelta(days=1), now + dt.timedelta(days=1, hours=3))
    once(responder, now + dt.timedelta(days=90), now + dt.timedelta(days=90, hours=3))

    text = shifts_calendar(responder.shifts.all(), summaries=SUMMARIES, now=now)

    assert text.count("BEGIN:VEVENT") == 1
