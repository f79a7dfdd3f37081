from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from amparo.core.models import WorkerHeartbeat
from amparo.core.sweeps import purge_expired_sessions
from amparo.core.worker import Sweep, Worker, register_sweep, registered_sweeps

# The worker closes stale connections between loops, as it must in production;
# inside a test's wrapping transaction PostgreSQL would see that as closing the
# test's own connection, so these tests run with real commits.
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_each_due_sweep_and_beats() -> None:
    calls: list[str] = []
    worker = Worker(sweeps=[Sweep("a", lambda: calls.append("a") or 0, every=0)], idle_sleep=0)
    beats: list[int] = []

    original = worker._run_one

    def spy(sweep: Sweep) -> int:
        beats.append(WorkerHeartbeat.objects.filter(worker=worker.name).count())
        return original(sweep)

    worker._run_one = spy  # type: ignore[method-assign]
    worker.run(loops=3)
    assert calls == ["a", "a", "a"]
    assert beats == [1, 1, 1]


def test_a_clean_stop_removes_its_heartbeat() -> None:
    worker = Worker(sweeps=[])
    worker.run(loops=1)
    assert not WorkerHeartbeat.objects.filter(worker=worker.name).exists()


def test_a_failing_sweep_does_not_stop_the_others() -> None:
    done: list[str] = []

    def broken() -> int:
        raise RuntimeError("boom")

    worker = Worker(
        sweeps=[Sweep("broken", broken, every=0), Sweep("fine", lambda: done.append("x") or 0, 0)],
        idle_sleep=0,
    )
    worker.run(loops=2)
    assert done == ["x", "x"]
    assert worker.runs == {"fine": 2}


def test_a_sweep_that_found_work_runs_again_before_its_interval() -> None:
    backlog = [3]

    def drain() -> int:
        if backlog[0] == 0:
            return 0
        backlog[0] -= 1
        return 1

    worker = Worker(sweeps=[Sweep("drain", drain, every=3600)], idle_sleep=0)
    worker.run(loops=5)
    assert backlog == [0]
    assert worker.runs["drain"] == 4  # three with work, then one that found none


def test_an_idle_sweep_waits_for_its_interval() -> None:
    worker = Worker(sweeps=[Sweep("slow", lambda: 0, every=3600)], idle_sleep=0)
    worker.run(loops=4)
    assert worker.runs["slow"] == 1


def test_setting_stop_ends_the_loop_from_another_thread() -> None:
    worker = Worker(sweeps=[Sweep("idle", lambda: 0, every=0.01)], idle_sleep=0.01)
    thread = threading.Thread(target=worker.run)
    thread.start()
    worker.stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_registering_a_second_function_under_one_name_is_refused() -> None:
    @register_sweep("test.unique", every=1)
    def first() -> int:
        return 0

    with pytest.raises(ValueError, match="already registered"):

        @register_sweep("test.unique", every=1)
        def second() -> int:
            return 0


def test_the_session_purge_is_registered_and_deletes_only_expired_sessions() -> None:
    assert "sessions.purge_expired" in {sweep.name for sweep in registered_sweeps()}
    for _ in range(2):
        store = SessionStore()
        store["k"] = "v"
        store.create()
    live = SessionStore()
    live.create()
    Session.objects.exclude(session_key=live.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1)
    )
    assert purge_expired_sessions() == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
