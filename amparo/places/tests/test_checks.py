from __future__ import annotations

from amparo.places.checks import region_is_state_codes


def test_a_region_of_state_codes_passes(settings) -> None:
    settings.AMPARO_REGION = "CT,RI"

    assert region_is_state_codes() == []


def test_a_region_that_is_not_state_codes_stops_the_start(settings) -> None:
    settings.AMPARO_REGION = "Connecticut"

    [error] = region_is_state_codes()

    assert error.id == "places.E001"
    assert "'CONNECTICUT' is not a two-letter state code" in error.msg
