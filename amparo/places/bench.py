"""``amparo bench places``: how long finding the place of a report takes.

Loads Connecticut's gazetteer and the demo landmarks into the benchmark's
throw-away database, then runs :func:`find_in_text` over ``size`` report texts
in English, Spanish, Portuguese and Haitian Creole (with typos, with and
without a place). Wall-clock and CPU percentiles: on a shared machine the
wall-clock tail is mostly waiting for a core. Each call includes the per-call freshness check of the
in-memory gazetteer (one small query). The baseline: splitting the same texts
into lower-case words and looking each up in a set of town names, the least a
place finder could do.
"""

from __future__ import annotations

import time
from typing import Any

from amparo.core.bench import percentile, register_bench
from amparo.places import lookup
from amparo.places.demo import load_demo_places
from amparo.places.models import Landmark, Town, ZipCode

TEXTS = [
    "hay agentes en la parada de Main St en Hartfrod",
    "Tem ICE perto da escola em Danbury, cuidado com as crianças",
    "Gen ajan ICE nan Stamford bò lekòl la, pa louvri pòt la",
    "ICE at the Walmart in New Britian, three agents in vests",
    "two white vans without plates on Farmington Ave 06106",
    "agentes de inmigración en la escuela Bulkeley ahora mismo",
    "Polisye ak ajan ICE yo devan legliz la nan Bridgeport",
    "hello, is this the hotline? my neighbor says agents are outside",
    "ICE in W Hartford near the library, 2 cars",
    "viaturas da imigração na rodoviária de Hartford agora",
    "they took someone at the Stamford train station",
    "migra en Waterbury, en la esquina de la tienda",
    "no sé dónde están, solo vi dos camionetas",
    "ajan yo nan East Hartfrod sou wout la",
    "ICE at Union Station in New Haven, no warrant shown",
    "Tem gente da imigração em Norwalk, batendo nas portas",
]


@register_bench("places")
def bench_places(size: int = 10_000) -> dict[str, Any]:
    load_demo_places()
    texts = [TEXTS[i % len(TEXTS)] for i in range(size)]

    lookup.forget_gazetteer()
    started = time.perf_counter()
    lookup.find_in_text(texts[0])
    cold_ms = (time.perf_counter() - started) * 1000

    latencies: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what a busy, shared machine does not inflate
    found = 0
    started = time.perf_counter()
    for text in texts:
        before, before_cpu = time.perf_counter(), time.thread_time()
        found += lookup.find_in_text(text) is not None
        cpu.append((time.thread_time() - before_cpu) * 1000)
        latencies.append((time.perf_counter() - before) * 1000)
    total_s = time.perf_counter() - started
    latencies.sort()
    cpu.sort()

    fingerprint_ms = []
    for _ in range(min(size, 2000)):
        before = time.perf_counter()
        lookup._fingerprint()
        fingerprint_ms.append((time.perf_counter() - before) * 1000)
    fingerprint_ms.sort()

    names = {name.lower() for name in Town.objects.values_list("name", flat=True)}
    baseline: list[float] = []
    for text in texts:
        before = time.perf_counter()
        _ = [word for word in text.lower().split() if word in names]
        baseline.append((time.perf_counter() - before) * 1000)
    baseline.sort()

    p50 = percentile(latencies, 0.5)
    return {
        "size": size,
        "towns": Town.objects.count(),
        "zip_codes": ZipCode.objects.count(),
        "landmarks": Landmark.objects.count(),
        "cold_build_ms": round(cold_ms, 1),
        "per_s": round(size / total_s),
        "p50_ms": round(p50, 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "max_ms": round(latencies[-1], 2),
        "cpu_p50_ms": round(percentile(cpu, 0.5), 3),
        "cpu_p99_ms": round(percentile(cpu, 0.99), 3),
        "freshness_check_p50_ms": round(percentile(fingerprint_ms, 0.5), 3),
        "found_fraction": round(found / size, 3),
        "baseline_p50_ms": round(percentile(baseline, 0.5), 4),
        "to_baseline_ratio": round(p50 / max(percentile(baseline, 0.5), 1e-6)),
        "goal_p99_ms": 2,
    }
