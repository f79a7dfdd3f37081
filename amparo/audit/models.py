"""The audit log: an append-only, hash-chained record of who saw or changed what.

Each :class:`AuditEvent` names an actor, an action code and an opaque target
(``"contacts.contact"``, ``"42"``), never the data itself. Its ``hash`` is a
keyed digest (:func:`amparo.crypto.vault.audit_digest`) of the previous event's
hash and of :func:`chain_payload`, so editing, removing, reordering or forging
a row breaks the chain for anybody who lacks the key. :class:`AuditHead` holds
the newest sequence number and hash: appends lock it to take turns, and
verification compares it with the last row to notice the newest rows deleted.

The head is sealed too (:func:`amparo.crypto.vault.audit_head_digest`), so it
cannot be pointed back at an older event without the key, and migration 0002
writes it before any event, so a missing head means a deleted one. What the
database alone cannot reveal, because it needs no key to do:

- replaying an old head: somebody who kept a copy of the head row can delete
  every event after it and put the copy back;
- a reset to the start: deleting every event and writing a head at #0, which
  is what a database that never recorded an event looks like.

Both cut the log back to a state it really was in. Only a head recorded away
from the database catches them: ``amparo audit verify`` prints the head, and
``--expect-at-least SEQ:HASHPREFIX`` checks the log still reaches it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
"""The ``previous_hash`` of event #1."""

HEAD_ID = 1


class AuditError(Exception):
    """A rule of the audit log was broken: a malformed event, or a write to history."""


def chain_payload(
    *,
    sequence: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    target_type: str,
    target_id: str,
) -> bytes:
    """The canonical bytes an event's hash commits to: sorted-key, compact, ASCII JSON.

    ``at`` is written in UTC with microseconds so that the value read back from
    either database serializes exactly as it did when the event was recorded.
    """
    return json.dumps(
        {
            "seq": sequence,
            "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_role": actor_role,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses bulk edits and deletes, which would bypass the model's own guard."""

    def update(self, **kwargs: Any) -> int:
        raise AuditError("audit events cannot be changed")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One thing somebody saw or did. Written only by ``actions.record_event``."""

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # PROTECT: the hash covers actor_id, and "who" must stay answerable after
    # somebody leaves, so a user with events is deactivated, not deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditError("audit events cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditError("audit events cannot be deleted")

    def payload(self) -> bytes:
        return chain_payload(
            sequence=self.sequence,
            at=self.at,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
        )


class AuditHead(models.Model):
    """The single row that says how long the chain is and how it ends.

    Migration 0002 writes it at #0 with the genesis hash and no seal (a
    migration cannot rely on holding the keys); every append seals it. An
    empty seal is accepted at #0 only: that is the state before the first event.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    # audit_head_digest(sequence, hash), or "" for the head at #0.
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=HEAD_ID), name="audit_head_is_singleton")
        ]

    def __str__(self) -> str:
        return f"audit head #{self.sequence}"
