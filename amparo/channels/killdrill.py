"""The kill drill: prove that a worker killed at random loses nothing (issue 3, done-when).

:func:`run_kill_drill` queues messages in a SQLite file of its own, runs
``amparo worker`` as a subprocess against a fake Twilio that fails a share of
requests and drops a share of answers after accepting the message, kills the
worker with SIGKILL at random moments and restarts it, then waits until every
row is sent and compares the provider's record with the outbox:

- ``missing``: messages the provider never accepted (must be none);
- ``extra_copies``: acceptances beyond the first (at most the kills that
  landed inside a send: rows claimed and not yet recorded when the kill came);
- ``duplicated_without_unknown``: duplicated messages whose row never went
  through ``unknown`` (must be none).

The drill's database is always a SQLite file, whatever the caller's database:
the worker subprocesses need rows they can share, outside any test transaction.
The test (``tests/test_crash_safety.py``) runs 2,000 messages and 12 kills;
``amparo bench outbox-kills`` runs 10,000 and 50.

``python -m amparo.channels.killdrill setup COUNT CONTACTS OUT.json`` is the
drill's own setup step, run in a subprocess with the workers' environment.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from amparo.channels.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio
from amparo.crypto import keyfile

SENDERS = "+18605550100,+18605550101"


@dataclass
class KillDrillReport:
    seed: int
    messages: int
    kills: int = 0
    kills_inside_a_send: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    missing: int = 0
    duplicated: int = 0
    extra_copies: int = 0
    duplicated_without_unknown: int = 0
    rows_through_unknown: int = 0
    unknown_passages: int = 0
    provider_failed: int = 0
    provider_dropped: int = 0
    provider_accepted: int = 0
    set_up_seconds: float = 0.0
    seconds: float = 0.0
    log: str = ""

    def figures(self) -> dict[str, Any]:
        figures = asdict(self)
        figures.pop("log")
        return figures


def _environment(workdir: Path, fake: FakeTwilio, rate_per_sender: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TWILIO_"))}
    env.update(
        AMPARO_MODE="test",
        DJANGO_SETTINGS_MODULE="amparo.channels.killdrill_settings",
        AMPARO_KEYS=keyfile.dump_key_set(keyfile.generate_key_set()),
        AMPARO_VAR_DIR=str(workdir),
        DATABASE_URL=f"sqlite:///{workdir / 'outbox.sqlite3'}",
        AMPARO_SMS_GATEWAY="twilio",
        AMPARO_SMS_SENDERS=SENDERS,
        AMPARO_SMS_RATE_PER_SENDER=str(rate_per_sender),
        TWILIO_ACCOUNT_SID=FAKE_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=FAKE_AUTH_TOKEN,
        TWILIO_API_BASE=fake.base_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def _rows(database: Path) -> dict[str, tuple[str, int]]:
    """Row id (hex) -> (status, unknown_count), read straight from the SQLite file."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        found = connection.execute(
            "SELECT id, status, unknown_count FROM channels_outboundmessage"
        ).fetchall()
    return {uuid.UUID(str(pk)).hex: (status, unknown) for pk, status, unknown in found}


def _start_worker(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "amparo.cli", "worker"],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def run_kill_drill(
    *,
    messages: int,
    kills: int,
    contacts: int,
    rate_per_sender: float,
    fail_rate: float = 0.10,
    drop_rate: float = 0.05,
    seed: int | None = None,
    workdir: Path | None = None,
    drain_seconds: float = 120,
) -> KillDrillReport:
    """Run the drill (see the module docstring) and report what the provider saw."""
    seed = random.randrange(1_000_000) if seed is None else seed  # noqa: S311
    chance = random.Random(seed)  # noqa: S311 (kill timing, not security)
    report = KillDrillReport(seed=seed, messages=messages)
    started = time.monotonic()
    with _workdir(workdir) as folder:
        database = folder / "outbox.sqlite3"
        report.log = str(folder / "worker.log")
        deadline = 300 + messages / 10 + kills * 5
        with FakeTwilio(
            fail_rate=fail_rate, drop_rate=drop_rate, seed=seed, deadline=deadline
        ) as fake:
            env = _environment(folder, fake, rate_per_sender)
            subprocess.run(  # noqa: S603 (our own interpreter and module)
                [
                    sys.executable,
                    "-m",
                    "amparo.channels.killdrill",
                    "setup",
                    str(messages),
                    str(contacts),
                    str(folder / "rows.json"),
                ],
                env=env,
                check=True,
                timeout=600,
            )
            report.set_up_seconds = round(time.monotonic() - started, 1)
            rows_by_body: dict[str, str] = json.loads((folder / "rows.json").read_text())
            with open(folder / "worker.log", "ab") as log:
                worker = _start_worker(env, log)
                try:
                    while report.kills < kills:
                        time.sleep(chance.uniform(1.0, 2.4))  # a start takes about 1 s
                        os.kill(worker.pid, signal.SIGKILL)
                        worker.wait(timeout=10)
                        report.kills += 1
                        if any(s == "sending" for s, _ in _rows(database).values()):
                            report.kills_inside_a_send += 1
                        worker = _start_worker(env, log)
                    until = time.monotonic() + drain_seconds
                    while time.monotonic() < until:
                        done = collections.Counter(s for s, _ in _rows(database).values())
                        if done["sent"] == messages:
                            break
                        time.sleep(0.5)
                finally:
                    _stop(worker)
            accepted = collections.Counter(m.body for m in fake.accepted)
            report.provider_failed, report.provider_dropped = fake.failed, fake.dropped
            report.provider_accepted = sum(accepted.values())
        rows = _rows(database)
    report.statuses = dict(collections.Counter(status for status, _ in rows.values()))
    report.missing = sum(1 for body in rows_by_body if accepted[body] == 0)
    duplicated = [body for body in rows_by_body if accepted[body] > 1]
    report.duplicated = len(duplicated)
    report.extra_copies = sum(accepted[body] - 1 for body in duplicated)
    report.duplicated_without_unknown = sum(
        1 for body in duplicated if rows[uuid.UUID(rows_by_body[body]).hex][1] == 0
    )
    report.rows_through_unknown = sum(1 for _, unknown in rows.values() if unknown)
    report.unknown_passages = sum(unknown for _, unknown in rows.values())
    report.seconds = round(time.monotonic() - started, 1)
    return report


@contextlib.contextmanager
def _workdir(folder: Path | None) -> Iterator[Path]:
    """The given folder, or a temporary one removed afterwards."""
    if folder is not None:
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="amparo-killdrill-") as name:
        yield Path(name)


def _setup(count: int, contacts: int, out: str) -> None:
    """Migrate the drill's database, queue ``count`` messages, write {body: row id}."""
    import django

    django.setup()
    from django.core.management import call_command

    from amparo.channels.actions import queue_message
    from amparo.contacts.actions import find_or_create_contact
    from amparo.contacts.bench import _fake_phones

    call_command("migrate", verbosity=0)
    people = [find_or_create_contact(phone=phone) for phone in _fake_phones(contacts)]
    rows = {}
    for n in range(count):
        body = f"Aviso {n}: reunión comunitaria a las 7"
        message = queue_message(contact=people[n % contacts], body=body)
        assert message is not None
        rows[body] = str(message.pk)
    Path(out).write_text(json.dumps(rows), encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] != ["setup"] or len(sys.argv) != 5:
        sys.exit("usage: python -m amparo.channels.killdrill setup COUNT CONTACTS OUT.json")
    _setup(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
