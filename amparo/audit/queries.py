"""Reads of the audit app: checking that the chain is whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Subquery

from amparo.audit.models import GENESIS_HASH, HEAD_ID, AuditEvent, AuditHead, chain_payload
from amparo.crypto.vault import audit_digest

EDITED = "hash mismatch (row edited or forged)"
GAP = "gap in sequence (row deleted)"
UNEXPECTED_SEQUENCE = "unexpected sequence number (row inserted)"
RELINKED = "previous hash does not match (rows reordered, removed or inserted)"
TRUNCATED = "head does not match last event (newest rows deleted)"
HEAD_EDITED = "head does not match last event (head edited)"
HEAD_MISSING = "audit head is missing (head deleted)"
BEYOND_HEAD = "events beyond the head (rows inserted)"


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found.

    ``checked`` counts the events that verified before the first break (all
    of them when ``ok``); ``first_broken`` is the sequence number where the
    chain stops being trustworthy.
    """

    ok: bool
    checked: int
    first_broken: int | None = None
    reason: str = ""


def verify_chain(
    *,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 100_000,
    chunk_size: int = 2_000,
) -> ChainReport:
    """Recompute every link of the audit chain, oldest first, and compare with the head.

    Rows are streamed in sequence order, so memory stays flat however long the
    log. ``progress(checked, total)`` is called every ``progress_every`` events
    and once at the end. Events appended while this runs lie beyond the head
    read at the start and are left for the next run.
    """
    head = AuditHead.objects.filter(pk=HEAD_ID).values_list("sequence", "hash").first()
    events = AuditEvent.objects.order_by("sequence")
    if head is not None:
        events = events.filter(sequence__lte=head[0])
    total = head[0] if head is not None else events.count()

    checked = 0
    previous_hash = GENESIS_HASH
    rows = events.values_list(
        "sequence",
        "at",
        "actor_id",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "previous_hash",
        "hash",
    ).iterator(chunk_size=chunk_size)
    for sequence, at, actor_id, role, action, target_type, target_id, linked, stored in rows:
        expected = checked + 1
        if sequence != expected:
            return _broken(checked, expected, GAP if sequence > expected else UNEXPECTED_SEQUENCE)
        if linked != previous_hash:
            return _broken(checked, sequence, RELINKED)
        payload = chain_payload(
            sequence=sequence,
            at=at,
            actor_id=actor_id,
            actor_role=role,
            action=action,
            target_type=target_type,
            target_id=target_id,
        )
        if audit_digest(previous_hash, payload) != stored:
            return _broken(checked, sequence, EDITED)
        previous_hash = stored
        checked = sequence
        if progress is not None and checked % progress_every == 0 and checked < total:
            progress(checked, total)

    if head is None:
        if checked:
            return _broken(checked, checked + 1, HEAD_MISSING)
    elif checked < head[0]:
        return _broken(checked, checked + 1, TRUNCATED)
    elif previous_hash != head[1]:
        return _broken(checked, checked, HEAD_EDITED)
    elif _events_beyond_head():
        return _broken(checked, checked + 1, BEYOND_HEAD)
    if progress is not None:
        progress(checked, total)
    return ChainReport(ok=True, checked=checked)


def _events_beyond_head() -> bool:
    # One statement, so an append committing meanwhile is seen on both sides or neither.
    head_sequence = AuditHead.objects.filter(pk=HEAD_ID).values("sequence")
    return AuditEvent.objects.filter(sequence__gt=Subquery(head_sequence)).exists()


def _broken(checked: int, first_broken: int, reason: str) -> ChainReport:
    return ChainReport(ok=False, checked=checked, first_broken=first_broken, reason=reason)
