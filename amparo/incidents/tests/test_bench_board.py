"""``amparo bench board`` runs end to end at a small size and reports what it promises."""

from __future__ import annotations

import pytest

from amparo.incidents.bench_board import bench_board

pytestmark = pytest.mark.django_db


def test_the_board_bench_renders_every_open_incident_and_counts_its_queries() -> None:
    figures = bench_board(size=30, rounds=3)

    assert figures["rows_shown"] == 30
    assert 0 < figures["rows_queries"] < figures["board_queries"] < 20
    assert figures["board_p50_ms"] > 0 and figures["ping_p50_ms"] > 0
    assert figures["board_p99_ms"] >= figures["board_p50_ms"]
