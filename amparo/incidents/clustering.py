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
from django.db import connections, router
from django.db.models import QuerySet

from amparo.incidents.models import OPEN_STATES, Incident
from amparo.places.geo import distance_m

METRES_PER_DEGREE_LATITUDE = 111_320.0
HALF_CELL = 0.005  # a coarse value lies within half a cell of the exact one
CELL = Decimal("0.01")

# The query of candidates() written out; a test checks both find the same rows.
CANDIDATES_SQL = (
    "SELECT id, location FROM incidents_incident"
    " WHERE state IN (%s, %s, %s)"
    " AND coarse_latitude BETWEEN %s AND %s"
    " AND coarse_longitude BETWEEN %s AND %s"
    " AND last_report_at >= %s"
    # newest last report first, so that of two equally near the most recent wins
    " ORDER BY last_report_at DESC"
)


def candidates(*, latitude: float, longitude: float, at: dt.datetime) -> QuerySet[Incident]:
    """Open incidents whose coarse cell and last report could be within reach of this report."""
    window = dt.timedelta(minutes=settings.AMPARO_CLUSTER_WINDOW_MINUTES)
    (lat_low, lat_high), (lon_low, lon_high) = _box(latitude, longitude)
    return Incident.objects.filter(
        state__in=OPEN_STATES,
        coarse_latitude__range=(lat_low, lat_high),
        coarse_longitude__range=(lon_low, lon_high),
        last_report_at__gte=at - window,
    )


def nearest_open_incident(*, latitude: float, longitude: float, at: dt.datetime) -> Incident | None:
    """The open incident nearest to the point within the radius and window, or None.

    Call it inside a transaction: on PostgreSQL the candidates are locked
    (``FOR UPDATE``) so two reports joining one incident at once both count;
    SQLite's writers already take turns.

    Runs on every report, so the query is the SQL of :func:`candidates` written
    out (building it through the ORM cost more than running it), and loads only
    the id and the sealed centroid of each candidate; the chosen incident is
    then loaded whole.
    """
    radius = float(settings.AMPARO_CLUSTER_RADIUS_M)
    best = math.inf
    chosen: Incident | None = None
    for incident in Incident.objects.raw(*_candidates_sql(latitude, longitude, at)):
        centroid = incident.location
        if not centroid:
            continue
        distance = distance_m(latitude, longitude, float(centroid["lat"]), float(centroid["lon"]))
        if distance <= radius and distance < best:
            best, chosen = distance, incident
    if chosen is None:
        return None
    return Incident.objects.get(pk=chosen.pk)


def _candidates_sql(latitude: float, longitude: float, at: dt.datetime) -> tuple[str, list[object]]:
    connection = connections[router.db_for_read(Incident)]
    ops = connection.ops
    (lat_low, lat_high), (lon_low, lon_high) = _box(latitude, longitude)
    window = dt.timedelta(minutes=settings.AMPARO_CLUSTER_WINDOW_MINUTES)
    sql = CANDIDATES_SQL
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    params: list[object] = [str(state) for state in OPEN_STATES]
    params += [ops.adapt_decimalfield_value(value, 7, 2) for value in (lat_low, lat_high)]
    params += [ops.adapt_decimalfield_value(value, 7, 2) for value in (lon_low, lon_high)]
    params.append(ops.adapt_datetimefield_value(at - window))
    return sql, params


def _box(
    latitude: float, longitude: float
) -> tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]:
    """The coarse values an incident within the radius can have: (lat range), (lon range)."""
    radius = float(settings.AMPARO_CLUSTER_RADIUS_M)
    reach_lat = radius / METRES_PER_DEGREE_LATITUDE + HALF_CELL
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    reach_lon = radius / (METRES_PER_DEGREE_LATITUDE * cos_lat) + HALF_CELL
    return (
        (_edge(latitude - reach_lat, ROUND_FLOOR), _edge(latitude + reach_lat, ROUND_CEILING)),
        (_edge(longitude - reach_lon, ROUND_FLOOR), _edge(longitude + reach_lon, ROUND_CEILING)),
    )


def _edge(value: float, rounding: str) -> Decimal:
    return Decimal(repr(value)).quantize(CELL, rounding=rounding)
