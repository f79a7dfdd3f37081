"""Start-up check: the region must be state codes, or every report's place look-up would fail."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from amparo.places.actions import PlacesError, region_states


@register()
def region_is_state_codes(**kwargs: Any) -> list[CheckMessage]:
    try:
        region_states()
    except PlacesError as exc:
        return [Error(str(exc), hint="For example AMPARO_REGION=CT", id="places.E001")]
    return []
