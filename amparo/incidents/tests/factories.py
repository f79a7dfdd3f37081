"""Invented places, people and reports for the incidents-core tests.

Coordinates are near real Connecticut towns (public facts); every number is a
555-01xx number, every word invented.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.incidents.actions import submit_report
from amparo.incidents.models import Report
from amparo.places.actions import add_landmark, add_town
from amparo.places.lookup import PlaceMatch, locate
from amparo.places.models import Town, ZipCode

HARTFORD = (41.76370, -72.68510)
SCHOOL = (41.74660, -72.69250)  # a landmark in Hartford
SCHOOL_ZIP = (41.75000, -72.69000)  # about 450 m from the school
STAMFORD = (41.05340, -73.53870)

_phones = itertools.count(100)


def make_gazetteer() -> dict[str, Town]:
    """Hartford with a school landmark and a ZIP code, and Stamford far away with one."""
    hartford = add_town(
        name="Hartford", state="CT", latitude=Decimal("41.76370"), longitude=Decimal("-72.68510")
    )
    stamford = add_town(
        name="Stamford", state="CT", latitude=Decimal("41.05340"), longitude=Decimal("-73.53870")
    )
    add_landmark(
        name="Bulkeley High School",
        town=hartford,
        latitude=Decimal("41.74660"),
        longitude=Decimal("-72.69250"),
        aliases=["escuela Bulkeley", "escola Bulkeley", "lekòl Bulkeley"],
    )
    ZipCode.objects.create(
        code="06114", town=hartford, latitude=Decimal("41.75000"), longitude=Decimal("-72.69000")
    )
    ZipCode.objects.create(
        code="06901", town=stamford, latitude=Decimal("41.05340"), longitude=Decimal("-73.53870")
    )
    return {"Hartford": hartford, "Stamford": stamford}


def pin(latitude: float, longitude: float, town: Town | None = None) -> PlaceMatch:
    return PlaceMatch(town=town, latitude=latitude, longitude=longitude, precision="pin")


def new_contact() -> Contact:
    return find_or_create_contact(phone=f"+1860555{next(_phones) % 100 + 100:04d}")


def coordinator() -> User:
    return make_staff(Role.COORDINATOR, second_factor=False)


def operator() -> User:
    return make_staff(Role.OPERATOR, second_factor=False)


def texted(place: tuple[float, float] = SCHOOL, **fields: Any) -> Report:
    """A text from a new number, pinned at ``place`` (in the nearest town of the gazetteer)."""
    fields.setdefault("reporter", new_contact())
    fields.setdefault("text", "agents in vests at the corner")
    return submit_report(source="sms", place=locate(pin=place), **fields)
