"""Who may be offered an incident right now: one hand-written query, the hot path of dispatch.

:func:`offerable_rows` returns what
:func:`~amparo.dispatch.schedule.on_call_rows` returns for
``kind=FIELD, fields=_FACTS, where=_MAY_GO & box`` (a test compares the two on
both databases), but from SQL written here. Building that query with the ORM
(filters, a union, compiling) took about as long as running it: a third of
``propose_responders``'s time in ``amparo bench dispatch``. Values go in as
parameters, adapted by Django's own database operations, so the same text
runs on SQLite and PostgreSQL.

Each select searches its own index: today's weekly shifts by
``shift_weekly_start`` (kind, weekday, start), yesterday's overnight ones by
the partial index ``shift_overnight`` (kind, weekday, end; overnight rows
only), the one-off shifts by ``shift_once`` (kind, start) within the last week.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection

from amparo.dispatch.schedule import (
    DAY,
    MAX_ONE_OFF,
    network_zone,
    running_rows,
    wall_clock_bounds,
)

_COLUMNS = """
    s.weekday, CAST(s.start_time AS TEXT), CAST(s.end_time AS TEXT), s.responder_id,
    r.travel_radius_km, t.latitude, t.longitude, CAST(r.created_at AS TEXT)
"""
_FROM = """
    FROM dispatch_shift s
    JOIN dispatch_responder r ON r.id = s.responder_id
    LEFT JOIN accounts_user u ON u.id = r.user_id
    LEFT JOIN places_town t ON t.id = r.home_town_id
"""


@dataclass(frozen=True)
class Box:
    """Around an incident, the box a home town must be in: travel radius plus slack, in degrees.

    A degree of latitude is about 111 km, of longitude that times the cosine of
    the latitude (taken a degree nearer the pole, so that the box holds the
    whole circle).
    """

    latitude: float
    longitude: float
    slack_km: int

    @property
    def km_per_lat_degree(self) -> float:
        return 111.0

    @property
    def km_per_lon_degree(self) -> float:
        return 111.0 * max(math.cos(math.radians(abs(self.latitude) + 1)), 0.01)


def _may_go(skills: Collection[str], box: Box | None) -> tuple[str, list[Any]]:
    """Active, open account or none, a number to text, an offer skill, home town in the box."""
    sql = (
        "s.kind = %s AND r.active = %s AND (r.user_id IS NULL OR u.is_active = %s)"
        " AND r.contact_id IS NOT NULL AND ("
        + " OR ".join("CAST(r.skills AS TEXT) LIKE %s" for _ in skills)
        + ")"
    )
    # Skills are a JSON list of values: the quoted value matches that element only.
    params: list[Any] = ["field", True, True, *(f'%"{skill}"%' for skill in sorted(skills))]
    if box is not None:
        sql += (
            " AND (r.home_town_id IS NULL OR ("
            "t.latitude >= %s - ((r.travel_radius_km + %s) / %s)"
            " AND t.latitude <= %s + ((r.travel_radius_km + %s) / %s)"
            " AND t.longitude >= %s - ((r.travel_radius_km + %s) / %s)"
            " AND t.longitude <= %s + ((r.travel_radius_km + %s) / %s)))"
        )
        lat = [box.latitude, box.slack_km, box.km_per_lat_degree]
        lon = [box.longitude, box.slack_km, box.km_per_lon_degree]
        params += [*lat, *lat, *lon, *lon]
    return sql, params


def offerable_rows(
    at: dt.datetime,
    *,
    skills: Collection[str],
    box: Box | None,
) -> list[tuple[Any, ...]]:
    """``(responder id, travel radius km, home town latitude, longitude)`` on field shift at ``at``.

    Of responders who may go (see :func:`_may_go`), in roster order. ``box``:
    None for an incident with no place.
    """
    if at.tzinfo is None:
        raise ValueError("offerable_rows() needs a timezone-aware instant")
    ops = connection.ops
    local_day = at.astimezone(network_zone()).date()
    yesterday = local_day - DAY
    may_go, may_go_params = _may_go(skills, box)
    latest_start, earliest_end = wall_clock_bounds(at)

    today = "s.weekday = %s"
    today_params: list[Any] = [local_day.weekday()]
    overnight = "s.end_time <= s.start_time AND s.weekday = %s"
    overnight_params: list[Any] = [yesterday.weekday()]
    if latest_start is not None:
        today += " AND s.start_time <= %s"
        today_params.append(ops.adapt_timefield_value(latest_start))
    if earliest_end is not None:
        end = ops.adapt_timefield_value(earliest_end)
        today += " AND (s.end_time > %s OR s.end_time <= s.start_time)"
        today_params.append(end)
        overnight += " AND s.end_time > %s"
        overnight_params.append(end)
    moment = ops.adapt_datetimefield_value(at)
    sql = (
        f"SELECT {_COLUMNS} {_FROM} WHERE {may_go} AND (({today}) OR ({overnight}))"
        f" UNION ALL SELECT {_COLUMNS} {_FROM} WHERE {may_go}"
        " AND s.starts_at <= %s AND s.starts_at > %s AND s.ends_at > %s"
        " ORDER BY 8, 4"
    )
    params = [
        *may_go_params,
        *today_params,
        *overnight_params,
        *may_go_params,
        moment,
        ops.adapt_datetimefield_value(at - MAX_ONE_OFF),
        moment,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return running_rows(cursor.fetchall(), at)
