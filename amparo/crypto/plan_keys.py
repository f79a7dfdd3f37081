"""Crypto-shredding for family plans: one data key per plan, kept out of the database.

A family plan's contents are sealed under a data key of its own
(:func:`seal_plan`, :func:`open_plan`). The data keys live in the *plan key
store*, a small SQLite file named by ``settings.AMPARO_PLAN_KEYSTORE``, which
must sit apart from the main database and its backups (another volume,
another backup schedule with short retention). :func:`shred_plan_key` deletes
a plan's key; from then on no copy of the database, however old, together with
the master keys (``AMPARO_KEYS``), can open that plan: the key that sealed it
no longer exists anywhere.

Three things are needed to read a plan: the database row, the plan key store
and the master keys. Each data key is itself sealed (wrapped) under the active
master key for the context ``plan-key|<plan id>``, so the key store alone is
not enough either. Rotation of the master keys re-wraps the data keys
(registered as a :class:`~amparo.crypto.rotation.TokenStore`).

Erasing for real, not only unlinking: the store runs with
``PRAGMA secure_delete=ON`` (deleted rows are overwritten with zeros in the
file) and in rollback-journal mode ``TRUNCATE``, so no write-ahead log keeps
the old page after the deletion commits. Keys are never cached in memory
between calls: a plan shredded by one process cannot be opened by another.

Envelopes of plan contents use the vault's format (:mod:`amparo.crypto.vault`)
with the key id ``plan``, bound to the same table|column|row context as any
sealed field.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from amparo.crypto import vault

PLAN_KEY_ID = "plan"
DATA_KEY_BYTES = 32
_WRAP_CONTEXT = "plan-key|{plan_id}"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS plan_key (
    plan_id TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID
"""


class PlanKeyMissing(vault.DecryptionError):
    """The plan's data key is not in the key store: the plan was deleted (shredded)."""


class PlanKeyStoreError(Exception):
    """The plan key store cannot be used (path missing, not writable, not a key store)."""


_local = threading.local()


def _forget_connections_after_fork() -> None:
    # A SQLite connection must not cross a fork: the child opens its own.
    global _local
    _local = threading.local()


os.register_at_fork(after_in_child=_forget_connections_after_fork)


def store_path() -> Path:
    """Where the plan key store lives (``settings.AMPARO_PLAN_KEYSTORE``)."""
    return Path(settings.AMPARO_PLAN_KEYSTORE)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("PRAGMA journal_mode=TRUNCATE")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(_SCHEMA)
    except (OSError, sqlite3.Error) as exc:
        raise PlanKeyStoreError(f"the plan key store at {path} cannot be opened: {exc}") from None
    path.chmod(0o600)
    return connection


@contextmanager
def _store() -> Iterator[sqlite3.Connection]:
    """This thread's connection to the store, reopened when the setting changes."""
    path = store_path()
    connections: dict[Path, sqlite3.Connection] = getattr(_local, "connections", {})
    _local.connections = connections
    connection = connections.get(path)
    if connection is None:
        connection = connections[path] = _connect(path)
    try:
        yield connection
    except sqlite3.Error as exc:
        raise PlanKeyStoreError(f"the plan key store failed: {exc}") from None


def _wrap_context(plan_id: object) -> str:
    return _WRAP_CONTEXT.format(plan_id=plan_id)


def create_plan_key(plan_id: object) -> None:
    """Make a fresh random data key for a new plan and keep it, wrapped, in the store.

    Call it before the plan's row is written. If the database transaction then
    fails, the key is an orphan: :func:`shred_orphan_keys` removes it later.
    """
    wrapped = vault.seal(secrets.token_bytes(DATA_KEY_BYTES), context=_wrap_context(plan_id))
    with _store() as db:
        db.execute(
            "INSERT INTO plan_key (plan_id, wrapped, created_at) VALUES (?, ?, ?)",
            (str(plan_id), wrapped, timezone.now().isoformat()),
        )


def _data_key(plan_id: object) -> bytes:
    with _store() as db:
        row = db.execute(
            "SELECT wrapped FROM plan_key WHERE plan_id = ?", (str(plan_id),)
        ).fetchone()
    if row is None:
        raise PlanKeyMissing("this plan's key was destroyed: the plan cannot be opened.")
    return vault.unseal(row[0], context=_wrap_context(plan_id))


def has_plan_key(plan_id: object) -> bool:
    with _store() as db:
        found = db.execute("SELECT 1 FROM plan_key WHERE plan_id = ?", (str(plan_id),)).fetchone()
    return found is not None


def seal_plan(plaintext: bytes, *, plan_id: object, context: str) -> bytes:
    """Seal a plan's contents under the plan's own data key, bound to ``context``.

    ``context`` is the cell (:func:`~amparo.crypto.vault.row_context`), as for
    any sealed field. Raises :class:`PlanKeyMissing` for a shredded plan.
    """
    return vault._seal_with_nonce(
        plaintext,
        context=context,
        key_id=PLAN_KEY_ID,
        key=_data_key(plan_id),
        nonce=secrets.token_bytes(vault.NONCE_BYTES),
    )


def open_plan(envelope: bytes, *, plan_id: object, context: str) -> bytes:
    """Open what :func:`seal_plan` sealed for this plan and context.

    Raises :class:`PlanKeyMissing` once the plan's key is shredded, and
    :class:`~amparo.crypto.vault.DecryptionError` for a tampered envelope or a
    wrong context. The master keys cannot open it: they never sealed it.
    """
    return vault._unseal_with_keys(
        envelope, context=context, keys={PLAN_KEY_ID: _data_key(plan_id)}
    )


def shred_plan_key(plan_id: object) -> bool:
    """Destroy a plan's data key (overwritten in the store's file). True if there was one."""
    with _store() as db:
        deleted = db.execute("DELETE FROM plan_key WHERE plan_id = ?", (str(plan_id),)).rowcount
    return bool(deleted)


def shred_orphan_keys(*, keep: Callable[[list[str]], set[str]], older_than: str) -> int:
    """Destroy keys created before ``older_than`` (ISO time) whose plan ``keep`` does not know.

    ``keep`` gets a batch of plan ids and returns those that still have a plan.
    The age limit spares keys of plans being registered right now.
    """
    with _store() as db:
        candidates = [
            row[0]
            for row in db.execute(
                "SELECT plan_id FROM plan_key WHERE created_at < ? ORDER BY plan_id", (older_than,)
            )
        ]
    shredded = 0
    for start in range(0, len(candidates), 500):
        batch = candidates[start : start + 500]
        for plan_id in set(batch) - keep(batch):
            shredded += shred_plan_key(plan_id)
    return shredded


# --- master key rotation ----------------------------------------------------------


def wrapped_key_usage() -> Counter[str]:
    """Wrapped data keys per master key id (for ``amparo keys status``)."""
    usage: Counter[str] = Counter()
    with _store() as db:
        for (wrapped,) in db.execute("SELECT wrapped FROM plan_key"):
            try:
                usage[vault.envelope_key_id(wrapped)] += 1
            except vault.DecryptionError:
                usage["malformed"] += 1
    return usage


def rewrap_plan_keys() -> int:
    """Re-wrap every data key under the active master key; return how many changed.

    The data keys themselves stay the same, so the plans' contents are untouched.
    """
    changed = 0
    with _store() as db:
        rows = db.execute("SELECT plan_id, wrapped FROM plan_key").fetchall()
        for plan_id, wrapped in rows:
            if vault.is_sealed_with_active_key(wrapped):
                continue
            context = _wrap_context(plan_id)
            data_key = vault.unseal(wrapped, context=context)
            db.execute(
                "UPDATE plan_key SET wrapped = ? WHERE plan_id = ?",
                (vault.seal(data_key, context=context), plan_id),
            )
            changed += 1
    return changed


def register_with_rotation() -> None:
    """Let ``amparo keys rotate`` and ``keys status`` cover the wrapped plan keys."""
    from amparo.crypto.rotation import TokenStore, register_token_store

    register_token_store(
        TokenStore(label="plan key store", usage=wrapped_key_usage, rotate=rewrap_plan_keys)
    )
