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
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

from amparo.crypto.fields import EncryptedField
from amparo.incidents.models import OPEN_STATES, Incident
from amparo.places.geo import distance_m

METRES_PER_DEGREE_LATITUDE = 111_320.0
HALF_CELL = 0.005  # a coarse value lies within half a cell of the exact one
CELL_REACH = HALF_CELL * 1.001  # the same, with room for floating point
CELL = Decimal("0.01")

# The query of candidates() written out; a test checks both find the same rows.
CANDIDATES_SQL = (
    "SELECT id, coarse_latitude, coarse_longitude, location FROM incidents_incident"
    " WHERE state IN (%s, %s, %s)"
    " AND coarse_latitude BETWEEN %s AND %s"
    " AND coarse_longitude BETWEEN %s AND %s"
    " AND last_report_at >= %s"
    " ORDER BY last_report_at DESC"
)
INCIDENT_SQL = "SELECT * FROM incidents_incident WHERE id = %s"


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

    Call it inside a transaction: on PostgreSQL the chosen incident is locked
    (``FOR UPDATE``) before its counters are read, so two reports joining it at
    once both count; SQLite's writers already take turns. Should the chosen one
    have been closed or merged in the meantime, the report opens a new incident
    (a coordinator can merge). Of two incidents equally near (two placed only at
    the same town centre), the one reported to last wins.

    It runs on every report, so it is frugal: the query is the SQL of
    :func:`candidates` written out (building it through the ORM cost more than
    running it) and returns plain rows; candidates are then visited nearest
    coarse cell first, and a centroid is unsealed only while its cell could
    still hold something nearer than the best found. The chosen incident is
    loaded whole at the end.
    """
    radius = float(settings.AMPARO_CLUSTER_RADIUS_M)
    sql, params = _candidates_sql(latitude, longitude, at)
    connection = connections[router.db_for_write(Incident)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # newest last report first
    by_bound = sorted(
        (_cell_distance(latitude, longitude, float(row[1]), float(row[2])), recency, row)
        for recency, row in enumerate(rows)
    )
    best: tuple[float, int] | None = None
    chosen_id: Any = None
    for bound, recency, (raw_id, _lat, _lon, envelope) in by_bound:
        if bound > (best[0] if best else radius):
            break
        centroid = _open_location(connection, raw_id, envelope)
        if not centroid:
            continue
        distance = distance_m(latitude, longitude, float(centroid["lat"]), float(centroid["lon"]))
        if distance <= radius and (best is None or (distance, recency) < best):
            best, chosen_id = (distance, recency), raw_id
    if chosen_id is None:
        return None
    # A raw query again: a quarter of the cost of objects.get(pk=...) here.
    sql = INCIDENT_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    chosen = next(iter(Incident.objects.raw(sql, [chosen_id])))
    return chosen if chosen.state in OPEN_STATES else None


def _cell_distance(latitude: float, longitude: float, cell_lat: float, cell_lon: float) -> float:
    """The least distance from the point to any point that rounds to this coarse cell."""
    nearest_lat = min(max(latitude, cell_lat - CELL_REACH), cell_lat + CELL_REACH)
    nearest_lon = min(max(longitude, cell_lon - CELL_REACH), cell_lon + CELL_REACH)
    return distance_m(latitude, longitude, nearest_lat, nearest_lon)


def _open_location(connection: BaseDatabaseWrapper, raw_id: object, envelope: object) -> Any:
    """Unseal one candidate's centroid the way a loaded instance would."""
    field = Incident._meta.get_field("location")
    assert isinstance(field, EncryptedField)
    sealed = field.from_db_value(envelope, None, connection)
    if sealed is None:
        return None
    pk = Incident._meta.pk.to_python(raw_id)
    return Incident.from_db(connection.alias, ["id", "location"], [pk, sealed]).location


def _candidates_sql(latitude: float, longitude: float, at: dt.datetime) -> tuple[str, list[Any]]:
    connection = connections[router.db_for_write(Incident)]
    ops = connection.ops
    (lat_low, lat_high), (lon_low, lon_high) = _box(latitude, longitude)
    window = dt.timedelta(minutes=settings.AMPARO_CLUSTER_WINDOW_MINUTES)
    sql = CANDIDATES_SQL
    params: list[Any] = [str(state) for state in OPEN_STATES]
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
