"""``amparo bench cluster``: assigning reports to incidents with many incidents open.

Writes ``size`` (10,000) open incidents spread evenly over Connecticut, all
reported to within the clustering window, then submits ``size`` reports at
random points of the same area through :func:`submit_report` (store, seal,
cluster, update the incident, timeline, audit: everything a text costs) and
prints p50/p99 per report (wall time, and CPU time, which a busy machine's
scheduler does not inflate). At this density (about one open incident per 2 km²)
most reports find an incident within 1 km and join it; the rest open one.

Same-run baselines: storing the same report alone (sealed, no clustering, no
audit), and the clustering look-up alone (SQL candidates plus exact distances).
Goal: p99 < 10 ms per report.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.bench import _fake_phones
from amparo.core.bench import percentile, register_bench
from amparo.incidents.actions import submit_report
from amparo.incidents.clustering import nearest_open_incident
from amparo.incidents.models import OPEN_STATES, Incident, IncidentState, Report, ReportSource
from amparo.places import geo
from amparo.places.lookup import PlaceMatch

# Connecticut's bounding box, roughly.
SOUTH, NORTH, WEST, EAST = 41.0, 42.05, -73.7, -71.8
SOURCES = [ReportSource.SMS, ReportSource.WEB, ReportSource.OPERATOR]


def _point(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)


def _open_incidents(rng: random.Random, count: int, now: dt.datetime) -> None:
    rows = []
    for _ in range(count):
        latitude, longitude = _point(rng)
        coarse_latitude, coarse_longitude = geo.coarsen(latitude, longitude)
        at = now - dt.timedelta(minutes=rng.uniform(0, 60))
        rows.append(
            Incident(
                state=rng.choice([IncidentState.REPORTED, IncidentState.VERIFYING]),
                opened_at=at,
                last_report_at=at,
                expires_at=at + dt.timedelta(hours=6),
                coarse_latitude=coarse_latitude,
                coarse_longitude=coarse_longitude,
                location={"lat": latitude, "lon": longitude, "precision": "pin", "n": 1},
                report_count=1,
                reporter_count=1,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=500)


def _ms(samples: list[float], fraction: float) -> float:
    return round(percentile(samples, fraction), 3)


@register_bench("cluster")
def bench_cluster(size: int = 10_000) -> dict[str, Any]:
    rng = random.Random(4)  # noqa: S311 (a benchmark's layout, not a secret)
    now = timezone.now()
    _open_incidents(rng, size, now)
    contacts = [find_or_create_contact(phone=phone) for phone in _fake_phones(200)]
    points = [_point(rng) for _ in range(size)]

    stored: list[float] = []
    for index, (latitude, longitude) in enumerate(points[: min(size, 2000)]):
        tick = time.perf_counter()
        with transaction.atomic():
            Report(
                source=ReportSource.SMS,
                received_at=now,
                reporter=contacts[index % len(contacts)],
                text=f"Agents seen near the corner, report {index}",
                location={"lat": latitude, "lon": longitude, "precision": "pin"},
            ).save()
        stored.append((time.perf_counter() - tick) * 1000)
    Report.objects.all().delete()

    lookups: list[float] = []
    for latitude, longitude in points[: min(size, 2000)]:
        tick = time.perf_counter()
        with transaction.atomic():
            nearest_open_incident(latitude=latitude, longitude=longitude, at=now)
        lookups.append((time.perf_counter() - tick) * 1000)

    assigned: list[float] = []
    assigned_cpu: list[float] = []
    joined = 0
    for index, (latitude, longitude) in enumerate(points):
        source = SOURCES[index % len(SOURCES)]
        place = PlaceMatch(town=None, latitude=latitude, longitude=longitude, precision="pin")
        tick, cpu_tick = time.perf_counter(), time.process_time()
        report = submit_report(
            source=source,
            text=f"Agents seen near the corner, report {index}",
            place=place,
            reporter=contacts[index % len(contacts)] if source == ReportSource.SMS else None,
            received_at=now,
        )
        assigned.append((time.perf_counter() - tick) * 1000)
        assigned_cpu.append((time.process_time() - cpu_tick) * 1000)
        joined += report.incident is not None and report.incident.report_count > 1

    for samples in (stored, lookups, assigned, assigned_cpu):
        samples.sort()
    return {
        "size": size,
        "open_incidents_at_start": size,
        "open_incidents_at_end": Incident.objects.filter(state__in=OPEN_STATES).count(),
        "reports_joined_existing": joined,
        "baseline_store_report_p50_ms": _ms(stored, 0.5),
        "baseline_store_report_p99_ms": _ms(stored, 0.99),
        "lookup_only_p50_ms": _ms(lookups, 0.5),
        "lookup_only_p99_ms": _ms(lookups, 0.99),
        "submit_report_p50_ms": _ms(assigned, 0.5),
        "submit_report_p99_ms": _ms(assigned, 0.99),
        "submit_report_max_ms": round(assigned[-1], 3),
        # CPU time of this process only: what the code costs, without the waits of a
        # busy machine's scheduler (the database is SQLite in this process; on
        # PostgreSQL the server's share is not in it).
        "submit_report_cpu_p50_ms": _ms(assigned_cpu, 0.5),
        "submit_report_cpu_p99_ms": _ms(assigned_cpu, 0.99),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "goal_p99_ms": 10,
    }


# `amparo bench board` (the triage board's bench) lives beside this file; discovery
# imports only bench.py.
from amparo.incidents import bench_board  # noqa: E402, F401
