from __future__ import annotations

import pytest

from amparo.places.bench import TEXTS, bench_places

pytestmark = pytest.mark.django_db


def test_the_places_benchmark_finds_most_places_and_prints_its_figures() -> None:
    figures = bench_places(size=len(TEXTS))

    assert figures["towns"] > 250
    assert figures["landmarks"] > 0
    assert figures["found_fraction"] >= 0.8
    assert figures["p50_ms"] > 0
    assert {"p99_ms", "cpu_p99_ms", "baseline_p50_ms", "cold_build_ms"} <= set(figures)
