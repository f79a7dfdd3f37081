from __future__ import annotations

import pytest

from amparo.places.demo import DEMO_LANDMARKS, load_demo_places
from amparo.places.geo import distance_m
from amparo.places.lookup import find_in_text
from amparo.places.models import Landmark, ZipCode

pytestmark = pytest.mark.django_db


def test_demo_places_load_twice_without_duplicates() -> None:
    load_demo_places()
    summary = load_demo_places()

    assert Landmark.objects.count() == len(DEMO_LANDMARKS)
    assert (
        summary == f"places: {ZipCode.objects.count()} ZIP codes, {len(DEMO_LANDMARKS)} landmarks"
    )


def test_every_demo_landmark_lies_within_8_km_of_its_town_and_is_found_by_name() -> None:
    load_demo_places()

    for landmark in Landmark.objects.select_related("town"):
        town = landmark.town
        metres = distance_m(
            float(landmark.latitude),
            float(landmark.longitude),
            float(town.latitude),
            float(town.longitude),
        )
        assert metres < 8_000, landmark
        match = find_in_text(f"ICE at {landmark.name} in {town.name}")
        assert match is not None
        assert (match.precision, match.town) == ("landmark", town), landmark
