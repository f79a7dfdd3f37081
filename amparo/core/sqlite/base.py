"""Django's SQLite backend, with writers taking turns promptly and web requests first.

SQLite has one write lock per database file. A writer that finds it taken is
put to sleep by SQLite's busy handler for 1, 2, 5, 10, 15, 20, 25... ms before
it tries again, so under a burst of short write transactions (a webhook's one
insert holds the lock for well under a millisecond) most of the waiting is
oversleep; and a background loop that writes back to back (the worker routing
a backlog of texts) keeps winning the lock, so webhooks wait seconds
(measured with ``amparo bench intake``).

Here a transaction (``transaction.atomic``, started as ``BEGIN IMMEDIATE``)
first takes two locks, and releases both when it commits or rolls back:

1. a lock shared by the threads of this process, which wakes a waiting
   thread the moment the holder is done;
2. for a database file, an advisory ``flock`` on ``<database>-writer.lock``
   shared with the other processes, polled every 0.1 ms by the one waiting
   thread of each process.

Web processes take turns: a transaction that finds another web process
waiting (see below) first leaves it a moment (:data:`POLL_SECONDS`) to take
the lock. Without that, a process whose threads queue for the lock hands it
from thread to thread, and the other process's requests wait behind all of
them (``amparo bench intake`` measures both this and the poll interval).

Web processes go first: while one of their threads waits, it holds a shared
``flock`` on ``<database>-waiting.lock``, and a background process (``amparo
worker`` calls :func:`write_in_background`) does not start a transaction
while that file is held, for up to :data:`BACKGROUND_DEFERS_AT_MOST` seconds,
so a burst of webhooks can slow the worker down but never stop it.

A write statement outside a transaction (``QuerySet.update()`` in autocommit
mode, say) takes the same locks for the time of the statement: otherwise it
would hold SQLite's lock unseen, and the transaction that had just taken the
turn would sleep in SQLite's busy handler with every other writer queued
behind it.

All waits are bounded by the connection's ``timeout``, after which the
transaction fails as "database is locked", as SQLite itself would.

Checkpoints run outside the turn, and outside requests. SQLite's own
(``wal_autocheckpoint``, turned off in settings) runs inside the write that
fills the WAL, so the turn was held while pages were copied into the
database file and synced, and every other writer waited. Here, every
:data:`CHECKPOINT_EVERY_WRITES` writes of a process, a thread of that process
with a connection of its own runs a passive checkpoint: it copies what it can
without waiting for readers or writers, and what it leaves, the next one
copies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.request import pathname2url

from django.db import OperationalError
from django.db.backends.sqlite3 import base

POLL_SECONDS = 0.0001
BACKGROUND_DEFERS_AT_MOST = 0.25
# A webhook's write adds about 9 pages to the WAL; SQLite's default is 1,000.
CHECKPOINT_EVERY_WRITES = 100
CHECKPOINTER_IDLE_SECONDS = 60.0  # then the checkpoint thread ends, until asked again

log = logging.getLogger("amparo.core")

_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()
_background = False
_writes_since_checkpoint = 0


def write_in_background() -> None:
    """Make this process's transactions wait while a web process waits to write."""
    global _background
    _background = True


_wrappers: weakref.WeakSet[DatabaseWrapper] = weakref.WeakSet()


class _Checkpointer:
    """A thread running passive checkpoints of one database file when asked; ends when idle."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.wanted = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def _run(self) -> None:
        try:
            # mode=rw: never create the file (a test's database may be gone already)
            database = sqlite3.connect(f"file:{pathname2url(self.path)}?mode=rw", uri=True)
        except sqlite3.Error as exc:
            log.warning("sqlite: cannot open the database to checkpoint it: %s", exc)
            self._forget(even_if_asked=True)
            return
        try:
            while self.wanted.wait(CHECKPOINTER_IDLE_SECONDS) or not self._forget():
                self.wanted.clear()
                try:
                    database.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.OperationalError as exc:  # busy: the next one copies the rest
                    log.info("sqlite: a checkpoint was skipped: %s", exc)
        finally:
            database.close()

    def _forget(self, *, even_if_asked: bool = False) -> bool:
        """Leave the table of checkpointers, unless asked meanwhile; True if it left."""
        with _guard:
            if self.wanted.is_set() and not even_if_asked:
                return False
            if _checkpointers.get(self.path) is self:
                del _checkpointers[self.path]
            return True


_checkpointers: dict[str, _Checkpointer] = {}


def _ask_for_checkpoint(path: str) -> None:
    with _guard:
        checkpointer = _checkpointers.get(path)
        if checkpointer is None:
            checkpointer = _checkpointers[path] = _Checkpointer(path)
            checkpointer.thread.start()
        checkpointer.wanted.set()


def _forget_locks_after_fork() -> None:
    """A forked child starts with no writer lock held, whatever its parent's threads held.

    Its copies of the lock files' descriptors are closed too: they share the
    parent's open file descriptions, so the two processes would pass for one.
    """
    global _guard
    _guard = threading.Lock()
    _thread_locks.clear()
    _checkpointers.clear()  # their threads stayed in the parent
    for wrapper in list(_wrappers):
        wrapper._writer_lock_held = False
        if wrapper._lock_files is not None:
            for descriptor in wrapper._lock_files:
                os.close(descriptor)
            wrapper._lock_files = None


os.register_at_fork(after_in_child=_forget_locks_after_fork)


def _thread_lock(name: str) -> threading.Lock:
    with _guard:
        return _thread_locks.setdefault(name, threading.Lock())


def _try_flock(descriptor: int, operation: int) -> bool:
    try:
        fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _another_process_waits(waiting: int) -> bool:
    """True if a web process holds the waiting file (this process's waiter never does here).

    Called with this process's thread lock held, so no thread of this process
    is waiting on the file lock at that moment.
    """
    if _try_flock(waiting, fcntl.LOCK_EX):
        fcntl.flock(waiting, fcntl.LOCK_UN)
        return False
    return True


# Statements that never take SQLite's write lock by themselves.
_NOT_WRITES = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK", "EXPLAIN")


class _Cursor(base.SQLiteCursorWrapper):
    """Django's cursor; a write outside a transaction takes the writer locks first.

    A write that returns rows (``INSERT ... RETURNING``) commits only when its
    last row is read: SQLite keeps its write lock until the statement is done.
    So its rows are read while the turn is held, and served from here.
    """

    wrapper: DatabaseWrapper
    _returned: deque[Any] | None = None

    def _writes_alone(self, query: str) -> bool:
        return not self.connection.in_transaction and not query.lstrip()[:9].upper().startswith(
            _NOT_WRITES
        )

    def execute(self, query: str, params: Any = None) -> Any:
        self._returned = None
        if not self._writes_alone(query):
            return super().execute(query, params)
        with self.wrapper.writer_turn():
            super().execute(query, params)
            if "RETURNING" in query.upper():
                self._returned = deque(super().fetchall())
        return self

    def fetchone(self) -> Any:
        if self._returned is None:
            return super().fetchone()
        return self._returned.popleft() if self._returned else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        size = self.arraysize if size is None else size
        if self._returned is None:
            return super().fetchmany(size)
        return [self._returned.popleft() for _ in range(min(size, len(self._returned)))]

    def fetchall(self) -> list[Any]:
        if self._returned is None:
            return super().fetchall()
        rows, self._returned = list(self._returned), deque()
        return rows

    def __next__(self) -> Any:
        if self._returned is None:
            return super().__next__()
        if not self._returned:
            raise StopIteration
        return self._returned.popleft()

    def executemany(self, query: str, param_list: Iterable[Any]) -> Any:
        if not self._writes_alone(query):
            return super().executemany(query, param_list)
        with self.wrapper.writer_turn():
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer_lock_held = False
        self._lock_files: tuple[int, int] | None = None
        _wrappers.add(self)

    def _lock_name(self) -> str:
        return str(self.settings_dict["NAME"])

    def _lock_timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _open_lock_files(self) -> tuple[int, int] | None:
        """This connection's descriptors of the writer and waiting files; None in memory."""
        if self.is_in_memory_db():
            return None
        if self._lock_files is None:
            name = self._lock_name()
            self._lock_files = (
                os.open(f"{name}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600),
                os.open(f"{name}-waiting.lock", os.O_RDWR | os.O_CREAT, 0o600),
            )
        return self._lock_files

    def _take_writer_lock(self) -> None:
        deadline = time.monotonic() + self._lock_timeout()
        lock = _thread_lock(self._lock_name())
        if not lock.acquire(timeout=self._lock_timeout()):
            raise OperationalError("database is locked (other threads kept writing)")
        try:
            files = self._open_lock_files()
            if files is not None:
                self._take_file_lock(*files, deadline=deadline)
        except BaseException:
            lock.release()
            raise
        self._writer_lock_held = True

    def _take_file_lock(self, writer: int, waiting: int, *, deadline: float) -> None:
        if not _background and _another_process_waits(waiting):
            time.sleep(POLL_SECONDS)  # its turn first
        if _try_flock(writer, fcntl.LOCK_EX):
            return
        if _background:
            self._defer_to_web_processes(waiting)
        else:
            # Tell background processes that a web request is waiting (shared:
            # several may wait); a background process checks it only for an instant.
            while not _try_flock(waiting, fcntl.LOCK_SH):
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked (the worker kept checking)")
                time.sleep(POLL_SECONDS)
        try:
            while not _try_flock(writer, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked (other processes kept writing)")
                time.sleep(POLL_SECONDS)
        finally:
            if not _background:
                fcntl.flock(waiting, fcntl.LOCK_UN)

    @staticmethod
    def _defer_to_web_processes(waiting: int) -> None:
        give_up_at = time.monotonic() + BACKGROUND_DEFERS_AT_MOST
        while time.monotonic() < give_up_at:
            if _try_flock(waiting, fcntl.LOCK_EX):
                fcntl.flock(waiting, fcntl.LOCK_UN)
                return
            time.sleep(POLL_SECONDS)

    def _release_writer_lock(self) -> None:
        if not self._writer_lock_held:
            return
        self._writer_lock_held = False
        try:
            if self._lock_files is not None:
                fcntl.flock(self._lock_files[0], fcntl.LOCK_UN)
        finally:
            _thread_lock(self._lock_name()).release()

    def create_cursor(self, name: str | None = None) -> _Cursor:
        cursor: _Cursor = self.connection.cursor(factory=_Cursor)
        cursor.wrapper = self
        return cursor

    @contextmanager
    def writer_turn(self) -> Iterator[None]:
        """Hold the writer locks around one statement that writes outside a transaction."""
        self._take_writer_lock()
        try:
            yield
        finally:
            self._release_writer_lock()
        self._checkpoint_now_and_then()

    def _start_transaction_under_autocommit(self) -> None:
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_writer_lock()
        self._checkpoint_now_and_then()

    def _checkpoint_now_and_then(self) -> None:
        """Every :data:`CHECKPOINT_EVERY_WRITES` writes of this process, ask for a checkpoint."""
        global _writes_since_checkpoint
        _writes_since_checkpoint += 1  # a race may skip or double one count: harmless
        if _writes_since_checkpoint < CHECKPOINT_EVERY_WRITES or self.is_in_memory_db():
            return
        _writes_since_checkpoint = 0
        _ask_for_checkpoint(self._lock_name())

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_writer_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_writer_lock()
            if self._lock_files is not None:
                for descriptor in self._lock_files:
                    os.close(descriptor)
                self._lock_files = None
