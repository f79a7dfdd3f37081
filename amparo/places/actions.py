"""Writes of the gazetteer."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import fmean
from typing import TYPE_CHECKING

from django.db import transaction
from rapidfuzz import fuzz

from amparo.audit.actions import record_event
from amparo.places.models import Landmark, Town, ZipCode

if TYPE_CHECKING:
    from amparo.accounts.models import User

Place = Town | ZipCode | Landmark

COORDINATE_STEP = Decimal("0.00001")  # the models' five decimal places (about 1 m)

# USPS "acceptable" city names that are abbreviations of the ZIP's own city
# ("E Glastonbury", "Stafford Spgs") would only add noise; names unlike it
# ("Vernon", "Union", "Killingly", "Storrs") are real towns and villages people use.
_ABBREVIATED_WORDS = frozenset({"cor", "ctr", "dt", "hl", "rd", "st"})
_STREET_WORDS = frozenset({"lane", "road", "street", "avenue"})  # "Silver Lane": a street
_SAME_NAME_SCORE = 80


class PlacesError(Exception):
    """A request the gazetteer cannot serve; the message says why."""


@dataclass
class _TownDraft:
    points: list[tuple[float, float]] = field(default_factory=list)

    def centroid(self) -> tuple[Decimal, Decimal]:
        return (
            _coordinate(fmean(lat for lat, _ in self.points)),
            _coordinate(fmean(lon for _, lon in self.points)),
        )


@transaction.atomic
def add_town(*, name: str, state: str, latitude: Decimal, longitude: Decimal) -> Town:
    """Add a town, or update the coordinates of a town already known by that name."""
    town, _ = Town.objects.update_or_create(
        state=state.upper(),
        name=name,
        defaults={"latitude": latitude, "longitude": longitude},
    )
    return town


@transaction.atomic
def add_landmark(
    *, name: str, town: Town, latitude: Decimal, longitude: Decimal, aliases: Iterable[str] = ()
) -> Landmark:
    """Add a landmark, or update the one of that name in that town. Aliases: other names."""
    landmark, _ = Landmark.objects.update_or_create(
        town=town,
        name=name.strip(),
        defaults={
            "latitude": latitude,
            "longitude": longitude,
            "aliases": ", ".join(alias.strip() for alias in aliases if alias.strip()),
        },
    )
    return landmark


@transaction.atomic
def save_place(*, place: Place, by: User) -> None:
    """Save a staff member's edit of a town, ZIP code or landmark (the admin's), audited."""
    created = place.pk is None
    place.save()
    verb = "add" if created else "change"
    record_event(actor=by, action=f"places.{place._meta.model_name}_{verb}", target=place)


@transaction.atomic
def delete_place(*, place: Place, by: User) -> None:
    """Delete a town, ZIP code or landmark (a town takes its ZIP codes and landmarks along)."""
    record_event(actor=by, action=f"places.{place._meta.model_name}_delete", target=place)
    place.delete()


def region_states(region: str | None = None) -> list[str]:
    """The two-letter states of ``region``: settings.AMPARO_REGION by default ("CT", "CT,RI")."""
    if region is None:
        from django.conf import settings

        region = settings.AMPARO_REGION
    states = [part.strip().upper() for part in region.split(",") if part.strip()]
    for state in states:
        if not re.fullmatch(r"[A-Z]{2}", state):
            raise PlacesError(
                f"{state!r} is not a two-letter state code; AMPARO_REGION takes codes "
                "separated by commas, like CT or CT,RI"
            )
    if not states:
        raise PlacesError("AMPARO_REGION names no state; set it to a code like CT")
    return list(dict.fromkeys(states))


def load_region(*, states: list[str], progress: Callable[[str], None] | None = None) -> int:
    """Load the towns and ZIP centroids of ``states`` from the ``zipcodes`` package.

    Towns are the ZIP codes' city names (and the other names the Postal Service
    accepts for them, when they are real places rather than abbreviations); a
    town's point is the mean of its ZIP centroids. Only active ZIP codes are
    loaded. Running it again updates the same rows: no duplicates. Returns the
    number of ZIP codes loaded.
    """
    import zipcodes

    report = progress or (lambda message: None)
    total = 0
    for state in region_states(",".join(states)):
        rows = [
            row
            for row in zipcodes.filter_by(state=state)
            if row.get("active") and row.get("lat") and row.get("long")
        ]
        if not rows:
            raise PlacesError(f"the zipcodes package knows no active ZIP code in {state}")
        towns, zips = _load_state(state, rows)
        total += zips
        report(f"{state}: {towns} towns, {zips} ZIP codes")
    return total


@transaction.atomic
def _load_state(state: str, rows: list[dict]) -> tuple[int, int]:
    by_city: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_city[row["city"]].append(row)
    # PO box and single-company ZIP codes sit at one building; a town's centre is
    # better drawn from its delivery areas when it has any.
    drafts = {
        city: _TownDraft(
            [_point(row) for row in [r for r in city_rows if _delivers(r)] or city_rows]
        )
        for city, city_rows in by_city.items()
    }
    primary_names = set(drafts)
    for name, draft in _other_town_names(rows, primary_names).items():
        drafts[name] = draft

    Town.objects.bulk_create(
        [
            Town(name=name, state=state, latitude=latitude, longitude=longitude)
            for name, draft in sorted(drafts.items())
            for latitude, longitude in [draft.centroid()]
        ],
        update_conflicts=True,
        unique_fields=["state", "name"],
        update_fields=["latitude", "longitude", "updated_at"],
    )
    town_ids = dict(
        Town.objects.filter(state=state, name__in=primary_names).values_list("name", "pk")
    )
    ZipCode.objects.bulk_create(
        [
            ZipCode(
                code=row["zip_code"],
                town_id=town_ids[row["city"]],
                latitude=_coordinate(float(row["lat"])),
                longitude=_coordinate(float(row["long"])),
            )
            for row in sorted(rows, key=lambda row: row["zip_code"])
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["town", "latitude", "longitude", "updated_at"],
    )
    return len(drafts), len(rows)


def _other_town_names(rows: list[dict], primary_names: set[str]) -> dict[str, _TownDraft]:
    drafts: dict[str, _TownDraft] = defaultdict(_TownDraft)
    for row in rows:
        for name in row.get("acceptable_cities") or ():
            if name in primary_names or not _is_full_name(name):
                continue
            if any(
                fuzz.ratio(name.lower(), city.lower()) >= _SAME_NAME_SCORE for city in primary_names
            ):
                continue  # "West Hartfrd": a spelling of a town already loaded
            drafts[name].points.append(_point(row))
    return drafts


def _point(row: dict) -> tuple[float, float]:
    return float(row["lat"]), float(row["long"])


def _delivers(row: dict) -> bool:
    return row.get("zip_code_type") == "STANDARD"


def _is_full_name(name: str) -> bool:
    words = name.lower().split()
    return (
        bool(words)
        and words[-1] not in _STREET_WORDS
        and all(
            len(word) > 1 and word not in _ABBREVIATED_WORDS and re.search("[aeiou]", word)
            for word in words
        )
    )


def _coordinate(value: float) -> Decimal:
    return Decimal(str(value)).quantize(COORDINATE_STEP)
