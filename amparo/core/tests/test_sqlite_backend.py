"""The SQLite backend: writers of one database take turns, web requests before the worker."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction

from amparo.core.sqlite import base
from amparo.core.sqlite.base import DatabaseWrapper

pytestmark = pytest.mark.django_db  # lets pytest-django allow these extra connections

ALIAS = "writers-test"


def wrapper(path: Path, *, timeout: float = 0.3) -> DatabaseWrapper:
    return DatabaseWrapper(
        {
            "ENGINE": "amparo.core.sqlite",
            "NAME": str(path),
            "OPTIONS": {"timeout": timeout, "transaction_mode": "IMMEDIATE"},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TEST": {},
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        },
        alias=ALIAS,
    )


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "writers.sqlite3"
    setup = wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (who TEXT)")
    setup.close()
    yield path


def use(path: Path, *, timeout: float = 0.3) -> DatabaseWrapper:
    """A connection to ``path`` for this thread under ``ALIAS``."""
    connection = wrapper(path, timeout=timeout)
    connections[ALIAS] = connection
    return connection


def rows(path: Path) -> list[str]:
    reader = wrapper(path)
    with reader.cursor() as cursor:
        cursor.execute("SELECT who FROM t ORDER BY rowid")
        found = [row[0] for row in cursor.fetchall()]
    reader.close()
    return found


@pytest.fixture
def other_process_holds(database: Path) -> Iterator[int]:
    """The writer file locked as another process would (a separate open file description)."""
    descriptor = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    yield descriptor
    os.close(descriptor)


def test_a_second_thread_writes_right_after_the_first_commits(database: Path) -> None:
    first_inside = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        connection = use(database, timeout=5)
        first_inside.wait()
        try:
            with transaction.atomic(using=ALIAS):
                connection.cursor().execute("INSERT INTO t VALUES ('second')")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=second)
    thread.start()
    connection = use(database, timeout=5)
    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES ('first')")
        first_inside.set()
        time.sleep(0.2)  # the second thread waits on the process's lock meanwhile
    thread.join()
    connection.close()

    assert errors == []
    assert rows(database) == ["first", "second"]


def test_a_transaction_gives_up_as_locked_when_another_process_keeps_writing(
    database: Path, other_process_holds: int
) -> None:
    connection = use(database, timeout=0.2)
    started = time.monotonic()

    with (
        pytest.raises(OperationalError, match="database is locked"),
        transaction.atomic(using=ALIAS),
    ):
        connection.cursor().execute("INSERT INTO t VALUES ('late')")

    assert 0.2 <= time.monotonic() - started < 2
    fcntl.flock(other_process_holds, fcntl.LOCK_UN)
    with transaction.atomic(using=ALIAS):  # the locks were released: writing works again
        connection.cursor().execute("INSERT INTO t VALUES ('after')")
    connection.close()
    assert rows(database) == ["after"]


def test_a_write_outside_a_transaction_waits_for_its_turn_too(
    database: Path, other_process_holds: int
) -> None:
    connection = use(database, timeout=0.2)

    with pytest.raises(OperationalError, match="database is locked"):
        connection.cursor().execute("INSERT INTO t VALUES ('autocommit')")
    connection.cursor().execute("SELECT count(*) FROM t")  # reads never wait

    fcntl.flock(other_process_holds, fcntl.LOCK_UN)
    connection.cursor().execute("INSERT INTO t VALUES ('autocommit')")
    connection.close()
    assert rows(database) == ["autocommit"]


def test_a_write_returning_rows_has_committed_when_its_turn_ends(database: Path) -> None:
    connection = use(database)
    cursor = connection.cursor()

    cursor.execute("INSERT INTO t VALUES ('a'), ('b'), ('c') RETURNING who")

    # Another process may write at once: SQLite's own write lock is free too.
    other = sqlite3.connect(database, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.rollback()
    other.close()
    assert cursor.fetchone() == ("a",)
    assert cursor.fetchmany(5) == [("b",), ("c",)]
    assert cursor.fetchone() is None
    cursor.execute("INSERT INTO t VALUES ('d') RETURNING who")
    assert list(cursor) == [("d",)]
    cursor.execute("SELECT who FROM t ORDER BY rowid")  # a read is not buffered
    assert cursor.fetchall() == [("a",), ("b",), ("c",), ("d",)]
    connection.close()


def test_every_so_many_writes_the_wal_is_copied_into_the_database_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wal.sqlite3"
    connection = use(path)
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # as settings have it
    cursor.execute("CREATE TABLE t (who TEXT)")
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    monkeypatch.setattr(base, "CHECKPOINT_EVERY_WRITES", 3)
    monkeypatch.setattr(base, "_writes_since_checkpoint", 0)

    cursor.execute("INSERT INTO t VALUES ('marker-one')")
    cursor.execute("INSERT INTO t VALUES ('marker-two')")
    assert b"marker-one" not in path.read_bytes()  # in the WAL only
    with transaction.atomic(using=ALIAS):
        cursor.execute("INSERT INTO t VALUES ('marker-three')")

    # A thread of this process copies them into the file, soon.
    deadline = time.monotonic() + 10
    while b"marker-three" not in path.read_bytes():
        assert time.monotonic() < deadline, "no checkpoint"
        time.sleep(0.01)
    in_file = path.read_bytes()
    assert all(marker in in_file for marker in (b"marker-one", b"marker-two", b"marker-three"))
    assert base._writes_since_checkpoint == 0
    connection.close()


def test_a_checkpoint_thread_ends_when_idle_and_another_starts_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "idle.sqlite3"
    sqlite3.connect(path).close()
    monkeypatch.setattr(base, "CHECKPOINTER_IDLE_SECONDS", 0.05)

    base._ask_for_checkpoint(str(path))
    first = base._checkpointers[str(path)]
    first.thread.join(5)

    assert not first.thread.is_alive()
    assert str(path) not in base._checkpointers
    base._ask_for_checkpoint(str(path))
    second = base._checkpointers[str(path)]
    assert second is not first
    second.thread.join(5)
    assert not second.thread.is_alive()


def test_a_checkpoint_of_a_database_that_is_gone_neither_fails_nor_makes_a_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gone.sqlite3"

    base._ask_for_checkpoint(str(path))
    checkpointer = base._checkpointers.get(str(path))
    if checkpointer is not None:
        checkpointer.thread.join(5)

    assert not path.exists()
    assert str(path) not in base._checkpointers
    assert "cannot open the database to checkpoint it" in caplog.text


def test_the_worker_waits_while_a_web_request_waits_but_not_forever(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "_background", True)
    web_waiting = os.open(f"{database}-waiting.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(web_waiting, fcntl.LOCK_SH)
    writer = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(writer, fcntl.LOCK_EX)  # busy, so the worker has to queue
    threading.Timer(0.05, fcntl.flock, (writer, fcntl.LOCK_UN)).start()
    connection = use(database, timeout=5)
    started = time.monotonic()

    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES ('worker')")

    waited = time.monotonic() - started
    connection.close()
    os.close(web_waiting)
    os.close(writer)
    assert base.BACKGROUND_DEFERS_AT_MOST <= waited < base.BACKGROUND_DEFERS_AT_MOST + 1
    assert rows(database) == ["worker"]


def test_deleted_rows_are_overwritten_not_left_in_free_pages() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def test_a_forked_child_starts_with_no_writer_lock_and_its_own_lock_files(
    database: Path,
) -> None:
    connection = use(database)
    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES ('parent')")
        inherited = connection._lock_files
        assert inherited is not None and base._thread_lock(str(database)).locked()

        base._forget_locks_after_fork()  # what os.fork runs in the child

        assert connection._lock_files is None and not connection._writer_lock_held
        assert not base._thread_lock(str(database)).locked()
        with pytest.raises(OSError):
            os.fstat(inherited[0])  # the child's copies are closed
    connection.close()


@pytest.mark.parametrize(("another_waits", "yields"), [(True, True), (False, False)])
def test_a_web_transaction_lets_a_waiting_web_process_go_first(
    database: Path, monkeypatch: pytest.MonkeyPatch, another_waits: bool, yields: bool
) -> None:
    waiting = os.open(f"{database}-waiting.lock", os.O_RDWR | os.O_CREAT, 0o600)
    if another_waits:
        fcntl.flock(waiting, fcntl.LOCK_SH)
    events: list[object] = []
    real_sleep, real_try = time.sleep, base._try_flock
    monkeypatch.setattr(base.time, "sleep", lambda s: (events.append(s), real_sleep(s)))
    monkeypatch.setattr(base, "_try_flock", lambda d, op: (events.append(d), real_try(d, op))[1])
    connection = use(database, timeout=5)

    with transaction.atomic(using=ALIAS):
        connection.cursor().execute("INSERT INTO t VALUES ('web')")
        assert connection._lock_files is not None
        writer_descriptor = connection._lock_files[0]

    connection.close()
    os.close(waiting)
    assert rows(database) == ["web"]
    first = events.index(writer_descriptor)
    assert (base.POLL_SECONDS in events[:first]) is yields
