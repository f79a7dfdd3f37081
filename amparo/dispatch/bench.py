"""``amparo bench dispatch``: choosing responders for an incident in a large network.

Writes ``size`` (5,000) responders, each with a texting contact (sealed phone
and blind index, as the roster's actions write them), skills, a home town and,
for most, a sealed home point, and ``4 * size`` (20,000) shifts: weekly and
one-off, field and operator, as a network's roster holds them. Then asks
:func:`~amparo.dispatch.offers.propose_responders` who to offer incidents at
random places of Connecticut and random instants of the coming week, and
prints p50/p99 per incident.

Same-run baselines, for the same instants: who is on a field shift, without
skills, radius or distance, as ids (:func:`~amparo.dispatch.schedule.on_call_rows`,
the floor of any choice) and as responders with their contacts
(:func:`~amparo.dispatch.schedule.on_call`, what the hotline asks). CPU time
is printed too: on a busy machine the wall-clock p99 measures the scheduler
as much as the code. Goal: p99 < 50 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from amparo.contacts.bench import _fake_phones
from amparo.contacts.models import Contact, Language
from amparo.core.bench import percentile, register_bench
from amparo.dispatch.models import Responder, Shift, ShiftKind, Skill
from amparo.dispatch.offers import OFFER_SKILLS, propose_responders
from amparo.dispatch.schedule import on_call, on_call_rows
from amparo.incidents.models import Incident, IncidentState
from amparo.places import geo
from amparo.places.models import Town

# Connecticut's bounding box, roughly (as in amparo/incidents/bench.py).
SOUTH, NORTH, WEST, EAST = 41.0, 42.05, -73.7, -71.8
TOWNS = 60
INCIDENTS = 200
SAMPLES = 1000
SHIFTS_PER_RESPONDER = 4
SKILLS = list(Skill.values)
LANGUAGES = list(Language.values)


def _point(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(SOUTH, NORTH), rng.uniform(WEST, EAST)


def _towns(rng: random.Random) -> list[Town]:
    towns = []
    for index in range(TOWNS):
        latitude, longitude = _point(rng)
        towns.append(
            Town(
                name=f"Benchtown {index}",
                state="ZZ",
                latitude=Decimal(f"{latitude:.5f}"),
                longitude=Decimal(f"{longitude:.5f}"),
            )
        )
    return Town.objects.bulk_create(towns)


def _responders(rng: random.Random, size: int, towns: list[Town]) -> list[Responder]:
    # Sealed fields are sealed by each field's pre_save, which bulk_create calls too;
    # the primary keys are random UUIDs given before the insert, so each value is
    # bound to its row as a single save would bind it.
    contacts = Contact.objects.bulk_create(
        [Contact(phone=phone, language=rng.choice(LANGUAGES)) for phone in _fake_phones(size)],
        batch_size=500,
    )
    responders = []
    for index, contact in enumerate(contacts):
        town = rng.choice(towns)
        home = None
        if rng.random() < 0.8:
            # Near their town, within about 10 km.
            home = {
                "lat": float(town.latitude) + rng.uniform(-0.09, 0.09),
                "lon": float(town.longitude) + rng.uniform(-0.12, 0.12),
            }
        responders.append(
            Responder(
                display_name=f"Invented Volunteer {index}",
                # One in twenty is unreachable by text (staff without a number).
                contact=None if rng.random() < 0.05 else contact,
                skills=rng.sample(SKILLS, rng.randint(1, 3)),
                home_town=town if rng.random() < 0.95 else None,
                home_point=home,
                travel_radius_km=rng.choice([5, 10, 15, 25, 40]),
                active=rng.random() < 0.95,
            )
        )
    return Responder.objects.bulk_create(responders, batch_size=500)


def _shifts(rng: random.Random, responders: list[Responder], count: int, now: dt.datetime) -> None:
    shifts = []
    for index in range(count):
        responder = responders[index % len(responders)]
        kind = ShiftKind.FIELD if rng.random() < 0.75 else ShiftKind.OPERATOR
        hours = rng.choice([4, 6, 8, 12])
        if rng.random() < 0.7:
            start = dt.time(rng.randrange(24), rng.choice([0, 30]))
            end_minutes = (start.hour * 60 + start.minute + hours * 60) % (24 * 60)
            shifts.append(
                Shift(
                    responder=responder,
                    kind=kind,
                    weekday=rng.randrange(7),
                    start_time=start,
                    end_time=dt.time(end_minutes // 60, end_minutes % 60),
                )
            )
        else:
            starts = now + dt.timedelta(hours=rng.uniform(-14 * 24, 14 * 24))
            shifts.append(
                Shift(
                    responder=responder,
                    kind=kind,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=hours),
                )
            )
    Shift.objects.bulk_create(shifts, batch_size=1000)


def _incidents(rng: random.Random, towns: list[Town], now: dt.datetime) -> list[Incident]:
    rows = []
    for _ in range(INCIDENTS):
        latitude, longitude = _point(rng)
        coarse_latitude, coarse_longitude = geo.coarsen(latitude, longitude)
        nearest = min(
            towns,
            key=lambda t: geo.distance_m(
                latitude, longitude, float(t.latitude), float(t.longitude)
            ),
        )
        rows.append(
            Incident(
                state=IncidentState.REPORTED,
                town=nearest,
                opened_at=now,
                last_report_at=now,
                expires_at=now + dt.timedelta(hours=6),
                coarse_latitude=coarse_latitude,
                coarse_longitude=coarse_longitude,
                location={"lat": latitude, "lon": longitude, "precision": "pin", "n": 1},
                report_count=1,
                reporter_count=1,
            )
        )
    Incident.objects.bulk_create(rows, batch_size=500)
    # As the dispatch page loads them: the town with the incident, the place sealed.
    return list(Incident.objects.select_related("town").order_by("?"))


def _timed(samples: list[float], function: Any, *args: Any, **kwargs: Any) -> Any:
    tick = time.perf_counter()
    result = function(*args, **kwargs)
    samples.append((time.perf_counter() - tick) * 1000)
    return result


def _ms(samples: list[float], fraction: float) -> float:
    return round(percentile(sorted(samples), fraction), 3)


@register_bench("dispatch")
def bench_dispatch(size: int = 5000) -> dict[str, Any]:
    rng = random.Random(5)  # noqa: S311 (a benchmark's layout, not a secret)
    now = timezone.now()
    started = time.perf_counter()
    towns = _towns(rng)
    responders = _responders(rng, size, towns)
    _shifts(rng, responders, SHIFTS_PER_RESPONDER * size, now)
    incidents = _incidents(rng, towns, now)
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE would have.
        cursor.execute("ANALYZE")
    build_s = time.perf_counter() - started
    instants = [now + dt.timedelta(minutes=rng.uniform(0, 7 * 24 * 60)) for _ in range(SAMPLES)]

    proposed: list[float] = []
    proposed_cpu: list[float] = []
    found = 0
    for index, at in enumerate(instants):
        incident = incidents[index % len(incidents)]
        cpu_tick = time.process_time()
        found += len(_timed(proposed, propose_responders, incident, at=at, limit=10))
        proposed_cpu.append((time.process_time() - cpu_tick) * 1000)

    bare: list[float] = []
    rows: list[float] = []
    on_call_sizes = []
    for at in instants:
        on = _timed(bare, on_call, at, kind=ShiftKind.FIELD)
        on_call_sizes.append(len(on))
        _timed(rows, on_call_rows, at, kind=ShiftKind.FIELD)
    on_call_sizes.sort()
    candidates = sum(
        1
        for r in on_call(instants[0], kind=ShiftKind.FIELD)
        if r.contact_id and OFFER_SKILLS & set(r.skills)
    )

    return {
        "responders": size,
        "shifts": Shift.objects.count(),
        "incidents": len(incidents),
        "samples": SAMPLES,
        "build_s": round(build_s, 1),
        "on_call_median": on_call_sizes[len(on_call_sizes) // 2],
        "candidates_first_sample": candidates,
        "proposed_per_incident_mean": round(found / SAMPLES, 2),
        "propose_p50_ms": _ms(proposed, 0.5),
        "propose_p99_ms": _ms(proposed, 0.99),
        "propose_max_ms": round(max(proposed), 3),
        "propose_cpu_p50_ms": _ms(proposed_cpu, 0.5),
        "propose_cpu_p99_ms": _ms(proposed_cpu, 0.99),
        "baseline_on_call_p50_ms": _ms(bare, 0.5),
        "baseline_on_call_p99_ms": _ms(bare, 0.99),
        "baseline_on_call_ids_p50_ms": _ms(rows, 0.5),
        "baseline_on_call_ids_p99_ms": _ms(rows, 0.99),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "goal_p99_ms": 50,
    }
