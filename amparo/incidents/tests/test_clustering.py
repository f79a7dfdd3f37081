from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from amparo.incidents.actions import submit_report
from amparo.incidents.clustering import candidates, nearest_open_incident
from amparo.incidents.models import Incident, IncidentState
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
    import math

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


def test_the_lookup_takes_a_fixed_number_of_queries(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    make_gazetteer()
    for metres in (0, 300, 1500, 2500):
        texted(north_of(SCHOOL, metres))
    with django_assert_num_queries(1):
        found = nearest_open_incident(latitude=SCHOOL[0], longitude=SCHOOL[1], at=timezone.now())
    assert found is not None
    centroid = found.location
    assert distance_m(SCHOOL[0], SCHOOL[1], centroid["lat"], centroid["lon"]) < 1000


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
