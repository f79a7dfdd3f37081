"""Reads of broadcasts: who a broadcast goes to, the staff's list and pages, its progress.

Staff reads go through ``access_*`` (coordinators only, audited). The
recipient queries are the fan-out's hot path: they return raw database rows
(contact id as the database stores it, language, town id), never contacts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet

from amparo.accounts.models import Role, User
from amparo.alerts.models import (
    Broadcast,
    BroadcastRecipient,
    SubscriptionStatus,
    SubscriptionTown,
)
from amparo.audit.actions import record_event
from amparo.channels.models import OutboundMessage, OutboundStatus

COORDINATOR_ROLES = (Role.COORDINATOR,)


def _town_rows(town_ids: list[int]) -> QuerySet[SubscriptionTown, dict[str, Any]]:
    """(contact, language, first town) of the active, not opted-out subscribers of the towns."""
    return (
        SubscriptionTown.objects.filter(
            town_id__in=town_ids,
            subscription__status=SubscriptionStatus.ACTIVE,
            subscription__contact__opted_out_at__isnull=True,
        )
        .values(
            recipient=F("subscription__contact_id"),
            recipient_language=F("subscription__contact__language"),
        )
        .annotate(first_town=Min("town_id"))
        .order_by()
    )


def _correction_rows(original: Broadcast) -> QuerySet[BroadcastRecipient, dict[str, Any]]:
    """The original's recipients who still want alerts (not opted out, alerts not stopped)."""
    return (
        BroadcastRecipient.objects.filter(
            broadcast=original,
            contact__opted_out_at__isnull=True,
            contact__subscription__status=SubscriptionStatus.ACTIVE,
        )
        .values(recipient=F("contact_id"), recipient_language=F("contact__language"))
        .annotate(first_town=Min("contact__subscription__subscriptiontown__town_id"))
        .order_by()
    )


def _rows_query(broadcast: Broadcast) -> QuerySet[Any, dict[str, Any]]:
    if broadcast.corrects_id is not None:
        return _correction_rows(broadcast.corrects)  # type: ignore[arg-type]
    town_ids = list(broadcast.towns.values_list("pk", flat=True))
    return _town_rows(town_ids)


def recipient_rows(broadcast: Broadcast) -> Iterator[tuple[Any, str, int | None]]:
    """(contact id as stored, contact language, one of its towns), once per contact.

    Run as raw SQL so 100,000 rows cost no model instances nor UUID parsing:
    the contact id comes back as the database holds it, ready to insert again.
    """
    sql, params = _rows_query(broadcast).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(10_000):
            yield from batch


def recipient_counts(broadcast: Broadcast) -> dict[tuple[int, str], int]:
    """Recipients by (town id, contact language); a contact in two towns counts once.

    Counted by the database over :func:`recipient_rows`' query: a few dozen
    rows come back, not one per recipient.
    """
    inner, params = _rows_query(broadcast).query.sql_with_params()
    sql = (
        "SELECT r.first_town, r.recipient_language, COUNT(*) "  # noqa: S608 (the ORM's own SQL)
        f"FROM ({inner}) AS r GROUP BY r.first_town, r.recipient_language"
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

    @property
    def finished(self) -> int:
        return self.sent + self.delivered + self.failed

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


def progress_of(broadcast: Broadcast) -> Progress:
    """Counts of the broadcast's messages by outcome (one query, no message read)."""
    counts = OutboundMessage.objects.filter(
        pk__in=BroadcastRecipient.objects.filter(broadcast=broadcast).values("message_id")
    ).aggregate(
        queued=Count("pk", filter=Q(status__in=WAITING)),
        sent=Count("pk", filter=Q(status=OutboundStatus.SENT)),
        delivered=Count("pk", filter=Q(status=OutboundStatus.DELIVERED)),
        failed=Count("pk", filter=Q(status__in=FAILED)),
    )
    return Progress(recipients=broadcast.recipient_count, **counts)
