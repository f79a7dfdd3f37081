"""Reads of the board and incident pages: order, filters, fixed query counts, roles, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.incidents import queries
from amparo.incidents.models import IncidentState, PlaceKind
from amparo.incidents.tests.board_factories import make_incident, make_report, make_town

pytestmark = pytest.mark.django_db


def test_the_board_orders_by_taken_then_confirmed_then_place_then_reporters_then_age() -> None:
    town = make_town()
    older_plain = make_incident(town=town, opened_minutes_ago=50, reports=1)
    newer_plain = make_incident(town=town, opened_minutes_ago=5, reports=1)
    many_reporters = make_incident(town=town, opened_minutes_ago=1, reports=3)
    at_a_school = make_incident(town=town, place_kind=PlaceKind.SCHOOL, reports=1)
    confirmed = make_incident(town=town, state=IncidentState.CONFIRMED, reports=1)
    confirmed_at_home = make_incident(
        town=town, state=IncidentState.CONFIRMED, place_kind=PlaceKind.HOME, reports=1
    )
    taken = make_incident(town=town, someone_taken=True, reports=1)

    board = queries.board_rows()

    assert board.open == [
        taken,
        confirmed_at_home,
        confirmed,
        at_a_school,
        many_reporters,
        older_plain,
        newer_plain,
    ]


def test_the_board_shows_open_and_unconfirmed_and_recent_decisions_apart() -> None:
    now = timezone.now()
    open_ones = [
        make_incident(state=state)
        for state in (
            IncidentState.REPORTED,
            IncidentState.VERIFYING,
            IncidentState.CONFIRMED,
            IncidentState.UNCONFIRMED,
        )
    ]
    debunked = make_incident(state=IncidentState.FALSE_ALARM, decided_at=now)
    closed = make_incident(
        state=IncidentState.CLOSED, decided_at=now, closed_at=now - dt.timedelta(minutes=1)
    )
    make_incident(state=IncidentState.CLOSED, closed_at=now - dt.timedelta(days=2))

    board = queries.board_rows(now=now)

    assert set(board.open) == set(open_ones)
    assert board.recently_decided == [debunked, closed]


def test_the_board_filters_by_town_and_by_state() -> None:
    hartford, bridgeport = make_town("Hartford"), make_town("Bridgeport", "41.18", "-73.19")
    in_hartford = make_incident(town=hartford)
    verifying_in_hartford = make_incident(town=hartford, state=IncidentState.VERIFYING)
    make_incident(town=bridgeport)

    assert set(queries.board_rows(town=hartford).open) == {in_hartford, verifying_in_hartford}
    assert queries.board_rows(town=hartford, state="verifying").open == [verifying_in_hartford]
    assert queries.board_rows(state="confirmed").open == []


def test_the_board_counts_reports_waiting_for_a_place_but_not_purged_ones() -> None:
    make_report(None)
    make_report(None)
    purged = make_report(None)
    purged.purged_at = timezone.now()
    purged.save(update_fields=["purged_at"])
    make_report(make_incident())

    assert queries.board_rows().unplaced_count == 2


def test_the_board_costs_the_same_queries_for_5_or_50_incidents(
    django_assert_num_queries, django_assert_max_num_queries
) -> None:
    coordinator = make_staff(Role.COORDINATOR)
    towns = [make_town(f"Town {n}") for n in range(5)]
    for n in range(5):
        make_incident(town=towns[n % 5], reports=1)
    with django_assert_max_num_queries(12) as few:
        board = queries.access_board(coordinator)
    assert len(board.open) == 5
    for n in range(45):
        make_incident(town=towns[n % 5], reports=2, state=IncidentState.VERIFYING)
    make_incident(state=IncidentState.CLOSED, closed_at=timezone.now())

    with django_assert_num_queries(len(few.captured_queries)):
        board = queries.access_board(coordinator)
        # what the row template reads: the town and the annotated counts
        assert [(i.town.name, i.photo_count) for i in board.open]
    assert len(board.open) == 50


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN])
def test_the_board_and_an_incident_refuse_other_roles(role: Role) -> None:
    incident = make_incident()
    outsider = make_staff(role)

    with pytest.raises(PermissionDenied):
        queries.access_board(outsider)
    with pytest.raises(PermissionDenied):
        queries.access_incident(outsider, incident.pk)
    with pytest.raises(PermissionDenied):
        queries.access_unplaced_reports(outsider)
    assert not AuditEvent.objects.filter(actor_id=outsider.pk).exists()


def test_reading_an_incident_is_audited_by_id_with_its_timeline_and_reports() -> None:
    operator = make_staff(Role.OPERATOR)
    incident = make_incident(reports=2)

    page = queries.access_incident(operator, incident.pk)

    assert page.incident == incident
    assert page.show_sealed
    assert [r.text for r in page.reports] == [
        "agents at the corner, report 0",
        "agents at the corner, report 1",
    ]
    event = AuditEvent.objects.get(action="incidents.incident_view")
    assert (event.actor_id, event.target_id) == (operator.pk, str(incident.pk))


def test_only_coordinators_get_merge_targets_from_the_same_town_first() -> None:
    hartford, bridgeport = make_town("Hartford"), make_town("Bridgeport", "41.18", "-73.19")
    incident = make_incident(town=hartford)
    elsewhere = make_incident(town=bridgeport, opened_minutes_ago=1)
    same_town = make_incident(town=hartford, opened_minutes_ago=30)
    make_incident(town=hartford, state=IncidentState.CLOSED)

    as_coordinator = queries.access_incident(make_staff(Role.COORDINATOR), incident.pk)
    as_operator = queries.access_incident(make_staff(Role.OPERATOR), incident.pk)

    assert as_coordinator.merge_targets == [same_town, elsewhere]
    assert as_operator.merge_targets == []


def test_an_unknown_incident_is_a_404() -> None:
    with pytest.raises(Http404):
        queries.access_incident(make_staff(Role.OPERATOR), "00000000-0000-0000-0000-000000000001")


def test_the_unplaced_list_is_oldest_first_and_audited() -> None:
    newer = make_report(None, received_at=timezone.now())
    older = make_report(None, received_at=timezone.now() - dt.timedelta(hours=1))
    make_report(make_incident())
    operator = make_staff(Role.OPERATOR)

    reports, total = queries.access_unplaced_reports(operator)

    assert (reports, total) == ([older, newer], 2)
    assert AuditEvent.objects.filter(action="incidents.unplaced_view", actor_id=operator.pk)


def test_a_placed_or_purged_report_cannot_be_placed_again() -> None:
    operator = make_staff(Role.OPERATOR)
    placed = make_report(make_incident())
    purged = make_report(None)
    purged.purged_at = timezone.now()
    purged.save(update_fields=["purged_at"])

    for report in (placed, purged):
        with pytest.raises(Http404):
            queries.report_for_placing(operator, report.pk)


def test_the_burst_flag_comes_from_the_trust_rule(monkeypatch) -> None:
    from amparo.incidents import trust

    monkeypatch.setattr(trust, "burst_of_new_numbers", lambda now: True)
    assert queries.board_rows().burst is True
    monkeypatch.setattr(trust, "burst_of_new_numbers", lambda now: False)
    assert queries.board_rows().burst is False
