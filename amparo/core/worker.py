"""The background worker: a loop of sweeps over state (DESIGN.md "Background work").

A sweep is a function that finds due work from rows (``due_at``, ``status``,
``lease_until``), does it, and returns how many items it handled. Sweeps must
be idempotent and safe to run twice at once, so a killed worker loses nothing
and several workers may run (on PostgreSQL they claim rows with
``SELECT ... FOR UPDATE SKIP LOCKED``).

Apps register sweeps at import time of their ``sweeps.py`` module, which their
``AppConfig.ready`` imports::

    @register_sweep("outbox.send", every=1.0)
    def send_due_messages() -> int: ...
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.utils import timezone

from amparo.core.actions import forget_heartbeat, record_heartbeat

log = logging.getLogger("amparo.worker")

SweepFunction = Callable[[], int]


@dataclass(frozen=True)
class Sweep:
    name: str
    function: SweepFunction
    every: float


_registry: dict[str, Sweep] = {}


def register_sweep(name: str, *, every: float) -> Callable[[SweepFunction], SweepFunction]:
    """Register ``function`` to run every ``every`` seconds in ``amparo worker``."""

    def decorator(function: SweepFunction) -> SweepFunction:
        if name in _registry and _registry[name].function is not function:
            raise ValueError(f"a sweep named {name!r} is already registered")
        _registry[name] = Sweep(name=name, function=function, every=every)
        return function

    return decorator


def registered_sweeps() -> list[Sweep]:
    return sorted(_registry.values(), key=lambda sweep: sweep.name)


@dataclass
class Worker:
    """Runs the registered sweeps until ``stop`` is set; beats every ``beat_every`` seconds."""

    sweeps: list[Sweep]
    beat_every: float = 5.0
    idle_sleep: float = 0.2
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stop: threading.Event = field(default_factory=threading.Event)
    runs: dict[str, int] = field(default_factory=dict)

    def run(self, *, loops: int | None = None) -> None:
        started_at = timezone.now()
        next_due = dict.fromkeys((sweep.name for sweep in self.sweeps), 0.0)
        next_beat = 0.0
        done = 0
        log.info("worker %s started with sweeps: %s", self.name, ", ".join(next_due) or "none")
        try:
            while not self.stop.is_set() and (loops is None or done < loops):
                close_old_connections()
                now = time.monotonic()
                if now >= next_beat:
                    record_heartbeat(worker=self.name, started_at=started_at)
                    next_beat = now + self.beat_every
                busy = False
                for sweep in self.sweeps:
                    if self.stop.is_set():
                        break
                    if time.monotonic() < next_due[sweep.name]:
                        continue
                    handled = self._run_one(sweep)
                    busy = busy or handled > 0
                    # a sweep that found work runs again at once: drain queues fast
                    next_due[sweep.name] = time.monotonic() + (0 if handled else sweep.every)
                done += 1
                if not busy:
                    wake = min([next_beat, *next_due.values()])
                    self.stop.wait(max(0.0, min(self.idle_sleep, wake - time.monotonic())))
        finally:
            close_old_connections()
            forget_heartbeat(worker=self.name)
            log.info("worker %s stopped", self.name)

    def _run_one(self, sweep: Sweep) -> int:
        try:
            handled = sweep.function()
        except Exception:
            # The traceback names code, not data; sweeps must not put personal
            # data into exception messages.
            log.exception("sweep %s failed; it will run again", sweep.name)
            return 0
        self.runs[sweep.name] = self.runs.get(sweep.name, 0) + 1
        return handled
