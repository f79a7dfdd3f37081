from __future__ import annotations

from typing import Any

import pytest

from amparo.core.bench import discover
from amparo.dispatch import bench
from amparo.dispatch.models import Responder, Shift

pytestmark = pytest.mark.django_db


def test_the_dispatch_bench_is_registered_and_reports_its_figures_and_baselines(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(bench, "SAMPLES", 40)
    assert discover()["dispatch"] is bench.bench_dispatch

    figures = bench.bench_dispatch(size=300)

    assert figures["responders"] == Responder.objects.count() == 300
    assert figures["shifts"] == Shift.objects.count() == 1200
    assert Shift.objects.filter(weekday__isnull=True).exists()  # one-off shifts too
    assert figures["on_call_median"] > 0 and figures["proposed_per_incident_mean"] > 0
    for name in ("propose", "baseline_on_call", "baseline_on_call_ids"):
        assert 0 < figures[f"{name}_p50_ms"] <= figures[f"{name}_p99_ms"]
    # the bench's responders are sealed like the roster's: the name opens for its row
    responder = Responder.objects.first()
    assert responder is not None and responder.display_name.startswith("Invented Volunteer")
