"""A responder's shifts as an iCalendar feed (RFC 5545), written here: it is small.

The feed holds shift times, nothing else: no names, no places, no other
responders, and not the network's name either (calendar providers keep what
they fetch, and legal demands reach them too, so a subscribed calendar must
not say whom its owner volunteers for). Weekly shifts are expanded into single
events in UTC for a window around now (:mod:`amparo.dispatch.schedule` does
the time-zone work), so calendar apps need no VTIMEZONE and daylight saving
changes come out right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from amparo.dispatch.models import Shift, ShiftKind
from amparo.dispatch.schedule import UTC, occurrences

PAST = dt.timedelta(days=14)
AHEAD = dt.timedelta(days=56)


def escape_text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 says."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """``line`` folded into lines of at most 75 octets (section 3.1), never inside a character."""
    out: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = " "
            limit = 75
        current += char
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def shifts_calendar(
    shifts: Iterable[Shift],
    *,
    summaries: dict[str, str],
    now: dt.datetime,
) -> str:
    """The VCALENDAR text for ``shifts``, from two weeks ago to eight weeks ahead of ``now``.

    ``summaries`` maps a shift kind to the event's title (translated by the caller).
    """
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Amparo//Shifts//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Shifts",
    ]
    stamp = _stamp(now)
    for occurrence in occurrences(shifts, now - PAST, now + AHEAD):
        kind = occurrence.shift.kind
        title = summaries.get(kind, summaries.get(ShiftKind.FIELD, kind))
        lines += [
            "BEGIN:VEVENT",
            f"UID:shift-{occurrence.shift.pk}-{_stamp(occurrence.start)}@amparo",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(occurrence.start)}",
            f"DTEND:{_stamp(occurrence.end)}",
            f"SUMMARY:{escape_text(title)}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
