"""Writes of the audit app: appending one event to the chain."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import connections, models, transaction
from django.db.models import F
from django.utils import timezone

from amparo.audit.models import HEAD_ID, AuditError, AuditEvent, AuditHead
from amparo.audit.queries import head_seal_matches
from amparo.crypto.vault import audit_digest, audit_head_digest

if TYPE_CHECKING:
    from amparo.accounts.models import User

# Codes, not sentences: nothing a person typed can reach the log through them.
_ACTION = re.compile(r"(?=.{3,64}\Z)[a-z0-9_]+(?:\.[a-z0-9_]+)+")
_TARGET_TYPE = re.compile(r"(?=.{3,100}\Z)[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_TARGET_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def record_event(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
) -> AuditEvent:
    """Append "``actor`` did ``action`` to ``target``" to the audit chain and return it.

    ``actor`` is None for the system or an anonymous caller. Name the target
    either by a saved model instance or by ``target_type`` ("app_label.model")
    and an opaque ``target_id``; never by anything personal.

    Appends take turns on the head row, which stays locked until the
    surrounding transaction commits: inside a longer transaction, record the
    event last so other requests wait as little as possible. Raises
    :class:`AuditError` rather than extend a chain whose head is missing or
    does not carry its seal: appending would hide the tampering.
    """
    target_type, target_id = _target_key(target, target_type, target_id)
    if not _ACTION.fullmatch(action):
        raise AuditError(f"action must be a short dotted code like 'contact.view', not {action!r}")
    if actor is not None and actor.pk is None:
        raise AuditError("the actor must be a saved user (or None for the system)")
    actor_id = actor.pk if actor is not None else None
    actor_role = actor.role if actor is not None else ""

    with transaction.atomic():
        sequence, previous_hash = _claim_next_sequence()
        event = AuditEvent(
            sequence=sequence,
            at=timezone.now(),
            actor_id=actor_id,
            actor_role=actor_role,
            action=action,
            target_type=target_type,
            target_id=target_id,
            previous_hash=previous_hash,
        )
        event.hash = audit_digest(previous_hash, event.payload())
        event.save()
        AuditHead.objects.filter(pk=HEAD_ID).update(
            hash=event.hash, seal=audit_head_digest(sequence, event.hash)
        )
    return event


def _target_key(target: models.Model | None, target_type: str, target_id: str) -> tuple[str, str]:
    if target is not None:
        if target_type or target_id:
            raise AuditError("name the target by instance or by type and id, not both")
        if target.pk is None:
            raise AuditError("the target must be saved before it can be audited")
        target_type, target_id = target._meta.label_lower, str(target.pk)
    if not target_type and not target_id:
        return "", ""
    if not _TARGET_TYPE.fullmatch(target_type):
        raise AuditError(f"target_type must look like 'app_label.model', not {target_type!r}")
    if not _TARGET_ID.fullmatch(target_id):
        raise AuditError("target_id must be an opaque id of up to 64 letters, digits or _.:-")
    return target_type, target_id


def _claim_next_sequence() -> tuple[int, str]:
    """Lock the head, move it one step, and return (new sequence, previous hash).

    The UPDATE comes before any read: it takes the row lock on PostgreSQL and
    the write lock on SQLite, so two appends can never read the same head.
    The head is never created here: migration 0002 made it, so a missing head
    was deleted, and starting a new chain would hide that.
    """
    head = AuditHead.objects.filter(pk=HEAD_ID)
    if not head.update(sequence=F("sequence") + 1):
        raise AuditError("the audit head is missing; run `amparo audit verify`")
    sequence, previous_hash, seal = head.values_list("sequence", "hash", "seal").get()
    if not head_seal_matches(sequence - 1, previous_hash, seal):
        raise AuditError("the audit head's seal does not match; run `amparo audit verify`")
    if sequence == 1 and AuditEvent.objects.exists():
        raise AuditError("the audit head is back at #0 but events exist; run `amparo audit verify`")
    return sequence, previous_hash


def restore_head_after_flush(*, using: str) -> None:
    """Write the head at #0 again in a database that ``flush`` emptied.

    ``flush`` deletes every row, the head included, and then asks apps to
    restore what their migrations wrote (through ``post_migrate``, see
    :mod:`amparo.audit.apps`); tests that commit for real end with one. A head
    is written only if the log holds no event and no head.
    """
    connection = connections[using]
    if AuditHead._meta.db_table not in connection.introspection.table_names():
        return
    with transaction.atomic(using=using):
        if AuditEvent.objects.using(using).exists():
            return
        AuditHead.objects.using(using).bulk_create([AuditHead(pk=HEAD_ID)], ignore_conflicts=True)
