"""Rate limits: counted per caller and door, for the window only, and never by the raw key."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from amparo.core import ratelimit
from amparo.core.ratelimit import allow


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1_800_000_000.0]  # the start of a 60 s and of a 600 s window
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    return now


def hits(n: int, *, key: str = "198.51.100.7", scope: str = "report-web") -> list[bool]:
    return [allow(scope=scope, key=key, limit=3, window_seconds=60) for _ in range(n)]


def test_it_allows_up_to_the_limit_and_refuses_the_rest(clock: list[float]) -> None:
    assert hits(5) == [True, True, True, False, False]


def test_a_refused_caller_does_not_stop_another(clock: list[float]) -> None:
    hits(10, key="198.51.100.7")

    assert hits(3, key="203.0.113.9") == [True, True, True]


def test_the_same_caller_is_counted_apart_at_each_door(clock: list[float]) -> None:
    hits(10, scope="report-web")

    assert hits(1, scope="report-sms") == [True]


def test_a_new_window_starts_a_new_count(clock: list[float]) -> None:
    hits(10)
    clock[0] += 60

    assert hits(4) == [True, True, True, False]


def test_refused_hits_still_count_so_a_caller_who_keeps_trying_stays_refused(
    clock: list[float],
) -> None:
    hits(50)

    assert hits(1) == [False]


def test_the_cache_holds_no_raw_key(clock: list[float]) -> None:
    hits(1, key="198.51.100.7")

    stored = list(cache._cache.keys())  # type: ignore[attr-defined]
    assert len(stored) == 1
    assert "198.51.100.7" not in stored[0]


def test_a_counter_expires_with_its_window(clock: list[float]) -> None:
    hits(1)

    (expires_at,) = cache._expire_info.values()  # type: ignore[attr-defined]
    assert 0 < expires_at - time.time() <= 60


def test_it_refuses_a_limit_or_window_below_one() -> None:
    with pytest.raises(ValueError):
        allow(scope="report-web", key="x", limit=0, window_seconds=60)
    with pytest.raises(ValueError):
        allow(scope="report-web", key="x", limit=1, window_seconds=0)
