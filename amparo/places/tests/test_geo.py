from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.places.geo import coarsen, distance_m

HARTFORD = (41.7658, -72.6734)
NEW_HAVEN = (41.3083, -72.9279)

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


def test_the_distance_from_hartford_to_new_haven_is_about_55_km() -> None:
    assert distance_m(*HARTFORD, *NEW_HAVEN) == pytest.approx(55_300, rel=0.01)


def test_one_hundredth_of_a_degree_of_latitude_is_about_1_1_km() -> None:
    assert distance_m(41.0, -72.0, 41.01, -72.0) == pytest.approx(1_112, rel=0.01)


def test_a_point_is_at_no_distance_from_itself() -> None:
    assert distance_m(*HARTFORD, *HARTFORD) == 0


def test_antipodes_are_half_the_earth_apart() -> None:
    assert distance_m(0, 0, 0, 180) == pytest.approx(math.pi * 6_371_008.8)


@given(latitudes, longitudes, latitudes, longitudes)
def test_distance_is_symmetric_and_never_negative(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    there = distance_m(lat1, lon1, lat2, lon2)

    assert there >= 0
    assert there == pytest.approx(distance_m(lat2, lon2, lat1, lon1), abs=1e-6)


def test_coarsen_rounds_to_a_hundredth_of_a_degree() -> None:
    assert coarsen(41.76583, -72.67349) == (Decimal("41.77"), Decimal("-72.67"))


def test_nearby_points_share_one_coarse_cell() -> None:
    assert coarsen(41.7651, -72.6749) == coarsen(41.7699, -72.6651)


@given(latitudes, longitudes)
def test_the_coarse_point_is_within_800_m_of_the_exact_one(lat: float, lon: float) -> None:
    coarse_lat, coarse_lon = coarsen(lat, lon)

    assert coarse_lat.as_tuple().exponent == -2
    assert abs(float(coarse_lat) - lat) <= 0.005 + 1e-9
    assert abs(float(coarse_lon) - lon) <= 0.005 + 1e-9
    assert distance_m(lat, lon, float(coarse_lat), float(coarse_lon)) < 800


def test_coarsen_refuses_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="finite"):
        coarsen(float("nan"), 0.0)
