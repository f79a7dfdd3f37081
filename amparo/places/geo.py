"""Distances and coarse public locations."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG); the error against the ellipsoid is < 0.5 %

# A public location is rounded to 0.01 degree: about 1.1 km north-south and, at
# Connecticut's latitude (41-42 N), about 0.83 km east-west. That is enough to tell
# people which part of town to avoid, and too coarse to point at a house, a
# workplace or the person who reported it. The exact point stays sealed.
COARSE_STEP = Decimal("0.01")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees (haversine)."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def coarsen(lat: float, lon: float) -> tuple[Decimal, Decimal]:
    """The public, coarse version of a point: both coordinates rounded to 0.01 degree.

    Decimal with two places, as stored in ``Incident.coarse_latitude`` / ``coarse_longitude``.
    Every point of a ~1 km cell gives the same answer, so the coarse value says nothing
    finer than the cell.
    """
    return _round(lat), _round(lon)


def _round(value: float) -> Decimal:
    if not math.isfinite(value):
        raise ValueError("a coordinate must be a finite number")
    # str() first: Decimal(0.125) would carry the binary float's tail into the rounding.
    return Decimal(str(value)).quantize(COARSE_STEP, rounding=ROUND_HALF_EVEN)
