from __future__ import annotations

import datetime as dt
import math
import random
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from amparo.incidents.actions import submit_report
from amparo.incidents.clustering import _candidates_sql, candidates, nearest_open_incident
from amparo.incidents.models import OPEN_STATES, Incident, IncidentState
from amparo.incidents.tests.factories import (
    SCHOOL,
    STAMFORD,
    make_gazetteer,
    new_contact,
    operator,
    texted,
)
from amparo.places.geo import distance_m
from amparo.places.lookup import locate

pytestmark = pytest.mark.django_db


def north_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + metres / 111_320, point[1]


def east_of(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0], point[1] + metres / (111_320 * math.cos(math.radians(point[0])))


def test_a_text_a_web_report_and_an_operator_report_about_one_place_make_one_incident() -> None:
    towns = make_gazetteer()
    now = timezone.now()
    sms = submit_report(
        source="sms",
        text="hay agentes de ICE en la escuela Bulkeley ahora, dos camionetas",
        reporter=new_contact(),
        language="es",
        received_at=now - dt.timedelta(minutes=40),
    )
    web = submit_report(
        source="web",
        where="parking lot behind the school",
        place=locate(zip_code="06114", town="Hartford"),
        agency="ice",
        received_at=now - dt.timedelta(minutes=25),
    )
    call = submit_report(
        source="operator",
        text="Caller sees six agents at the school entrance",
        place=locate(pin=(41.7470, -72.6920)),
        agency="ice",
        agents_count=6,
        taken_by=operator(),
        received_at=now,
    )
    elsewhere = submit_report(source="sms", text="ICE en Stamford", reporter=new_contact())

    assert sms.incident is not None
    assert web.incident == sms.incident and call.incident == sms.incident
    assert elsewhere.incident is not None and elsewhere.incident != sms.incident
    incident = Incident.objects.get(pk=sms.incident.pk)
    assert incident.report_count == 3
    # the texter's number and the operator's caller; the anonymous web form does not count
    assert incident.reporter_count == 2
    assert incident.town == towns["Hartford"]
    assert incident.agency == "ice" and incident.agents_max == 6
    assert incident.location["precision"] == "pin"  # the most precise place wins
    assert elsewhere.incident.town == towns["Stamford"]
    assert Incident.objects.count() == 2


def test_a_report_just_inside_the_radius_joins_and_one_just_outside_opens_another() -> None:
    make_gazetteer()
    first = texted(SCHOOL)
    near = texted(north_of(SCHOOL, 950))
    far = texted(east_of(SCHOOL, 1100))
    assert near.incident == first.incident
    assert far.incident != first.incident


@override_settings(AMPARO_CLUSTER_RADIUS_M=3000)
def test_the_radius_is_a_setting_and_the_cell_search_widens_with_it() -> None:
    make_gazetteer()
    first = texted(SCHOOL)
    assert texted(north_of(SCHOOL, 2900)).incident == first.incident
    other = texted(STAMFORD)
    assert texted(east_of(STAMFORD, 2900)).incident == other.incident


def test_a_report_after_the_window_opens_a_new_incident() -> None:
    make_gazetteer()
    first = texted(SCHOOL, received_at=timezone.now() - dt.timedelta(minutes=130))
    later = texted(SCHOOL)
    assert later.incident != first.incident


def test_the_window_counts_from_the_incidents_last_report() -> None:
    make_gazetteer()
    now = timezone.now()
    first = texted(SCHOOL, received_at=now - dt.timedelta(minutes=200))
    texted(SCHOOL, received_at=now - dt.timedelta(minutes=100))
    assert texted(SCHOOL, received_at=now).incident == first.incident


def test_the_nearest_open_incident_wins() -> None:
    make_gazetteer()
    west = texted(east_of(SCHOOL, -700)).incident
    east = texted(east_of(SCHOOL, 700)).incident
    assert west != east
    assert texted(east_of(SCHOOL, 200)).incident == east
    assert texted(east_of(SCHOOL, -200)).incident == west


@pytest.mark.parametrize(
    "state", [IncidentState.FALSE_ALARM, IncidentState.UNCONFIRMED, IncidentState.CLOSED]
)
def test_a_report_never_joins_an_incident_that_is_not_open(state: str) -> None:
    make_gazetteer()
    first = texted(SCHOOL)
    Incident.objects.filter(pk=first.incident_id).update(state=state)
    assert texted(SCHOOL).incident != first.incident


def test_a_confirmed_incident_still_gathers_reports() -> None:
    make_gazetteer()
    first = texted(SCHOOL)
    Incident.objects.filter(pk=first.incident_id).update(state=IncidentState.CONFIRMED)
    assert texted(SCHOOL).incident == first.incident


def test_candidates_are_narrowed_in_sql_to_the_neighbourhood() -> None:
    make_gazetteer()
    here = texted(SCHOOL).incident
    texted(STAMFORD)
    texted(north_of(SCHOOL, 5000))
    found = list(candidates(latitude=SCHOOL[0], longitude=SCHOOL[1], at=timezone.now()))
    assert found == [here]


def test_the_lookup_takes_one_query_and_one_more_to_load_the_incident_it_picks(
    django_assert_num_queries: Any,
) -> None:
    make_gazetteer()
    for metres in (0, 300, 1500, 2500, 4000):
        texted(north_of(SCHOOL, metres))
    with transaction.atomic(), django_assert_num_queries(2):
        found = nearest_open_incident(latitude=SCHOOL[0], longitude=SCHOOL[1], at=timezone.now())
    assert found is not None and found.report_count == 2
    with transaction.atomic(), django_assert_num_queries(1):
        assert (
            nearest_open_incident(latitude=STAMFORD[0], longitude=STAMFORD[1], at=timezone.now())
            is None
        )


def test_the_written_out_query_finds_what_the_orm_query_finds_and_picks_the_true_nearest() -> None:
    make_gazetteer()
    rng = random.Random(7)
    now = timezone.now()
    for _ in range(60):
        point = (SCHOOL[0] + rng.uniform(-0.03, 0.03), SCHOOL[1] + rng.uniform(-0.04, 0.04))
        texted(point, received_at=now - dt.timedelta(minutes=rng.uniform(0, 200)))
    Incident.objects.filter(pk__in=list(Incident.objects.values_list("pk", flat=True)[:10])).update(
        state=IncidentState.FALSE_ALARM
    )
    for _ in range(40):
        here = (SCHOOL[0] + rng.uniform(-0.03, 0.03), SCHOOL[1] + rng.uniform(-0.04, 0.04))
        orm = set(candidates(latitude=here[0], longitude=here[1], at=now))
        with transaction.atomic():
            raw = set(Incident.objects.raw(*_candidates_sql(here[0], here[1], now)))
            found = nearest_open_incident(latitude=here[0], longitude=here[1], at=now)
        assert raw == orm
        in_reach = [
            (distance_m(*here, i.location["lat"], i.location["lon"]), i)
            for i in Incident.objects.filter(
                state__in=OPEN_STATES, last_report_at__gte=now - dt.timedelta(minutes=120)
            )
        ]
        in_reach = [(d, i) for d, i in in_reach if d <= 1000]
        expected = min(in_reach, key=lambda pair: pair[0])[1] if in_reach else None
        assert found == expected


def test_a_report_whose_place_is_unknown_waits_without_an_incident() -> None:
    make_gazetteer()
    report = submit_report(source="sms", text="they are here now", reporter=new_contact())
    assert report.incident is None and report.location is None
    assert Incident.objects.count() == 0


def test_a_town_only_report_is_placed_at_the_town() -> None:
    towns = make_gazetteer()
    report = submit_report(source="web", text="vans outside", town=towns["Hartford"])
    assert report.incident is not None
    assert report.location["precision"] == "town"
    assert report.incident.town == towns["Hartford"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_reports_joining_one_incident_at_once_all_count() -> None:
    make_gazetteer()
    first = texted(SCHOOL)
    contacts = [new_contact() for _ in range(8)]
    errors: list[BaseException] = []

    def report_from(contact: Any) -> None:
        try:
            texted(north_of(SCHOOL, 100), reporter=contact)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=report_from, args=(c,)) for c in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    incident = Incident.objects.get(pk=first.incident_id)
    assert (incident.report_count, incident.reporter_count) == (9, 9)
    assert Incident.objects.count() == 1
