"""``amparo bench board``: the triage board's server time with 500 open incidents.

Writes ``size`` (500) open incidents over 20 towns (mixed states, places,
report counts, some with someone taken, one report each, a photo on every
tenth), signs a coordinator in through Django's test client, and renders the
board ``rounds`` times: the full page (as a browser opens it) and the rows
fragment (what ``live_rows.js`` asks for every few seconds). Prints p50/p99 in
milliseconds and the number of SQL queries each costs.

The same-run baseline is the bare ``/healthz/ping`` view through the same
client and middleware: what any request costs before the board does anything.
Goal: the board's p99 under 300 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role
from amparo.core.bench import percentile, register_bench
from amparo.incidents.models import (
    Agency,
    Incident,
    PlaceKind,
    Report,
    ReportPhoto,
    ReportSource,
)
from amparo.incidents.queries import BOARD_STATES
from amparo.places.actions import add_town
from amparo.places.models import Town

TOWNS = 20
GOAL_MS = 300
# A 1x1 white PNG: the board only counts photos, it never shows them.
TINY_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def _towns() -> list[Town]:
    return [
        add_town(
            name=f"Bench Town {n}",
            state="CT",
            latitude=Decimal("41.30") + Decimal(n) / 100,
            longitude=Decimal("-72.90") + Decimal(n) / 100,
        )
        for n in range(TOWNS)
    ]


def seed_open_incidents(size: int, *, seed: int = 4) -> None:
    """``size`` open incidents like a busy day's, each with one report."""
    rng = random.Random(seed)  # noqa: S311 (fake data, not secrets)
    towns = _towns()
    now = timezone.now()
    incidents = []
    for n in range(size):
        opened = now - dt.timedelta(minutes=rng.uniform(0, 360))
        count = rng.choice([1, 1, 1, 2, 3, 5])
        incidents.append(
            Incident(
                state=rng.choice(BOARD_STATES),
                opened_at=opened,
                last_report_at=opened + dt.timedelta(minutes=rng.uniform(0, 30)),
                town=towns[n % TOWNS],
                coarse_latitude=towns[n % TOWNS].latitude.quantize(Decimal("0.01")),
                coarse_longitude=towns[n % TOWNS].longitude.quantize(Decimal("0.01")),
                place_kind=rng.choice(PlaceKind.values),
                agency=rng.choice(Agency.values),
                agents_max=rng.choice([None, 2, 4, 8]),
                someone_taken=rng.random() < 0.05,
                police_involved=rng.random() < 0.1,
                report_count=count,
                reporter_count=count,
            )
        )
    Incident.objects.bulk_create(incidents, batch_size=500)
    reports = [
        Report(
            incident=incident,
            source=ReportSource.SMS,
            received_at=incident.opened_at,
            text="two vans and agents in vests at the corner",
            town=incident.town,
        )
        for incident in incidents
    ]
    Report.objects.bulk_create(reports, batch_size=500)
    photos = [
        ReportPhoto(report=report, content_type="image/png", data=TINY_PNG, added_at=now)
        for report in reports[::10]
    ]
    ReportPhoto.objects.bulk_create(photos, batch_size=500)


def _timed(client: Client, url: str, rounds: int) -> tuple[list[float], list[float]]:
    """Sorted wall-clock and CPU milliseconds of ``rounds`` GETs of ``url``.

    CPU time is this process's: on a machine busy with other work it is the
    closer figure to what the request costs a server of its own.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return sorted(wall), sorted(cpu)


def _figures(name: str, times: tuple[list[float], list[float]]) -> dict[str, float]:
    wall, cpu = times
    return {
        f"{name}_p50_ms": round(percentile(wall, 0.5), 2),
        f"{name}_p99_ms": round(percentile(wall, 0.99), 2),
        f"{name}_cpu_p50_ms": round(percentile(cpu, 0.5), 2),
        f"{name}_cpu_p99_ms": round(percentile(cpu, 0.99), 2),
    }


@register_bench("board")
def bench_board(size: int = 500, rounds: int = 50) -> dict[str, Any]:
    # The test client speaks plain HTTP to "testserver" and signs in without a second factor.
    with override_settings(
        AMPARO_REQUIRE_MFA=False, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False
    ):
        seed_open_incidents(size)
        coordinator = create_staff_user(
            username=f"bench-coordinator-{uuid.uuid4().hex[:8]}",
            role=Role.COORDINATOR,
            password=None,
            by=None,
        )
        client = Client()
        client.force_login(coordinator)
        board, rows, ping = (
            reverse("incidents:board"),
            reverse("incidents:board_rows"),
            "/healthz/ping",
        )
        for url in (ping, board, rows):  # warm caches: templates, translations, connection
            _timed(client, url, 3)
        reset_queries()  # a full query log (9,000 entries) would count nothing
        with CaptureQueriesContext(connection) as page_queries:
            response = client.get(board)
        page_query_count = len(page_queries.captured_queries)  # read before the log is reset
        shown = response.content.decode().count('<tr class="state-')
        reset_queries()
        with CaptureQueriesContext(connection) as rows_queries:
            client.get(rows)
        rows_query_count = len(rows_queries.captured_queries)
        ping_times = _timed(client, ping, rounds)
        board_times = _timed(client, board, rounds)
        rows_times = _timed(client, rows, rounds)
    return {
        "incidents": size,
        "rows_shown": shown,
        "rounds": rounds,
        "board_queries": page_query_count,
        "rows_queries": rows_query_count,
        "board_kb": round(len(response.content) / 1024, 1),
        **_figures("board", board_times),
        **_figures("rows", rows_times),
        **_figures("ping", ping_times),
        "goal_ms": GOAL_MS,
        "within_goal": percentile(board_times[0], 0.99) < GOAL_MS,
    }
