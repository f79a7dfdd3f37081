"""Who is on call at an instant, across midnight and daylight saving changes, and load warnings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.dispatch.actions import deactivate_responder
from amparo.dispatch.models import Responder, Shift, ShiftKind
from amparo.dispatch.schedule import occurrences, on_call, shift_warnings
from amparo.dispatch.tests.factories import make_responder, once, weekly

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
T = dt.time
SATURDAY, SUNDAY, MONDAY, TUESDAY = 5, 6, 0, 1


@pytest.fixture(autouse=True)
def new_york(settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    settings.AMPARO_SHIFT_MAX_HOURS_WEEK = 40
    settings.AMPARO_SHIFT_MIN_REST_HOURS = 8


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_an_overnight_shift_is_on_after_midnight_and_off_after_its_end() -> None:
    night = make_responder()
    weekly(night, MONDAY, T(23), T(1))
    # Monday 2026-11-23, 23:30 EST and Tuesday 00:30 EST; then Tuesday 01:30 and Monday 00:30.
    assert on_call(utc(2026, 11, 24, 4, 30), kind=ShiftKind.FIELD) == [night]
    assert on_call(utc(2026, 11, 24, 5, 30), kind=ShiftKind.FIELD) == [night]
    assert on_call(utc(2026, 11, 24, 6, 30), kind=ShiftKind.FIELD) == []
    assert on_call(utc(2026, 11, 23, 5, 30), kind=ShiftKind.FIELD) == []


def test_the_night_clocks_spring_forward_a_2200_0600_shift_lasts_seven_hours() -> None:
    night = make_responder()
    shift = weekly(night, SATURDAY, T(22), T(6))  # Saturday 2026-03-07 into Sunday 03-08

    assert on_call(utc(2026, 3, 8, 2, 30), kind=ShiftKind.FIELD) == []  # 21:30 EST
    assert on_call(utc(2026, 3, 8, 3, 30), kind=ShiftKind.FIELD) == [night]  # 22:30 EST
    assert on_call(utc(2026, 3, 8, 9, 30), kind=ShiftKind.FIELD) == [night]  # 05:30 EDT
    assert on_call(utc(2026, 3, 8, 10, 30), kind=ShiftKind.FIELD) == []  # 06:30 EDT
    (occurrence,) = occurrences([shift], utc(2026, 3, 7, 12), utc(2026, 3, 8, 12))
    assert occurrence.hours == 7
    assert occurrence.end.astimezone(NY).time() == T(6)


def test_the_night_clocks_fall_back_a_2200_0600_shift_lasts_nine_hours() -> None:
    night = make_responder()
    shift = weekly(night, SATURDAY, T(22), T(6))  # Saturday 2026-10-31 into Sunday 11-01

    assert on_call(utc(2026, 11, 1, 5, 30), kind=ShiftKind.FIELD) == [night]  # 01:30 EDT
    assert on_call(utc(2026, 11, 1, 6, 30), kind=ShiftKind.FIELD) == [night]  # 01:30 EST
    assert on_call(utc(2026, 11, 1, 10, 30), kind=ShiftKind.FIELD) == [night]  # 05:30 EST
    assert on_call(utc(2026, 11, 1, 11, 30), kind=ShiftKind.FIELD) == []  # 06:30 EST
    (occurrence,) = occurrences([shift], utc(2026, 10, 31, 12), utc(2026, 11, 1, 18))
    assert occurrence.hours == 9


def test_a_day_shift_keeps_its_wall_clock_times_across_the_change() -> None:
    day = make_responder()
    weekly(day, SUNDAY, T(9), T(17))
    # 09:30 EST on 2026-11-08 is 14:30 UTC; the week before, 09:30 EDT was 13:30 UTC.
    assert on_call(utc(2026, 11, 8, 14, 30), kind=ShiftKind.FIELD) == [day]
    assert on_call(utc(2026, 10, 25, 13, 30), kind=ShiftKind.FIELD) == [day]
    assert on_call(utc(2026, 11, 8, 13, 30), kind=ShiftKind.FIELD) == []  # 08:30 EST


def test_one_off_shifts_count_between_their_instants_only() -> None:
    extra = make_responder()
    once(extra, utc(2026, 12, 2, 15), utc(2026, 12, 2, 19), kind=ShiftKind.OPERATOR)

    assert on_call(utc(2026, 12, 2, 15), kind=ShiftKind.OPERATOR) == [extra]
    assert on_call(utc(2026, 12, 2, 19), kind=ShiftKind.OPERATOR) == []
    assert on_call(utc(2026, 12, 2, 16), kind=ShiftKind.FIELD) == []


def test_on_call_lists_each_responder_once_in_roster_order_and_skips_inactive_ones() -> None:
    first, second, gone = make_responder(), make_responder(), make_responder()
    for responder in (second, first, gone):
        weekly(responder, TUESDAY, T(8), T(16))
    once(first, utc(2026, 12, 1, 14), utc(2026, 12, 1, 15))
    deactivate_responder(responder=gone, by=None)

    assert on_call(utc(2026, 12, 1, 14, 30), kind=ShiftKind.FIELD) == [first, second]


def test_a_responder_whose_staff_account_was_closed_is_not_on_call() -> None:
    operator = make_staff(Role.OPERATOR)
    staff, sms_only = make_responder(user=operator), make_responder()
    for responder in (staff, sms_only):
        weekly(responder, TUESDAY, T(8), T(16), kind=ShiftKind.OPERATOR)
    at = utc(2026, 12, 1, 14)
    assert on_call(at, kind=ShiftKind.OPERATOR) == [staff, sms_only]

    User.objects.filter(pk=operator.pk).update(is_active=False)

    assert on_call(at, kind=ShiftKind.OPERATOR) == [sms_only]


def test_only_staff_who_answer_the_hotline_are_on_an_operator_shift() -> None:
    operator = make_staff(Role.OPERATOR)
    responder = make_responder(user=operator)
    weekly(responder, TUESDAY, T(8), T(16), kind=ShiftKind.OPERATOR)
    at = utc(2026, 12, 1, 14)
    assert on_call(at, kind=ShiftKind.OPERATOR) == [responder]

    User.objects.filter(pk=operator.pk).update(role=Role.TREASURER)

    assert on_call(at, kind=ShiftKind.OPERATOR) == []
    weekly(responder, TUESDAY, T(8), T(16), kind=ShiftKind.FIELD)
    assert on_call(at, kind=ShiftKind.FIELD) == [responder]  # field work is not role-bound


def test_on_call_refuses_a_naive_instant_or_an_unknown_kind() -> None:
    with pytest.raises(ValueError):
        on_call(dt.datetime(2026, 12, 1, 12), kind=ShiftKind.FIELD)
    with pytest.raises(ValueError):
        on_call(utc(2026, 12, 1, 12), kind="pilot")


def test_on_call_costs_two_queries_whatever_the_roster(django_assert_num_queries) -> None:
    for _ in range(5):
        weekly(make_responder(), TUESDAY, T(8), T(16), kind=ShiftKind.OPERATOR)
    with django_assert_num_queries(2):
        on = on_call(utc(2026, 12, 1, 14), kind=ShiftKind.OPERATOR)
        assert len(on) == 5
        assert [r.contact.phone for r in on]  # contacts come with the responders


NOW = utc(2026, 11, 29, 12)  # a Sunday: the next week starts on Monday 11-30


def test_no_warning_for_forty_hours_with_nights_of_rest() -> None:
    worker = make_responder()
    shifts = [weekly(worker, day, T(8), T(16)) for day in range(5)]
    assert shift_warnings(shifts[-1], now=NOW) == []


def test_a_warning_when_a_week_would_pass_the_maximum_hours() -> None:
    worker = make_responder()
    for day in range(5):
        weekly(worker, day, T(8), T(16))
    saturday = weekly(worker, SATURDAY, T(8), T(12))

    (warning,) = shift_warnings(saturday, now=NOW)

    assert "44 hours" in warning and "more than 40" in warning


def test_a_warning_when_the_rest_between_shifts_is_too_short(settings) -> None:
    worker = make_responder()
    weekly(worker, MONDAY, T(8), T(16))
    evening = weekly(worker, MONDAY, T(20), T(23))

    (warning,) = shift_warnings(evening, now=NOW)
    assert "Only 4 hours of rest" in warning

    settings.AMPARO_SHIFT_MIN_REST_HOURS = 4
    assert shift_warnings(evening, now=NOW) == []


def test_rest_is_measured_across_midnight_and_against_one_off_shifts() -> None:
    worker = make_responder()
    weekly(worker, MONDAY, T(18), T(2))  # ends Tuesday 02:00
    early = once(worker, utc(2026, 12, 1, 11), utc(2026, 12, 1, 15))  # Tuesday 06:00 EST

    (warning,) = shift_warnings(early, now=NOW)
    assert "Only 4 hours of rest" in warning


def test_a_warning_when_shifts_overlap() -> None:
    worker = make_responder()
    weekly(worker, MONDAY, T(8), T(16))
    overlap = weekly(worker, MONDAY, T(12), T(20))

    warnings = shift_warnings(overlap, now=NOW)
    assert any("overlaps" in w for w in warnings)


def test_other_responders_shifts_do_not_count() -> None:
    worker, other = make_responder(), make_responder()
    weekly(other, MONDAY, T(8), T(16))
    mine = weekly(worker, MONDAY, T(18), T(22))
    assert shift_warnings(mine, now=NOW) == []


def test_a_shift_inside_the_skipped_spring_forward_hour_never_ends_before_it_starts(
    settings,
) -> None:
    settings.TIME_ZONE = "America/New_York"
    responder = make_responder()
    shift = weekly(responder, 6, T(2, 30), T(3))  # Sundays; 2026-03-08 02:00 -> 03:00
    spring_forward = dt.date(2026, 3, 8)

    (occurrence,) = [
        o
        for o in occurrences([shift], utc(2026, 3, 8, 0), utc(2026, 3, 9, 0))
        if o.start.astimezone(ZoneInfo("America/New_York")).date() == spring_forward
    ]

    assert occurrence.end >= occurrence.start


@pytest.mark.parametrize(
    "around",
    [utc(2026, 3, 8, 7), utc(2026, 11, 1, 6), utc(2026, 11, 24, 12)],
    ids=["spring-forward", "fall-back", "ordinary-day"],
)
def test_on_call_agrees_with_the_shifts_occurrences_every_half_hour(around) -> None:
    """The query's wall-clock shortcut never misses or adds a shift, also when clocks change."""
    times = [T(0), T(1, 30), T(2), T(2, 30), T(3), T(6), T(12), T(22), T(23, 30)]
    combos = [(d, start, end) for d in range(7) for start in times for end in times]
    # Plain rows (no contact, no audit): the schedule alone is under test.
    people = Responder.objects.bulk_create([Responder(display_name="Invented") for _ in combos])
    shifts = Shift.objects.bulk_create(
        Shift(responder=p, kind=ShiftKind.FIELD, weekday=d, start_time=start, end_time=end)
        for p, (d, start, end) in zip(people, combos, strict=True)
    )
    at = around - dt.timedelta(hours=26)
    while at < around + dt.timedelta(hours=26):
        expected = {
            o.shift.responder_id
            for o in occurrences(shifts, at - dt.timedelta(days=2), at + dt.timedelta(days=2))
            if o.start <= at < o.end
        }
        assert {r.pk for r in on_call(at, kind=ShiftKind.FIELD)} == expected, at
        at += dt.timedelta(minutes=30)
