from __future__ import annotations

from decimal import Decimal
from statistics import fmean

import pytest
import zipcodes

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.places.actions import (
    PlacesError,
    add_landmark,
    add_town,
    delete_place,
    load_region,
    region_states,
    save_place,
)
from amparo.places.models import Landmark, Town, ZipCode

pytestmark = pytest.mark.django_db


def active_ct_zips() -> list[dict]:
    return [row for row in zipcodes.filter_by(state="CT") if row["active"]]


def test_load_region_loads_every_active_connecticut_zip_code_and_its_town() -> None:
    loaded = load_region(states=["CT"])

    rows = active_ct_zips()
    assert loaded == len(rows) == ZipCode.objects.count()
    assert {row["city"] for row in rows} <= set(Town.objects.values_list("name", flat=True))
    hartford_06106 = ZipCode.objects.select_related("town").get(code="06106")
    assert (hartford_06106.town.name, hartford_06106.town.state) == ("Hartford", "CT")
    row = zipcodes.matching("06106")[0]
    assert (hartford_06106.latitude, hartford_06106.longitude) == (
        Decimal(row["lat"]),
        Decimal(row["long"]),
    )


def test_loading_twice_changes_nothing() -> None:
    load_region(states=["CT"])
    towns = list(Town.objects.values_list("pk", "name", "latitude", "longitude"))
    zip_codes = list(ZipCode.objects.values_list("pk", "code", "town_id", "latitude", "longitude"))

    load_region(states=["ct"])

    assert list(Town.objects.values_list("pk", "name", "latitude", "longitude")) == towns
    assert (
        list(ZipCode.objects.values_list("pk", "code", "town_id", "latitude", "longitude"))
        == zip_codes
    )


def test_loading_keeps_a_town_the_network_already_had_and_moves_it_to_its_centroid() -> None:
    hartford = add_town(name="Hartford", state="CT", latitude=Decimal(0), longitude=Decimal(0))

    load_region(states=["CT"])

    hartford.refresh_from_db()
    assert hartford.latitude != 0
    assert ZipCode.objects.filter(code="06106", town=hartford).exists()


def test_a_town_sits_at_the_mean_of_its_delivery_zip_codes() -> None:
    load_region(states=["CT"])

    rows = [
        r for r in active_ct_zips() if r["city"] == "Danbury" and r["zip_code_type"] == "STANDARD"
    ]
    danbury = Town.objects.get(state="CT", name="Danbury")
    assert len(rows) >= 2
    assert float(danbury.latitude) == pytest.approx(fmean(float(r["lat"]) for r in rows), abs=1e-5)
    assert float(danbury.longitude) == pytest.approx(
        fmean(float(r["long"]) for r in rows), abs=1e-5
    )


def test_other_names_the_post_office_accepts_become_towns_but_abbreviations_do_not() -> None:
    load_region(states=["CT"])

    names = set(Town.objects.values_list("name", flat=True))
    assert {"Vernon", "Union", "Killingly", "Storrs"} <= names
    assert not {"Stafford Spgs", "E Glastonbury", "West Hartfrd", "Silver Lane"} & names


def test_progress_is_reported_per_state() -> None:
    messages: list[str] = []

    load_region(states=["CT", "RI"], progress=messages.append)

    assert [message.split(":")[0] for message in messages] == ["CT", "RI"]
    assert "ZIP codes" in messages[0]
    assert Town.objects.filter(state="RI", name="Providence").exists()


def test_a_state_with_no_data_is_refused() -> None:
    with pytest.raises(PlacesError, match="no active ZIP code in ZZ"):
        load_region(states=["ZZ"])


@pytest.mark.parametrize(
    ("region", "states"),
    [("CT", ["CT"]), ("ct, ri", ["CT", "RI"]), ("CT,CT", ["CT"])],
)
def test_the_region_setting_takes_state_codes_separated_by_commas(
    region: str, states: list[str]
) -> None:
    assert region_states(region) == states


@pytest.mark.parametrize("region", ["Connecticut", "", " , "])
def test_a_region_that_is_not_state_codes_is_refused(region: str) -> None:
    with pytest.raises(PlacesError, match="AMPARO_REGION"):
        region_states(region)


def test_the_region_defaults_to_the_setting(settings) -> None:
    settings.AMPARO_REGION = "CT,MA"

    assert region_states() == ["CT", "MA"]


def test_add_landmark_updates_the_landmark_of_that_name_in_that_town() -> None:
    town = add_town(name="Hartford", state="CT", latitude=Decimal(41), longitude=Decimal(-72))

    add_landmark(name="Union Station", town=town, latitude=Decimal(1), longitude=Decimal(2))
    landmark = add_landmark(
        name="Union Station",
        town=town,
        latitude=Decimal("41.7686"),
        longitude=Decimal("-72.6819"),
        aliases=[" bus station ", "", "estación de autobuses"],
    )

    assert Landmark.objects.get() == landmark
    assert landmark.aliases == "bus station, estación de autobuses"
    assert landmark.names() == ["Union Station", "bus station", "estación de autobuses"]


def test_save_place_and_delete_place_audit_who_changed_the_gazetteer() -> None:
    admin = make_staff(Role.ADMIN, second_factor=False)
    town = Town(name="Hartford", state="CT", latitude=Decimal(41), longitude=Decimal(-72))

    save_place(place=town, by=admin)
    town.latitude = Decimal("41.76")
    save_place(place=town, by=admin)
    delete_place(place=town, by=admin)

    assert not Town.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="places.")
        .order_by("sequence")
        .values_list("action", "actor", "target_type")
    ) == [
        ("places.town_add", admin.pk, "places.town"),
        ("places.town_change", admin.pk, "places.town"),
        ("places.town_delete", admin.pk, "places.town"),
    ]
