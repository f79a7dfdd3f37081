"""Key rotation: re-seal every stored envelope under the active key.

The operator adds a new key to ``AMPARO_KEYS`` and makes it active (``amparo
keys generate --add-to FILE``), restarts every process with it, then runs
``amparo keys rotate``. Rotation walks every sealed field of every installed
model in primary-key order, in batches, each batch in one transaction with its
rows locked; it rewrites only envelopes whose key id is not the active one.
So it can be stopped at any point and run again: finished rows are skipped,
and a half-done batch was rolled back. When :func:`key_usage` shows no envelope
under an old key, that key can be removed from ``AMPARO_KEYS``.

Blind indexes use the MAC key, which rotation does not change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction

from amparo.audit.actions import record_event
from amparo.crypto import vault
from amparo.crypto.fields import EncryptedField, Sealed, sealed_fields

DEFAULT_BATCH_SIZE = 500
MALFORMED = "(malformed)"
"""Counted by :func:`key_usage` for an envelope whose header names no key."""

Progress = Callable[[str, int, int], None]
"""Called after each batch with the model's label, rows done and rows in total."""


@dataclass(frozen=True)
class SealedTable:
    """One model's table and the sealed fields stored in it."""

    model: type[models.Model]
    fields: list[EncryptedField]

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self) -> models.QuerySet[Any]:
        # A plain QuerySet: rotation writes envelopes it has bound to their rows
        # itself, which SealedQuerySet.update() refuses to do for anybody else.
        return models.QuerySet(self.model).order_by("pk")


def sealed_tables() -> list[SealedTable]:
    """Every installed model with a sealed field in its own table."""
    tables = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = sealed_fields(model)
        if fields:
            tables.append(SealedTable(model, fields))
    return tables


@dataclass(frozen=True)
class TokenStore:
    """Sealed text tokens (:func:`vault.seal_text`) kept outside sealed fields.

    A library's own storage, such as allauth's TOTP secrets in its JSON column,
    registers one of these so rotation and ``keys status`` cover it too.
    """

    label: str
    usage: Callable[[], Counter[str]]
    rotate: Callable[[], int]


_token_stores: dict[str, TokenStore] = {}


def register_token_store(store: TokenStore) -> None:
    _token_stores[store.label] = store


def key_usage() -> dict[str, Counter[str]]:
    """Envelopes per key id, for each sealed field (``"contacts.Contact.phone"``).

    An envelope whose header cannot be read is counted under :data:`MALFORMED`.
    """
    usage: dict[str, Counter[str]] = {}
    for table in sealed_tables():
        counters = [Counter[str]() for _ in table.fields]
        names = [f.attname for f in table.fields]
        for values in table.rows().values_list(*names).iterator(chunk_size=2000):
            for counter, value in zip(counters, values, strict=True):
                if isinstance(value, Sealed):
                    try:
                        counter[value.key_id] += 1
                    except vault.DecryptionError:
                        counter[MALFORMED] += 1
        for field, counter in zip(table.fields, counters, strict=True):
            usage[f"{table.label}.{field.name}"] = counter
    for store in _token_stores.values():
        usage[store.label] = store.usage()
    return usage


def _reseal_batch(table: SealedTable, *, after: Any, batch_size: int) -> tuple[list[Any], int]:
    """Re-seal the next ``batch_size`` rows after primary key ``after``, in one transaction.

    Return the primary keys visited and how many envelopes were rewritten.
    """
    names = [f.attname for f in table.fields]
    rewritten = 0
    with transaction.atomic():
        rows = table.rows().select_for_update()
        if after is not None:
            rows = rows.filter(pk__gt=after)
        batch = list(rows.values_list("pk", *names)[:batch_size])
        for pk, *envelopes in batch:
            changes = {}
            for field, value in zip(table.fields, envelopes, strict=True):
                if value is None:
                    continue
                context = field.context_for_pk(pk)
                try:
                    if vault.is_sealed_with_active_key(value.envelope):
                        continue
                    plaintext = vault.unseal(value.envelope, context=context)
                except vault.DecryptionError as exc:
                    raise vault.DecryptionError(
                        f"{table.label} {pk} field {field.name}: {exc}"
                    ) from None
                changes[field.attname] = Sealed(vault.seal(plaintext, context=context))
            if changes:
                table.rows().filter(pk=pk).update(**changes)
                rewritten += len(changes)
    return [row[0] for row in batch], rewritten


def rotate_table(
    table: SealedTable, *, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None
) -> int:
    """Re-seal ``table``'s envelopes that are not under the active key; return how many.

    Raise :class:`~amparo.crypto.vault.DecryptionError` (naming the row and field,
    never the value) if an envelope does not open, e.g. its key was removed.
    Batches already committed stay re-sealed.
    """
    total = table.rows().count()
    done = rewritten = 0
    last_pk = None
    while True:
        pks, count = _reseal_batch(table, after=last_pk, batch_size=batch_size)
        if not pks:
            if done == 0 and progress is not None:
                progress(table.label, 0, total)
            return rewritten
        last_pk = pks[-1]
        done += len(pks)
        rewritten += count
        if progress is not None:
            progress(table.label, done, total)


def rotate_all(*, batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None) -> int:
    """Re-seal every envelope of every sealed table under the active key; return how many.

    A finished rotation is audited as done by the system (it runs from the console).
    """
    rewritten = sum(
        rotate_table(table, batch_size=batch_size, progress=progress) for table in sealed_tables()
    )
    for store in _token_stores.values():
        count = store.rotate()
        rewritten += count
        if progress is not None:
            progress(store.label, count, count)
    record_event(actor=None, action="crypto.keys_rotate")
    return rewritten
