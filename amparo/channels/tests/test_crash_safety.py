"""Done-when test of issue 3: a worker killed with SIGKILL over and over loses nothing.

2,000 messages are queued in a SQLite file of this test's own (on every CI
database: the worker subprocesses need a database they can share with no test
transaction around it). ``amparo worker`` runs against a fake Twilio that fails
10% of requests and drops 5% of answers after accepting the message, and is
killed at random moments at least ten times, then restarted. Afterwards:

- every message was accepted by the provider at least once;
- duplicates are no more than the kills that landed inside a send (rows were
  claimed and their outcome not yet recorded when the kill came);
- every duplicated message's row went through ``unknown``.
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from amparo.channels.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio
from amparo.crypto import keyfile

MESSAGES = 2000
CONTACTS = 400
KILLS = 12
SENDERS = "+18605550100,+18605550101"
RATE_PER_SENDER = 100  # 200 texts a second: the kills land while there is work to do


def _environment(tmp_path: Path, fake: FakeTwilio) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TWILIO_"))}
    env.update(
        AMPARO_MODE="test",
        DJANGO_SETTINGS_MODULE="amparo.channels.tests.crash_settings",
        AMPARO_KEYS=keyfile.dump_key_set(keyfile.generate_key_set()),
        AMPARO_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
        AMPARO_SMS_GATEWAY="twilio",
        AMPARO_SMS_SENDERS=SENDERS,
        AMPARO_SMS_RATE_PER_SENDER=str(RATE_PER_SENDER),
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


def _claimed_not_recorded(database: Path) -> int:
    return sum(1 for status, _ in _rows(database).values() if status == "sending")


def _start_worker(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "amparo.cli", "worker"],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def test_a_worker_killed_at_random_loses_nothing_and_duplicates_only_through_unknown(
    tmp_path: Path,
) -> None:
    seed = random.randrange(1_000_000)
    chance = random.Random(seed)
    database = tmp_path / "outbox.sqlite3"
    started = time.monotonic()
    with FakeTwilio(fail_rate=0.10, drop_rate=0.05, seed=seed, deadline=170) as fake:
        env = _environment(tmp_path, fake)
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "amparo.channels.tests.crash_setup",
                str(MESSAGES),
                str(CONTACTS),
                str(tmp_path / "rows.json"),
            ],
            env=env,
            check=True,
            timeout=120,
        )
        set_up = time.monotonic() - started
        rows_by_body: dict[str, str] = json.loads((tmp_path / "rows.json").read_text())
        assert len(rows_by_body) == MESSAGES

        kills = kills_inside_a_send = 0
        with open(tmp_path / "worker.log", "ab") as log:
            worker = _start_worker(env, log)
            try:
                while kills < KILLS:
                    time.sleep(chance.uniform(1.0, 2.4))  # a start takes about 1 s
                    os.kill(worker.pid, signal.SIGKILL)
                    worker.wait(timeout=10)
                    kills += 1
                    if _claimed_not_recorded(database):
                        kills_inside_a_send += 1
                    worker = _start_worker(env, log)
                killing_done = time.monotonic() - started
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    statuses = collections.Counter(s for s, _ in _rows(database).values())
                    if statuses["sent"] == MESSAGES:
                        break
                    time.sleep(0.5)
            finally:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
        accepted = collections.Counter(m.body for m in fake.accepted)
        injected = (fake.failed, fake.dropped)

    rows = _rows(database)
    statuses = collections.Counter(status for status, _ in rows.values())
    context = (
        f"seed={seed} kills={kills} inside_a_send={kills_inside_a_send} statuses={dict(statuses)} "
        f"failed,dropped={injected} set_up={set_up:.1f}s killing_done={killing_done:.1f}s "
        f"elapsed={time.monotonic() - started:.1f}s "
        f"log={tmp_path / 'worker.log'}"
    )
    assert kills >= 10
    assert injected[0] > 0 and injected[1] > 0, context
    assert statuses["sent"] == MESSAGES, context
    missing = [body for body in rows_by_body if accepted[body] == 0]
    assert not missing, f"{len(missing)} never reached the provider; {context}"
    duplicated = [body for body in rows_by_body if accepted[body] > 1]
    extra_copies = sum(accepted[body] - 1 for body in duplicated)
    assert extra_copies <= kills_inside_a_send, f"{extra_copies} extra copies; {context}"
    for body in duplicated:
        _, unknown_count = rows[uuid.UUID(rows_by_body[body]).hex]
        assert unknown_count >= 1, f"a duplicate whose row never went through unknown; {context}"
    # Unknown outcomes did happen (dropped answers, killed sends) and were all resolved.
    assert sum(unknown for _, unknown in rows.values()) > 0, context
    print(context, f"duplicates={extra_copies}")
