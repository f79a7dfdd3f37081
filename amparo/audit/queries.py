"""Reads of the audit app: checking that the chain is whole."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Subquery

from amparo.audit.models import GENESIS_HASH, HEAD_ID, AuditEvent, AuditHead, chain_payload
from amparo.crypto.vault import audit_digest, audit_head_digest

EDITED = "hash mismatch (row edited or forged)"
GAP = "gap in sequence (row deleted)"
UNEXPECTED_SEQUENCE = "unexpected sequence number (row inserted)"
RELINKED = "previous hash does not match (rows reordered, removed or inserted)"
TRUNCATED = "head does not match last event (newest rows deleted)"
HEAD_EDITED = "head does not match last event (head edited)"
HEAD_SEAL = "head seal does not match (head edited)"
HEAD_MISSING = "audit head is missing (head deleted)"
BEYOND_HEAD = "events beyond the head (rows inserted or head moved back)"
SHORTER_THAN_ANCHOR = "log ends before the expected anchor (newest events deleted)"
ANCHOR_MISMATCH = (
    "event at the expected anchor has another hash (log rewritten, or the anchor is wrong)"
)


@dataclass(frozen=True)
class Anchor:
    """A head recorded away from the database: the log must still reach it.

    ``hash_prefix`` (lowercase hex, may be empty) must begin the hash of event
    #``sequence``; #0 stands for the genesis hash.
    """

    sequence: int
    hash_prefix: str = ""


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found.

    ``checked`` counts the events that verified before the first break (all
    of them when ``ok``); ``first_broken`` is the sequence number where the
    chain stops being trustworthy. ``last_hash`` is the hash of event
    #``checked`` (the genesis hash for #0): with ``checked`` it names the head
    an operator can write down. It is left out of comparisons, which are
    about the verdict.
    """

    ok: bool
    checked: int
    first_broken: int | None = None
    reason: str = ""
    last_hash: str = field(default=GENESIS_HASH, compare=False)


def head_seal_matches(sequence: int, last_hash: str, seal: str) -> bool:
    """True if ``seal`` was made with the audit key for this head, or it is the unsealed #0.

    The head at #0 is written by a migration, which cannot count on holding
    the key, so it carries no seal; anybody can write it, which is why
    resetting an emptied log to #0 needs an anchor kept elsewhere to be seen.
    """
    if not seal:
        return sequence == 0 and last_hash == GENESIS_HASH
    return secrets.compare_digest(seal, audit_head_digest(sequence, last_hash))


def verify_chain(
    *,
    expect_at_least: Anchor | None = None,
    progress: Callable[[int, int], None] | None = None,
    progress_every: int = 100_000,
    chunk_size: int = 2_000,
) -> ChainReport:
    """Recompute every link of the audit chain, oldest first, and check the sealed head.

    Rows are streamed in sequence order, so memory stays flat however long the
    log. ``progress(checked, total)`` is called every ``progress_every`` events
    and once at the end. Events appended while this runs lie beyond the head
    read at the start and are left for the next run.

    The head's seal shows it was not pointed back at an older event, but not
    that it is the newest head there ever was (see :mod:`amparo.audit.models`):
    pass ``expect_at_least``, a head recorded elsewhere, to check the log has
    not been cut back below it.
    """
    head = AuditHead.objects.filter(pk=HEAD_ID).values_list("sequence", "hash", "seal").first()
    events = AuditEvent.objects.order_by("sequence")
    if head is not None:
        events = events.filter(sequence__lte=head[0])
    total = head[0] if head is not None else events.count()
    anchor_sequence = expect_at_least.sequence if expect_at_least is not None else -1
    anchor_hash = GENESIS_HASH if anchor_sequence == 0 else ""

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
            reason = GAP if sequence > expected else UNEXPECTED_SEQUENCE
            return _broken(checked, expected, reason, previous_hash)
        if linked != previous_hash:
            return _broken(checked, sequence, RELINKED, previous_hash)
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
            return _broken(checked, sequence, EDITED, previous_hash)
        previous_hash = stored
        checked = sequence
        if sequence == anchor_sequence:
            anchor_hash = stored
        if progress is not None and checked % progress_every == 0 and checked < total:
            progress(checked, total)

    if head is None:
        # Migration 0002 wrote the head, so even an empty log had one.
        return _broken(checked, checked + 1, HEAD_MISSING, previous_hash)
    head_sequence, head_hash, head_seal = head
    if checked < head_sequence:
        return _broken(checked, checked + 1, TRUNCATED, previous_hash)
    if previous_hash != head_hash:
        return _broken(checked, checked, HEAD_EDITED, previous_hash)
    if not head_seal_matches(head_sequence, head_hash, head_seal):
        # The events up to here are sound; whether any came after is unknown.
        return _broken(checked, checked + 1, HEAD_SEAL, previous_hash)
    if _events_beyond_head():
        return _broken(checked, checked + 1, BEYOND_HEAD, previous_hash)
    if expect_at_least is not None:
        if checked < expect_at_least.sequence:
            return _broken(checked, checked + 1, SHORTER_THAN_ANCHOR, previous_hash)
        if not anchor_hash.startswith(expect_at_least.hash_prefix):
            return _broken(checked, expect_at_least.sequence, ANCHOR_MISMATCH, previous_hash)
    if progress is not None:
        progress(checked, total)
    return ChainReport(ok=True, checked=checked, last_hash=previous_hash)


def _events_beyond_head() -> bool:
    # One statement, so an append committing meanwhile is seen on both sides or neither.
    head_sequence = AuditHead.objects.filter(pk=HEAD_ID).values("sequence")
    return AuditEvent.objects.filter(sequence__gt=Subquery(head_sequence)).exists()


def _broken(checked: int, first_broken: int, reason: str, last_hash: str) -> ChainReport:
    return ChainReport(
        ok=False, checked=checked, first_broken=first_broken, reason=reason, last_hash=last_hash
    )
