from __future__ import annotations

import pytest
from django.test import Client

from amparo.accounts import backends
from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.places.models import Landmark, Town, ZipCode

pytestmark = pytest.mark.django_db

GAZETTEER_PERMISSIONS = frozenset(
    f"places.{verb}_{model}"
    for verb in ("view", "add", "change", "delete")
    for model in ("town", "zipcode", "landmark")
)


@pytest.fixture
def admin_client(client: Client, monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setitem(backends.ROLE_PERMISSIONS, Role.ADMIN, GAZETTEER_PERMISSIONS)
    client.force_login(make_staff(Role.ADMIN))
    return client


@pytest.fixture
def hartford() -> Town:
    town = Town.objects.create(name="Hartford", state="CT", latitude=41.76, longitude=-72.68)
    ZipCode.objects.create(code="06106", town=town, latitude=41.75, longitude=-72.69)
    Landmark.objects.create(
        name="Union Station", aliases="bus station", town=town, latitude=41.77, longitude=-72.68
    )
    return town


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/staff/admin/places/town/", "Hartford"),
        ("/staff/admin/places/zipcode/", "06106"),
        ("/staff/admin/places/landmark/", "Union Station"),
        ("/staff/admin/places/landmark/?q=bus", "Union Station"),
        ("/staff/admin/places/zipcode/?q=hartford", "06106"),
    ],
)
def test_the_gazetteer_is_listed_in_the_admin(
    admin_client: Client, hartford: Town, url: str, shown: str
) -> None:
    response = admin_client.get(url)

    assert response.status_code == 200
    assert shown in response.content.decode()


def test_an_operator_cannot_open_the_gazetteer_admin(client: Client, hartford: Town) -> None:
    client.force_login(make_staff(Role.OPERATOR))

    response = client.get("/staff/admin/places/landmark/")

    assert response.status_code in (302, 403)
