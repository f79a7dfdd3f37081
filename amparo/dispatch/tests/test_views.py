"""Roster, responder pages, shift calendar and calendar feed: who opens them, what they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.dispatch.actions import add_responder, deactivate_responder, new_feed_token
from amparo.dispatch.models import Responder, Shift, ShiftKind, Skill
from amparo.dispatch.tests.factories import make_responder, once, weekly

pytestmark = pytest.mark.django_db

ROSTER = reverse("dispatch:roster")
NEW = reverse("dispatch:add_responder")
CALENDAR = reverse("dispatch:calendar")
T = dt.time


def signed_in(client: Client, role: Role) -> User:
    """Signed in and just re-authenticated: profile and shift changes need it."""
    user = make_staff(role)
    reauthenticated(client, user)
    return user


def url(name: str, responder: Responder) -> str:
    return reverse(f"dispatch:{name}", args=[responder.pk])


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- who may open what -----------------------------------------------------------

PAGES = [
    ("get", lambda r, s: ROSTER),
    ("get", lambda r, s: NEW),
    ("post", lambda r, s: NEW),
    ("get", lambda r, s: CALENDAR),
    ("get", lambda r, s: url("responder", r)),
    ("post", lambda r, s: url("edit_responder", r)),
    ("post", lambda r, s: url("set_active", r)),
    ("post", lambda r, s: url("add_shift", r)),
    ("post", lambda r, s: url("new_feed", r)),
    ("post", lambda r, s: reverse("dispatch:remove_shift", args=[s.pk])),
]
CASES = [
    pytest.param(method, build, role, id=f"{index}-{method}-{role}")
    for index, (method, build) in enumerate(PAGES)
    for role in Role
]


@pytest.mark.parametrize(("method", "build", "role"), CASES)
def test_each_page_opens_for_coordinators_only(client: Client, method, build, role) -> None:
    responder = make_responder()
    shift = weekly(responder, 0, T(8), T(12))
    signed_in(client, role)

    response = getattr(client, method)(build(responder, shift))

    if role == Role.COORDINATOR:
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403
        assert "This page is not for your role" in response.content.decode()
        assert Shift.objects.filter(pk=shift.pk).exists()
        assert Responder.objects.get(pk=responder.pk).active


@pytest.mark.parametrize(("method", "build"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, method, build) -> None:
    responder = make_responder()
    shift = weekly(responder, 0, T(8), T(12))

    response = getattr(client, method)(build(responder, shift))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_staff_home_links_the_roster_for_coordinators_only(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)
    assert ROSTER in client.get(reverse("core:home")).content.decode()
    signed_in(client, Role.OPERATOR)
    assert ROSTER not in client.get(reverse("core:home")).content.decode()


# --- the roster ------------------------------------------------------------------


def test_the_roster_shows_names_and_is_audited_once(client: Client) -> None:
    coordinator = signed_in(client, Role.COORDINATOR)
    make_responder("Invented Tomas Reyes")
    gone = make_responder("Invented Lia Moreau")
    deactivate_responder(responder=gone, by=None)

    html = client.get(ROSTER).content.decode()

    assert "Invented Tomas Reyes" in html and "Invented Lia Moreau" in html
    assert html.index("Invented Tomas Reyes") < html.index("Invented Lia Moreau")
    assert AuditEvent.objects.filter(action="dispatch.roster_view", actor_id=coordinator.pk)
    assert "+1860555" not in html  # numbers are on a responder's own page only


def test_the_roster_costs_the_same_queries_for_2_or_20_responders(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    for n in range(2):
        make_responder(f"Invented {n}", user=make_staff(Role.RESPONDER))
    client.get(ROSTER)
    with django_assert_max_num_queries(15) as few:
        client.get(ROSTER)
    for n in range(18):
        make_responder(f"Invented more {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(ROSTER)
    assert len(response.context["rows"]) == 20


# --- adding and editing ----------------------------------------------------------


def test_a_coordinator_adds_an_sms_only_responder(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        NEW,
        {
            "display_name": "Invented Noemi Duarte",
            "phone": "860 555 0144",
            "language": "pt",
            "skills": ["verifier", "driver"],
            "languages": ["pt"],
            "travel_radius_km": "30",
            "trained_on": "2026-02-01",
        },
    )

    responder = Responder.objects.get()
    assert response.status_code == 302 and response["Location"] == url("responder", responder)
    assert responder.display_name == "Invented Noemi Duarte"
    assert responder.contact is not None and responder.contact.phone == "+18605550144"
    assert responder.skills == ["driver", "verifier"]
    assert responder.trained_on == dt.date(2026, 2, 1)


def test_without_account_or_phone_the_form_says_what_is_missing(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        NEW, {"display_name": "Invented", "language": "en", "travel_radius_km": "10"}
    )

    assert response.status_code == 200
    assert "needs a phone number" in response.content.decode()
    assert not Responder.objects.exists()


def test_the_responder_page_shows_the_profile_and_is_audited(client: Client) -> None:
    coordinator = signed_in(client, Role.COORDINATOR)
    responder = add_responder(
        by=None,
        display_name="Invented Ivo Santos",
        phone="+18605550145",
        skills=[Skill.INTERPRETER],
        languages=["pt", "ht"],
    )
    weekly(responder, 2, T(22), T(6), kind=ShiftKind.OPERATOR)

    html = client.get(url("responder", responder)).content.decode()

    assert "Invented Ivo Santos" in html and "+18605550145" in html
    assert "<dd>interpreter</dd>" in html
    assert "<dd>Kreyòl ayisyen, Português</dd>" in html
    assert "22:00-06:00" in html
    assert AuditEvent.objects.filter(
        action="dispatch.responder_view", actor_id=coordinator.pk, target_id=str(responder.pk)
    ).exists()


def test_editing_changes_the_profile(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)
    responder = make_responder("Invented Old Name")

    response = client.post(
        url("edit_responder", responder),
        {
            "display_name": "Invented New Name",
            "phone": "+18605550146",
            "language": "ht",
            "travel_radius_km": "8",
        },
    )

    assert response.status_code == 302
    responder = Responder.objects.get(pk=responder.pk)
    assert responder.display_name == "Invented New Name"
    assert responder.travel_radius_km == 8
    assert responder.contact is not None and responder.contact.phone == "+18605550146"


def test_taking_off_and_putting_back_on_the_roster(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)
    responder = make_responder()

    client.post(url("set_active", responder))
    assert not Responder.objects.get(pk=responder.pk).active
    client.post(url("set_active", responder), {"active": "1"})
    assert Responder.objects.get(pk=responder.pk).active


# --- shifts ----------------------------------------------------------------------


def test_adding_a_shift_warns_about_short_rest_but_keeps_it(client: Client, settings) -> None:
    settings.AMPARO_SHIFT_MIN_REST_HOURS = 8
    signed_in(client, Role.COORDINATOR)
    responder = make_responder()
    weekly(responder, 0, T(8), T(16))

    response = client.post(
        url("add_shift", responder),
        {
            "kind": "field",
            "repeat": "weekly",
            "weekday": "0",
            "start_time": "18:00",
            "end_time": "22:00",
        },
        follow=True,
    )

    assert responder.shifts.count() == 2
    said = messages_on(response)
    assert "Shift added." in said
    assert any("Only 2 hours of rest" in m for m in said)


def test_a_one_off_shift_is_read_in_the_network_time_zone(client: Client, settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    signed_in(client, Role.COORDINATOR)
    responder = make_responder()

    client.post(
        url("add_shift", responder),
        {
            "kind": "operator",
            "repeat": "once",
            "starts_at": "2026-12-05T09:00",
            "ends_at": "2026-12-05T13:00",
        },
    )

    shift = Shift.objects.get()
    assert shift.starts_at == dt.datetime(2026, 12, 5, 14, tzinfo=dt.UTC)
    assert shift.kind == ShiftKind.OPERATOR


def test_an_incomplete_shift_is_refused_with_a_reason(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)
    responder = make_responder()

    response = client.post(
        url("add_shift", responder), {"kind": "field", "repeat": "weekly", "weekday": "0"}
    )

    assert response.status_code == 400
    assert "needs a day, a start and an end" in response.content.decode()
    assert not Shift.objects.exists()


def test_removing_a_shift(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)
    shift = weekly(make_responder(), 0, T(8), T(12))

    client.post(reverse("dispatch:remove_shift", args=[shift.pk]))

    assert not Shift.objects.exists()


# --- the calendar ----------------------------------------------------------------


def test_the_calendar_shows_the_week_in_local_time(client: Client, settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    signed_in(client, Role.COORDINATOR)
    night = make_responder("Invented Night Owl")
    weekly(night, 5, T(22), T(6))  # Saturday 2026-03-07 into the spring-forward Sunday
    once(
        make_responder("Invented Extra"),
        dt.datetime(2026, 3, 4, 14, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 4, 18, tzinfo=dt.UTC),
    )

    response = client.get(CALENDAR, {"week": "2026-03-04"})

    html = response.content.decode()
    assert response.context["monday"] == dt.date(2026, 3, 2)
    assert "Invented Night Owl" in html and "Invented Extra" in html
    assert '<time datetime="2026-03-07T22:00:00-05:00">22:00</time>' in html
    assert '<time datetime="2026-03-08T06:00:00-04:00">06:00</time>' in html
    hours = {row.responder.display_name: row.hours for row in response.context["rows"]}
    # The night shift runs 7 hours: clocks spring forward during it.
    assert hours == {"Invented Night Owl": 7, "Invented Extra": 4}


def test_the_calendar_costs_the_same_queries_for_2_or_20_responders(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    for n in range(2):
        weekly(make_responder(f"Invented {n}"), n % 7, T(8), T(12))
    client.get(CALENDAR)
    with django_assert_max_num_queries(15) as few:
        client.get(CALENDAR)
    for n in range(18):
        weekly(make_responder(f"Invented more {n}"), n % 7, T(8), T(12))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(CALENDAR)
    assert len(response.context["rows"]) == 20


# --- the feed --------------------------------------------------------------------


def test_a_new_feed_address_is_shown_once_and_serves_shift_times_only(
    client: Client, settings
) -> None:
    settings.AMPARO_NETWORK_NAME = "Invented Network"
    signed_in(client, Role.COORDINATOR)
    mine = make_responder("Invented Feed Owner")
    weekly(mine, 0, T(8), T(12), kind=ShiftKind.OPERATOR)
    other = make_responder("Invented Someone Else")
    weekly(other, 0, T(8), T(12))

    page = client.post(url("new_feed", mine))
    assert "no-store" in page["Cache-Control"]
    feed_url = page.context["feed_url"]
    client.logout()
    response = client.get(feed_url.removeprefix(settings.AMPARO_PUBLIC_URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "X-WR-CALNAME:Shifts" in body
    assert body.count("BEGIN:VEVENT") >= 9  # weekly, from two weeks ago to eight ahead
    assert "Hotline shift" in body
    # Not even the network's name: calendar providers keep what they fetch.
    assert "Invented" not in body
    assert "+1860555" not in body


def test_an_unknown_or_stopped_feed_is_not_found(client: Client) -> None:
    responder = make_responder()
    token = new_feed_token(responder=responder, by=None)
    feed = reverse("dispatch:feed", args=[token])
    assert client.get(feed).status_code == 200

    assert client.get(reverse("dispatch:feed", args=["x" + token])).status_code == 404
    deactivate_responder(responder=responder, by=None)
    assert client.get(feed).status_code == 404


def test_changing_a_responder_needs_a_fresh_re_authentication(client: Client) -> None:
    client.force_login(make_staff(Role.COORDINATOR))  # signed in, not re-authenticated
    responder = make_responder("Invented Old Name")

    response = client.post(
        url("edit_responder", responder),
        {"display_name": "Invented New Name", "phone": "+18605550146", "travel_radius_km": "8"},
    )

    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert Responder.objects.get(pk=responder.pk).display_name == "Invented Old Name"


def test_a_new_phone_on_a_responder_is_its_own_audit_event(client: Client) -> None:
    from amparo.audit.models import AuditEvent

    signed_in(client, Role.COORDINATOR)
    responder = make_responder("Invented Name", phone="+18605550145")

    client.post(
        url("edit_responder", responder),
        {
            "display_name": "Invented Name",
            "phone": "+18605550146",
            "language": "es",
            "travel_radius_km": "8",
        },
    )

    changed = AuditEvent.objects.filter(action="dispatch.responder_phone_change")
    assert [event.target_id for event in changed] == [str(responder.pk)]


def test_the_calendar_feed_answers_head_and_never_logs_its_token(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    from amparo.dispatch.actions import new_feed_token

    responder = make_responder()
    token = new_feed_token(responder=responder, by=None)
    feed = reverse("dispatch:feed", args=[token])

    with caplog.at_level("DEBUG"):
        assert client.head(feed).status_code == 200
        client.post(feed)

    assert token not in caplog.text


def test_a_closed_staff_account_stops_its_calendar_feed(client: Client) -> None:
    from amparo.dispatch.actions import new_feed_token

    operator = make_staff(Role.OPERATOR)
    responder = make_responder(user=operator)
    feed = reverse("dispatch:feed", args=[new_feed_token(responder=responder, by=None)])
    assert client.get(feed).status_code == 200

    User.objects.filter(pk=operator.pk).update(is_active=False)

    assert client.get(feed).status_code == 404


def test_a_week_out_of_range_is_a_clear_error_not_a_crash(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)

    response = client.get(CALENDAR, {"week": "9999-12-31"})

    assert response.status_code in (200, 400)
