"""Writes of the gazetteer."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from amparo.places.models import Town


@transaction.atomic
def add_town(*, name: str, state: str, latitude: Decimal, longitude: Decimal) -> Town:
    """Add a town, or update the coordinates of a town already known by that name."""
    town, _ = Town.objects.update_or_create(
        state=state.upper(),
        name=name,
        defaults={"latitude": latitude, "longitude": longitude},
    )
    return town
