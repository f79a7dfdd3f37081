from __future__ import annotations

import pytest
from django.test import Client

from amparo.accounts import backends
from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.places.lookup import find_in_text
from amparo.places.models import Landmark, Town, ZipCode

pytestmark = pytest.mark.django_db

GAZETTEER_PERMISSIONS = frozenset(
    f"places.{verb}_{model}"
    for verb in ("view", "add", "change", "delete")
    for model in ("town", "zipcode", "landmark")
)


@pytest.fixture
def admin_client(client: Client) -> Client:
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


def test_a_landmark_added_in_the_admin_is_audited_and_found_at_once(
    admin_client: Client, hartford: Town
) -> None:
    response = admin_client.post(
        "/staff/admin/places/landmark/add/",
        {
            "name": "Hartford Public Library",
            "aliases": "biblioteca de Hartford, bibliyotèk Hartford",
            "town": hartford.pk,
            "latitude": "41.76400",
            "longitude": "-72.67500",
        },
    )

    assert response.status_code == 302
    landmark = Landmark.objects.get(name="Hartford Public Library")
    event = AuditEvent.objects.get(action="places.landmark_add")
    assert (event.target_type, event.target_id) == ("places.landmark", str(landmark.pk))
    match = find_in_text("migra cerca de la biblioteca de Hartford")
    assert match is not None
    assert (match.precision, match.latitude) == ("landmark", 41.764)


def test_a_zip_code_deleted_in_the_admin_is_audited(admin_client: Client, hartford: Town) -> None:
    zip_code = ZipCode.objects.get(code="06106")

    response = admin_client.post(
        f"/staff/admin/places/zipcode/{zip_code.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not ZipCode.objects.exists()
    assert AuditEvent.objects.filter(
        action="places.zipcode_delete", target_id=str(zip_code.pk)
    ).exists()
    assert find_in_text("ICE near 06106") is None


def test_the_admin_role_may_keep_the_whole_gazetteer() -> None:
    assert GAZETTEER_PERMISSIONS.issubset(backends.ROLE_PERMISSIONS[Role.ADMIN])
