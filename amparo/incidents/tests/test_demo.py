from __future__ import annotations

from decimal import Decimal

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.incidents.demo import load_demo_incidents
from amparo.incidents.models import Incident, IncidentState, Report
from amparo.incidents.sweeps import expire_unverified
from amparo.places.actions import add_town
from amparo.places.models import ZipCode

pytestmark = pytest.mark.django_db

TOWNS = {
    "Hartford": ("41.76370", "-72.68510", "06103"),
    "New Haven": ("41.30810", "-72.92820", "06510"),
    "Danbury": ("41.39480", "-73.45400", "06810"),
    "Bridgeport": ("41.18650", "-73.19520", "06604"),
    "Stamford": ("41.05340", "-73.53870", "06901"),
}


def load_towns() -> None:
    for name, (latitude, longitude, code) in TOWNS.items():
        town = add_town(
            name=name, state="CT", latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
        ZipCode.objects.create(
            code=code, town=town, latitude=Decimal(latitude), longitude=Decimal(longitude)
        )


def test_the_demo_shows_every_state_of_an_incident_once() -> None:
    load_towns()
    make_staff(Role.OPERATOR, second_factor=False)
    make_staff(Role.COORDINATOR, second_factor=False)

    assert load_demo_incidents() == 10
    expire_unverified()

    states = {
        incident.town.name: incident.state for incident in Incident.objects.select_related("town")
    }
    assert states == {
        "Hartford": IncidentState.REPORTED,
        "New Haven": IncidentState.VERIFYING,
        "Danbury": IncidentState.CONFIRMED,
        "Bridgeport": IncidentState.FALSE_ALARM,
        "Stamford": IncidentState.UNCONFIRMED,
    }
    hartford = Incident.objects.get(town__name="Hartford")
    assert (hartford.report_count, hartford.reporter_count) == (4, 3)
    assert Incident.objects.get(town__name="New Haven").police_involved
    assert Report.objects.filter(incident=None).count() == 1
    assert load_demo_incidents() == 0  # once only


def test_without_a_gazetteer_the_demo_makes_no_reports() -> None:
    assert load_demo_incidents() == 0
    assert not Report.objects.exists()
