"""Reads of broadcasts: who a broadcast goes to, the staff's list and pages, its progress.

Staff reads go through ``access_*`` (coordinators only, audited). The
recipient queries are the fan-out's hot path: they return raw database rows
(contact id as the database stores it, language, town id), never contacts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.alerts.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    SubscriptionStatus,
)
from amparo.audit.actions import record_event
from amparo.channels.models import OutboundStatus

COORDINATOR_ROLES = (Role.COORDINATOR,)


# The recipient queries run over 100,000 rows in a fan-out, so they are written
# as SQL for the plans both databases find fastest. A subscription is one
# contact's, so every row is one contact; contact ids come back as the
# database holds them. Counting by town needs each subscriber's lowest town
# among the broadcast's (a subscriber of two towns counts once)...
_TOWN_RECIPIENTS_BY_TOWN = """
    SELECT s.contact_id AS recipient, c.language AS recipient_language, m.first_town
    FROM (
        SELECT subscription_id, MIN(town_id) AS first_town
        FROM alerts_subscriptiontown WHERE town_id IN ({towns}) GROUP BY subscription_id
    ) m
    JOIN alerts_subscription s ON s.id = m.subscription_id
    JOIN contacts_contact c ON c.id = s.contact_id
    WHERE s.status = %s AND c.opted_out_at IS NULL
"""
# ...writing the recipients does not (a semi-join, a third faster on PostgreSQL).
_TOWN_RECIPIENTS = """
    SELECT s.contact_id AS recipient, c.language AS recipient_language
    FROM alerts_subscription s
    JOIN contacts_contact c ON c.id = s.contact_id
    WHERE s.id IN (
        SELECT subscription_id FROM alerts_subscriptiontown WHERE town_id IN ({towns})
    ) AND s.status = %s AND c.opted_out_at IS NULL
"""
# A correction's: the original's recipients who still want alerts (not opted
# out, alerts not stopped), under one of their towns.
_CORRECTION_RECIPIENTS = """
    SELECT r.contact_id AS recipient, c.language AS recipient_language{first_town}
    FROM alerts_broadcastrecipient r
    JOIN contacts_contact c ON c.id = r.contact_id
    JOIN alerts_subscription s ON s.contact_id = r.contact_id
    WHERE r.broadcast_id = %s AND s.status = %s AND c.opted_out_at IS NULL
"""
_CORRECTION_FIRST_TOWN = """,
        (SELECT MIN(st.town_id) FROM alerts_subscriptiontown st
         WHERE st.subscription_id = s.id) AS first_town"""


def broadcast_db_id(broadcast_id: uuid.UUID) -> Any:
    """A broadcast's id as the database takes it in raw SQL (a UUID, or 32 hex digits)."""
    return Broadcast._meta.pk.get_db_prep_value(broadcast_id, connection)


def recipients_sql(broadcast: Broadcast, *, by_town: bool = False) -> tuple[str, list[Any]]:
    """SQL of ``broadcast``'s recipients: (recipient, recipient_language) rows.

    One row per contact, active subscribers not opted out: of its towns, or
    for a correction of the original's recipients. ``by_town`` adds a third
    column, ``first_town``: the recipient's lowest town of the broadcast.
    """
    active = SubscriptionStatus.ACTIVE.value
    if broadcast.corrects_id is not None:
        sql = _CORRECTION_RECIPIENTS.format(first_town=_CORRECTION_FIRST_TOWN if by_town else "")
        return sql, [broadcast_db_id(broadcast.corrects_id), active]
    town_ids = list(broadcast.towns.values_list("pk", flat=True)) or [0]
    template = _TOWN_RECIPIENTS_BY_TOWN if by_town else _TOWN_RECIPIENTS
    return template.format(towns=", ".join(["%s"] * len(town_ids))), [*town_ids, active]


def recipient_counts(broadcast: Broadcast) -> dict[tuple[int, str], int]:
    """Recipients by (town id, contact language); a contact in two towns counts once.

    Counted by the database over :func:`recipients_sql`: a few dozen rows come
    back, not one per recipient.
    """
    inner, params = recipients_sql(broadcast, by_town=True)
    sql = (
        "SELECT r.first_town, r.recipient_language, COUNT(*) "  # noqa: S608 (our own SQL)
        f"FROM ({inner}) r GROUP BY r.first_town, r.recipient_language"
    )
    counts: dict[tuple[int, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for town, language, count in cursor.fetchall():
            counts[(town or 0, language)] = count
    return counts


# --- staff reads ------------------------------------------------------------------


def _require(user: User) -> None:
    if not user.has_role(*COORDINATOR_ROLES):
        raise PermissionDenied


def access_broadcasts(user: User, *, limit: int = 100) -> list[Broadcast]:
    """The latest broadcasts, newest first, for the staff list (audited as one read)."""
    _require(user)
    broadcasts = list(
        Broadcast.objects.select_related("author", "approved_by", "incident__town")
        .prefetch_related("towns")
        .order_by("-created_at")[:limit]
    )
    record_event(actor=user, action="alerts.broadcast_list")
    return broadcasts


def access_broadcast(user: User, broadcast_id: uuid.UUID) -> Broadcast:
    """One broadcast with its towns, author and approver; audited."""
    _require(user)
    try:
        broadcast = (
            Broadcast.objects.select_related("author", "approved_by", "incident__town", "corrects")
            .prefetch_related("towns")
            .get(pk=broadcast_id)
        )
    except Broadcast.DoesNotExist:
        raise PermissionDenied from None
    record_event(actor=user, action="alerts.broadcast_view", target=broadcast)
    return broadcast


def broadcast_version(broadcast: Broadcast) -> str:
    """A digest of what an approver approves: kind, bodies, towns, incident, original, submission.

    The approval form carries the version the approver read; approving checks
    it still matches (:func:`amparo.alerts.actions.broadcasts.approve_broadcast`),
    so a page opened before the text changed cannot approve the new text.
    Not a secret (the approver sees all of it): a plain hash.
    """
    seen = {
        "kind": broadcast.kind,
        "bodies": broadcast.bodies,
        "towns": sorted(broadcast.towns.values_list("pk", flat=True)),
        "incident": str(broadcast.incident_id or ""),
        "corrects": str(broadcast.corrects_id or ""),
        "submitted_at": broadcast.submitted_at.isoformat() if broadcast.submitted_at else "",
    }
    canonical = json.dumps(seen, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def broadcast_for_action(user: User, broadcast_id: uuid.UUID) -> Broadcast:
    """The broadcast a write is about (the action audits the write itself)."""
    _require(user)
    try:
        return Broadcast.objects.get(pk=broadcast_id)
    except Broadcast.DoesNotExist:
        raise PermissionDenied from None


@dataclass(frozen=True)
class Progress:
    """Where a broadcast's messages are: counts only."""

    recipients: int
    queued: int
    sent: int
    delivered: int
    failed: int
    # Its recipients were deleted by the retention sweep: only the total is left.
    forgotten: bool = False

    @property
    def finished(self) -> int:
        return self.recipients if self.forgotten else self.sent + self.delivered + self.failed

    @property
    def percent(self) -> int:
        if not self.recipients:
            return 100
        return min(100, round(100 * self.finished / self.recipients))

    @property
    def done(self) -> bool:
        return self.recipients > 0 and self.finished >= self.recipients


# Not finished yet: waiting, being sent, or being checked with the provider.
WAITING = (OutboundStatus.PENDING, OutboundStatus.SENDING, OutboundStatus.UNKNOWN)
FAILED = (OutboundStatus.FAILED, OutboundStatus.UNDELIVERED, OutboundStatus.DROPPED)


def messages_valid_until(broadcast: Broadcast) -> dt.datetime | None:
    """When a queued broadcast's messages stop being worth sending: from its queueing.

    Its recipients' messages are made in chunks as the senders get through
    them (``alerts.materialize``), but every one expires at this moment,
    however late it was made. None before it is queued.
    """
    if broadcast.queued_at is None:
        return None
    return broadcast.queued_at + dt.timedelta(seconds=broadcast.validity_seconds)


def still_materialising(broadcast: Broadcast, now: dt.datetime) -> bool:
    """Whether recipients without a message may still get one (sending and still valid)."""
    until = messages_valid_until(broadcast)
    return broadcast.status == BroadcastStatus.SENDING and until is not None and now < until


def unmade_to_send() -> Q:
    """Recipients whose message is still to be made: none yet, and not opted out since."""
    return Q(message__isnull=True, contact__opted_out_at__isnull=True)


def progress_of(broadcast: Broadcast) -> Progress:
    """Counts of the broadcast's recipients by where their message is (one query, no message read).

    A recipient whose message is not made yet is ``queued`` while it may still
    be made; one that opted out before, or whose broadcast's validity ran out
    first, is counted with the failed (not sent). So is, once the retention
    purge deleted it, a finished message (its recipient's link is cleared).
    Once the recipients themselves are deleted (``alerts.forget_recipients``)
    only the total is left: ``forgotten``.
    """
    unmade = Q(message__isnull=True)
    to_make = unmade_to_send() if still_materialising(broadcast, timezone.now()) else None
    queued = Q(message__status__in=WAITING)
    not_sent = Q(message__status__in=FAILED)
    if to_make is None:
        not_sent |= unmade
    else:
        queued |= to_make
        not_sent |= unmade & ~Q(contact__opted_out_at__isnull=True)
    counts = BroadcastRecipient.objects.filter(broadcast=broadcast).aggregate(
        rows=Count("pk"),
        queued=Count("pk", filter=queued),
        sent=Count("pk", filter=Q(message__status=OutboundStatus.SENT)),
        delivered=Count("pk", filter=Q(message__status=OutboundStatus.DELIVERED)),
        failed=Count("pk", filter=not_sent),
    )
    rows = counts.pop("rows")
    forgotten = (
        rows == 0
        and broadcast.recipient_count > 0
        and broadcast.status in (BroadcastStatus.SENT, BroadcastStatus.CANCELLED)
    )
    return Progress(recipients=broadcast.recipient_count, forgotten=forgotten, **counts)
