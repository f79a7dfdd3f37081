"""The board and incident pages: who may open them, what they show, and decisions through them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.incidents.models import (
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
    PlaceKind,
)
from amparo.incidents.tests.board_factories import make_incident, make_report, make_town
from amparo.places.actions import add_town

pytestmark = pytest.mark.django_db

BOARD = reverse("incidents:board")
ROWS = reverse("incidents:board_rows")
UNPLACED = reverse("incidents:unplaced")
METRICS = reverse("incidents:metrics")
BOTH = {Role.OPERATOR, Role.COORDINATOR}
COORDINATORS = {Role.COORDINATOR}


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    client.force_login(user)
    return user


def url(name: str, incident: Incident) -> str:
    return reverse(f"incidents:{name}", args=[incident.pk])


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def timeline(incident: Incident) -> list[tuple[str, str]]:
    return [(e.kind, e.to_state) for e in IncidentEvent.objects.filter(incident=incident)]


# --- who may open what -----------------------------------------------------------

# (method, url builder, roles allowed): every page and form of the board.
PAGES = [
    ("get", lambda i, r: BOARD, BOTH),
    ("get", lambda i, r: ROWS, BOTH),
    ("get", lambda i, r: url("incident", i), BOTH),
    ("get", lambda i, r: UNPLACED, BOTH),
    ("get", lambda i, r: METRICS, COORDINATORS),
    ("post", lambda i, r: url("add_note", i), BOTH),
    ("post", lambda i, r: url("start_verifying", i), BOTH),
    ("post", lambda i, r: url("flag_police", i), BOTH),
    ("post", lambda i, r: url("confirm", i), COORDINATORS),
    ("post", lambda i, r: url("false_alarm", i), COORDINATORS),
    ("post", lambda i, r: url("close", i), COORDINATORS),
    ("post", lambda i, r: url("merge", i), COORDINATORS),
    ("post", lambda i, r: url("split", i), COORDINATORS),
    ("post", lambda i, r: reverse("incidents:place_report", args=[r.pk]), BOTH),
]
CASES = [
    pytest.param(method, build, role, role in allowed, id=f"{index}-{method}-{role}")
    for index, (method, build, allowed) in enumerate(PAGES)
    for role in Role
]


@pytest.mark.parametrize(("method", "build", "role", "allowed"), CASES)
def test_each_page_opens_for_its_roles_and_refuses_the_others(
    client: Client, method: str, build, role: Role, allowed: bool
) -> None:
    incident = make_incident(town=make_town(), reports=1)
    report = make_report(None)
    signed_in(client, role)

    response = getattr(client, method)(build(incident, report))

    if allowed:
        assert response.status_code in (200, 302, 400), response.status_code
    else:
        assert response.status_code == 403
        assert "This page is not for your role" in response.content.decode()


@pytest.mark.parametrize(("method", "build", "allowed"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, method, build, allowed) -> None:
    incident = make_incident()
    report = make_report(None)

    response = getattr(client, method)(build(incident, report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_operator_cannot_decide_even_by_posting(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.OPERATOR)

    client.post(
        url("confirm", incident),
        {"confirm-note": "I am sure", "confirm-responder_on_site": "on"},
    )
    client.post(url("false_alarm", incident), {"false-alarm-note": "nothing there"})

    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED
    assert timeline(incident) == []


# --- the board ---------------------------------------------------------------------


def test_the_board_lists_open_incidents_with_their_facts_and_links(client: Client) -> None:
    hartford = make_town("Hartford")
    taken = make_incident(
        town=hartford, someone_taken=True, place_kind=PlaceKind.HOME, reports=2, agents_max=4
    )
    signed_in(client, Role.OPERATOR)

    response = client.get(BOARD)
    html = response.content.decode()

    assert response.status_code == 200
    assert url("incident", taken) in html
    assert "Hartford" in html and "Someone taken" in html and "home" in html
    assert "2 reports" in html and "4 agents" in html
    # Reports' words never reach the board.
    assert "agents at the corner" not in html
    assert 'src="/static/amparo/live_rows.js"' in html
    assert f'data-rows-url="{ROWS}"' in html
    assert "Refresh" in html  # the page works without JavaScript


def test_the_board_filters_by_town_and_state_and_the_rows_keep_them(client: Client) -> None:
    hartford, bridgeport = make_town("Hartford"), make_town("Bridgeport", "41.18", "-73.19")
    verifying = make_incident(town=hartford, state=IncidentState.VERIFYING)
    reported = make_incident(town=hartford)
    elsewhere = make_incident(town=bridgeport, state=IncidentState.VERIFYING)
    signed_in(client, Role.COORDINATOR)

    page = client.get(BOARD, {"town": hartford.pk, "state": "verifying"})
    rows = client.get(ROWS, {"town": hartford.pk, "state": "verifying"})

    assert page.context["board"].open == [verifying]
    assert rows.context["board"].open == [verifying]
    for html in (page.content.decode(), rows.content.decode()):
        assert url("incident", verifying) in html
        assert url("incident", reported) not in html
        assert url("incident", elsewhere) not in html


def test_a_bad_filter_shows_the_whole_board(client: Client) -> None:
    incident = make_incident()
    signed_in(client, Role.OPERATOR)

    response = client.get(BOARD, {"town": "999999", "state": "nonsense"})

    assert response.context["board"].open == [incident]


def test_the_rows_fragment_is_marked_and_not_audited(client: Client) -> None:
    make_incident(town=make_town())
    signed_in(client, Role.OPERATOR)
    client.get(BOARD)
    views_before = AuditEvent.objects.filter(action="incidents.board_view").count()

    response = client.get(ROWS)

    assert response["X-Live-Rows"] == "1"
    assert "<html" not in response.content.decode()
    assert "data-updated" in response.content.decode()  # live_rows.js moves it out of the rows
    assert "Hartford" in response.content.decode()
    assert AuditEvent.objects.filter(action="incidents.board_view").count() == views_before == 1


def test_the_board_shows_times_in_the_network_time_zone(client: Client, settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    incident = make_incident()
    opened = dt.datetime(2025, 1, 15, 15, 4, tzinfo=dt.UTC)
    Incident.objects.filter(pk=incident.pk).update(opened_at=opened, last_report_at=opened)
    signed_in(client, Role.OPERATOR)

    html = client.get(BOARD).content.decode()

    assert 'datetime="2025-01-15T10:04:00-05:00"' in html


def test_the_board_costs_the_same_queries_for_5_or_50_incidents(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    towns = [make_town(f"Town {n}") for n in range(5)]
    for n in range(5):
        make_incident(town=towns[n], reports=1)
    client.get(BOARD)  # the first page after sign-in also starts the session clock
    with django_assert_max_num_queries(20) as page:
        client.get(BOARD)
    with django_assert_max_num_queries(10) as rows:
        client.get(ROWS)
    for n in range(45):
        make_incident(town=towns[n % 5], reports=2, state=IncidentState.CONFIRMED)
    with django_assert_num_queries(len(page.captured_queries)):
        response = client.get(BOARD)
    assert len(response.context["board"].open) == 50
    with django_assert_num_queries(len(rows.captured_queries)):
        response = client.get(ROWS)
    assert len(response.context["board"].open) == 50


def test_the_board_flags_a_burst_of_new_numbers(client: Client, monkeypatch) -> None:
    from amparo.incidents import trust

    monkeypatch.setattr(trust, "burst_of_new_numbers", lambda now: True)
    signed_in(client, Role.OPERATOR)

    html = client.get(BOARD).content.decode()

    assert 'id="burst-flag"' in html and "Many reports from new numbers" in html


def test_the_board_links_to_reports_waiting_for_a_place(client: Client) -> None:
    make_report(None)
    signed_in(client, Role.OPERATOR)

    html = client.get(BOARD).content.decode()

    assert "1 report without a place is waiting" in html
    assert UNPLACED in html


def test_the_staff_home_links_to_the_board_for_operators_and_coordinators(client: Client) -> None:
    for role in (Role.OPERATOR, Role.COORDINATOR):
        signed_in(client, role)
        assert BOARD in client.get(reverse("core:home")).content.decode()
    signed_in(client, Role.LEGAL)
    assert BOARD not in client.get(reverse("core:home")).content.decode()


# --- the incident page -------------------------------------------------------------


def test_the_incident_page_shows_the_timeline_and_what_reporters_said(client: Client) -> None:
    incident = make_incident(town=make_town(), reports=1)
    signed_in(client, Role.OPERATOR)

    response = client.get(url("incident", incident))
    html = response.content.decode()

    assert "Incident in Hartford" in html
    assert "agents at the corner, report 0" in html
    assert AuditEvent.objects.filter(
        action="incidents.incident_view", target_id=str(incident.pk)
    ).exists()


def test_an_operator_sees_triage_forms_but_no_decisions(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.OPERATOR)

    html = client.get(url("incident", incident)).content.decode()

    assert url("add_note", incident) in html
    assert url("start_verifying", incident) in html
    assert url("flag_police", incident) in html
    for decision in ("confirm", "false_alarm", "close", "merge", "split"):
        assert url(decision, incident) not in html


def test_a_coordinator_sees_only_the_decisions_the_state_allows(client: Client) -> None:
    reported = make_incident(reports=2)
    make_incident()  # something to merge into
    signed_in(client, Role.COORDINATOR)

    html = client.get(url("incident", reported)).content.decode()

    for allowed in ("confirm", "false_alarm", "merge", "split", "start_verifying"):
        assert url(allowed, reported) in html
    assert url("close", reported) not in html  # reported -> closed is refused
    assert "A trusted responder is on site" in html


def test_a_note_lands_in_the_timeline(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.OPERATOR)

    response = client.post(
        url("add_note", incident), {"note-note": "called back, no answer"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("incident", incident)
    assert "Your note is in the timeline." in messages_on(response)
    assert "called back, no answer" in response.content.decode()
    assert IncidentEvent.objects.get(incident=incident, kind=EventKind.NOTE).note == (
        "called back, no answer"
    )


def test_an_empty_note_is_refused_with_the_page_shown_again(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.OPERATOR)

    response = client.post(url("add_note", incident), {"note-note": "  "})

    assert response.status_code == 400
    assert "Write why" in response.content.decode()
    assert timeline(incident) == []


def test_verify_then_confirm_with_a_responder_on_site(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.COORDINATOR)

    client.post(url("start_verifying", incident), {"verify-note": ""})
    response = client.post(
        url("confirm", incident),
        {"confirm-note": "Ana (responder) sees two vans", "confirm-responder_on_site": "on"},
        follow=True,
    )

    incident.refresh_from_db()
    assert incident.state == IncidentState.CONFIRMED
    assert "Confirmed." in messages_on(response)
    assert timeline(incident) == [
        (EventKind.STATE, IncidentState.VERIFYING),
        (EventKind.STATE, IncidentState.CONFIRMED),
    ]
    html = response.content.decode()
    assert 'id="incident-state">confirmed<' in html
    assert "Ana (responder) sees two vans" in html
    assert "on the word of a responder on site" in html


def test_confirming_without_a_responder_or_enough_reporters_shows_why(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.COORDINATOR)

    response = client.post(url("confirm", incident), {"confirm-note": "one text only"}, follow=True)

    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED
    (message,) = messages_on(response)
    assert "Confirming needs a responder on site or at least 3 independent reporters" in message
    assert message in response.content.decode()


def test_a_false_alarm_needs_a_note_and_then_lands_in_the_timeline(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.COORDINATOR)

    refused = client.post(url("false_alarm", incident), {"false-alarm-note": ""})
    done = client.post(
        url("false_alarm", incident), {"false-alarm-note": "a film crew, not ICE"}, follow=True
    )

    assert refused.status_code == 400
    incident.refresh_from_db()
    assert incident.state == IncidentState.FALSE_ALARM
    assert "Marked as a false alarm." in messages_on(done)
    assert timeline(incident) == [(EventKind.STATE, IncidentState.FALSE_ALARM)]


def test_closing_a_decided_incident(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.COORDINATOR)
    client.post(url("false_alarm", incident), {"false-alarm-note": "a drill"})

    response = client.post(url("close", incident), {"close-note": ""}, follow=True)

    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert "Closed." in messages_on(response)


def test_closing_an_undecided_incident_is_refused_with_a_message(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.COORDINATOR)

    response = client.post(url("close", incident), {"close-note": ""}, follow=True)

    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED
    assert len(messages_on(response)) == 1
    assert "message error" in response.content.decode()


def test_an_operator_flags_police_involvement(client: Client) -> None:
    incident = make_incident(reports=1)
    signed_in(client, Role.OPERATOR)

    response = client.post(
        url("flag_police", incident), {"police-note": "a cruiser blocked the street"}, follow=True
    )

    incident.refresh_from_db()
    assert incident.police_involved
    assert (EventKind.POLICE, "") in timeline(incident)
    assert url("flag_police", incident) not in response.content.decode()  # done once


def test_merging_moves_the_reports_and_lands_on_the_other_incident(client: Client) -> None:
    town = make_town()
    duplicate = make_incident(town=town, reports=1)
    kept = make_incident(town=town, reports=2)
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        url("merge", duplicate),
        {"merge-into": str(kept.pk), "merge-note": "same corner, same vans"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url("incident", kept)
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.merged_into == kept
    assert kept.reports.count() == 3


def test_merging_into_an_incident_not_on_the_board_is_refused(client: Client) -> None:
    incident = make_incident(reports=1)
    make_incident()  # one that could be chosen
    closed = make_incident(state=IncidentState.CLOSED)
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        url("merge", incident), {"merge-into": str(closed.pk), "merge-note": "same"}
    )

    assert response.status_code == 400
    assert "still on the board" in response.content.decode()


def test_splitting_moves_the_chosen_reports_to_a_new_incident(client: Client) -> None:
    incident = make_incident(town=make_town(), reports=3)
    moved = list(incident.reports.order_by("received_at", "pk"))[:1]
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        url("split", incident),
        {"split-reports": [str(r.pk) for r in moved], "split-note": "another street"},
        follow=True,
    )

    new = Incident.objects.exclude(pk=incident.pk).get()
    assert response.redirect_chain[-1][0] == url("incident", new)
    assert list(new.reports.all()) == moved
    assert incident.reports.count() == 2


def test_splitting_off_every_report_is_refused(client: Client) -> None:
    incident = make_incident(reports=2)
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        url("split", incident),
        {"split-reports": [str(r.pk) for r in incident.reports.all()], "split-note": "x"},
    )

    assert response.status_code == 400
    assert "Leave at least one report" in response.content.decode()
    assert Incident.objects.count() == 1


# --- reports without a place -------------------------------------------------------


def test_an_operator_places_a_report_by_town_and_it_joins_an_incident(client: Client) -> None:
    town = add_town(
        name="Danbury", state="CT", latitude=Decimal("41.39"), longitude=Decimal("-73.45")
    )
    report = make_report(None, text="agentes en la escuela")
    signed_in(client, Role.OPERATOR)

    listing = client.get(UNPLACED)
    assert "agentes en la escuela" in listing.content.decode()
    response = client.post(
        reverse("incidents:place_report", args=[report.pk]),
        {f"{report.pk}-town": str(town.pk)},
        follow=True,
    )

    report.refresh_from_db()
    assert report.incident is not None
    assert response.redirect_chain[-1][0] == url("incident", report.incident)
    assert report.incident.town == town


def test_placing_a_report_with_nothing_known_is_refused(client: Client) -> None:
    report = make_report(None)
    signed_in(client, Role.OPERATOR)

    response = client.post(
        reverse("incidents:place_report", args=[report.pk]), {f"{report.pk}-text": "zzqx"}
    )

    assert response.status_code == 400
    assert "No known place matches" in response.content.decode()
    report.refresh_from_db()
    assert report.incident is None


# --- metrics -----------------------------------------------------------------------


def test_the_metrics_page_shows_counts_by_outcome_and_town(client: Client) -> None:
    town = make_town()
    now = timezone.now()
    make_incident(town=town, state=IncidentState.FALSE_ALARM, outcome="false-alarm", decided_at=now)
    make_incident(town=town)
    signed_in(client, Role.COORDINATOR)

    response = client.get(METRICS)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="metric-incidents">2<' in html
    assert "Hartford" in html and "false alarm" in html


def test_the_incident_page_costs_the_same_queries_for_1_or_10_reports(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    small, large = make_incident(reports=1), make_incident(reports=10)
    for incident in (small, large):
        client.post(url("add_note", incident), {"note-note": "called back"})
    client.get(url("incident", small))
    with django_assert_max_num_queries(25) as few:
        client.get(url("incident", small))

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url("incident", large))
    assert len(response.context["page"].reports) == 10


def test_report_details_are_shown_with_their_labels(client: Client) -> None:
    from amparo.incidents.actions import submit_report
    from amparo.incidents.tests.factories import HARTFORD, make_gazetteer, pin

    make_gazetteer()
    report = submit_report(
        source="web",
        text="two vans",
        place=pin(*HARTFORD),
        details={"callback_phone": "+18605550142", "plates": "CT AB-1234"},
    )
    client.force_login(make_staff(Role.COORDINATOR))

    page = client.get(f"/staff/incidents/{report.incident_id}/").content.decode()

    assert "number to call back" in page and "+18605550142" in page
    assert "callback_phone" not in page
