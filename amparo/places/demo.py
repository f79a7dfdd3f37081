"""Demo places: the region's gazetteer and a few Connecticut landmarks people name in reports.

The landmarks are real kinds of places in real towns; their coordinates are
plausible, not surveyed. Nothing here is about a person.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from amparo.places.actions import add_landmark, load_region, region_states
from amparo.places.models import Town

# (town, name, latitude, longitude, other names in en/es/pt/ht)
DEMO_LANDMARKS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        "Hartford",
        "Bulkeley High School",
        "41.74810",
        "-72.67420",
        ("Bulkeley", "escuela Bulkeley", "escola Bulkeley", "lekòl Bulkeley"),
    ),
    (
        "Hartford",
        "Union Station",
        "41.76860",
        "-72.68190",
        ("Hartford bus station", "estación de autobuses de Hartford", "rodoviária de Hartford"),
    ),
    (
        "Hartford",
        "Hartford Superior Court",
        "41.76120",
        "-72.68690",
        ("Hartford courthouse", "corte de Hartford", "tribunal de Hartford", "tribinal Hartford"),
    ),
    (
        "Newington",
        "Walmart Berlin Turnpike",
        "41.67720",
        "-72.71740",
        ("Walmart", "Walmart on Berlin Turnpike", "Walmart del Berlin Turnpike"),
    ),
    (
        "New Haven",
        "Union Station",
        "41.29750",
        "-72.92660",
        ("New Haven train station", "estación de tren de New Haven"),
    ),
    (
        "New Haven",
        "Fair Haven School",
        "41.31050",
        "-72.89440",
        ("escuela Fair Haven", "escola Fair Haven", "lekòl Fair Haven"),
    ),
    (
        "Stamford",
        "Stamford Transportation Center",
        "41.04660",
        "-73.54160",
        ("Stamford train station", "estación de Stamford", "estação de Stamford"),
    ),
    (
        "Bridgeport",
        "Bridgeport Superior Court",
        "41.17920",
        "-73.19180",
        ("Bridgeport courthouse", "corte de Bridgeport", "tribunal de Bridgeport"),
    ),
    (
        "Danbury",
        "Danbury Fair Mall",
        "41.39980",
        "-73.48660",
        ("Danbury Fair", "Danbury mall", "shopping de Danbury"),
    ),
]


@transaction.atomic
def load_demo_places() -> str:
    """Load the region's towns and ZIP codes (and Connecticut's), then the demo landmarks."""
    states = list(dict.fromkeys([*region_states(), "CT"]))
    zip_codes = load_region(states=states)
    for town_name, name, latitude, longitude, aliases in DEMO_LANDMARKS:
        add_landmark(
            name=name,
            town=Town.objects.get(state="CT", name=town_name),
            latitude=Decimal(latitude),
            longitude=Decimal(longitude),
            aliases=aliases,
        )
    return f"places: {zip_codes} ZIP codes, {len(DEMO_LANDMARKS)} landmarks"
