"""Which open incident a located report belongs to (issue 4, part 3).

Two steps, so the cost stays flat however many incidents are open:

1. SQL narrows the candidates with the ``incident_open_near`` index: open
   state, a coarse location (rounded to 0.01 degree, public-safe, not sealed)
   in the box around the report that covers ``AMPARO_CLUSTER_RADIUS_M`` plus
   half a cell of rounding, and a last report within
   ``AMPARO_CLUSTER_WINDOW_MINUTES`` of this one;
2. Python unseals the exact centroids of those few candidates only and
   measures real distances; the nearest within the radius wins (ties: the one
   reported to most recently).

Two reports that arrive at the same instant at a new place may each open an
incident; a coordinator merges them. Locking a cell for every report would
slow every door for a rare duplicate that merging already handles.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.conf import settings
from django.db.models import QuerySet

from amparo.incidents.models import OPEN_STATES, Incident
from amparo.places.geo import distance_m

METRES_PER_DEGREE_LATITUDE = 111_320.0
HALF_CELL = 0.005  # a coarse value lies within half a cell of the exact one
CELL = Decimal("0.01")


def candidates(*, latitude: float, longitude: float, at: dt.datetime) -> QuerySet[Incident]:
    """Open incidents whose coarse cell and last report could be within reach of this report."""
    radius = float(settings.AMPARO_CLUSTER_RADIUS_M)
    window = dt.timedelta(minutes=settings.AMPARO_CLUSTER_WINDOW_MINUTES)
    reach_lat = radius / METRES_PER_DEGREE_LATITUDE + HALF_CELL
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    reach_lon = radius / (METRES_PER_DEGREE_LATITUDE * cos_lat) + HALF_CELL
    return Incident.objects.filter(
        state__in=OPEN_STATES,
        coarse_latitude__gte=_edge(latitude - reach_lat, ROUND_FLOOR),
        coarse_latitude__lte=_edge(latitude + reach_lat, ROUND_CEILING),
        coarse_longitude__gte=_edge(longitude - reach_lon, ROUND_FLOOR),
        coarse_longitude__lte=_edge(longitude + reach_lon, ROUND_CEILING),
        last_report_at__gte=at - window,
    )


def nearest_open_incident(*, latitude: float, longitude: float, at: dt.datetime) -> Incident | None:
    """The open incident nearest to the point within the radius and window, or None.

    Call it inside a transaction: on PostgreSQL the candidates are locked
    (``FOR UPDATE``) so two reports joining one incident at once count twice,
    not once; SQLite's writers already take turns.
    """
    radius = float(settings.AMPARO_CLUSTER_RADIUS_M)
    best: tuple[float, float] | None = None
    chosen: Incident | None = None
    nearby = candidates(latitude=latitude, longitude=longitude, at=at).select_for_update()
    for incident in nearby:
        centroid = incident.location
        if not centroid:
            continue
        distance = distance_m(latitude, longitude, float(centroid["lat"]), float(centroid["lon"]))
        if distance > radius:
            continue
        rank = (distance, -incident.last_report_at.timestamp())
        if best is None or rank < best:
            best, chosen = rank, incident
    return chosen


def _edge(value: float, rounding: str) -> Decimal:
    return Decimal(repr(value)).quantize(CELL, rounding=rounding)
