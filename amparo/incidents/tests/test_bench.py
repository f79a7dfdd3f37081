from __future__ import annotations

import pytest

from amparo.core.bench import discover
from amparo.incidents.bench import bench_cluster
from amparo.incidents.models import Incident, Report

pytestmark = pytest.mark.django_db


def test_the_cluster_bench_is_registered_and_reports_its_figures_and_baselines() -> None:
    assert discover()["cluster"] is bench_cluster
    figures = bench_cluster(size=300)
    assert figures["size"] == 300
    assert Report.objects.count() == 300
    # some reports joined an incident already open, most opened their own
    assert 0 < figures["reports_joined_existing"] < 300
    assert figures["open_incidents_at_end"] == Incident.objects.count()
    for name in ("baseline_store_report", "lookup_only", "submit_report"):
        assert 0 < figures[f"{name}_p50_ms"] <= figures[f"{name}_p99_ms"]
