from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from amparo.places.models import Landmark, Town, ZipCode

pytestmark = pytest.mark.django_db


def test_landmark_names_are_its_name_then_its_aliases_without_blanks_or_repeats() -> None:
    landmark = Landmark(
        name="Bulkeley High School", aliases="Bulkeley, , escuela Bulkeley,Bulkeley"
    )

    assert landmark.names() == ["Bulkeley High School", "Bulkeley", "escuela Bulkeley"]


def test_a_zip_code_is_five_digits() -> None:
    town = Town.objects.create(name="Hartford", state="CT", latitude=41.76, longitude=-72.68)

    with pytest.raises(ValidationError):
        ZipCode(code="6106", town=town, latitude=41.75, longitude=-72.69).full_clean()
