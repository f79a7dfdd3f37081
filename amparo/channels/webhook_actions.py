"""Writes behind the provider webhooks: each callback is handled once.

A provider retries a callback it thinks failed, and may send the same one
twice. Two guards, both in the same transaction as the work they protect, so
a crash half-way leaves nothing and the retry starts over:

- the provider's idempotency token (Twilio's ``I-Twilio-Idempotency-Token``),
  kept as a :class:`WebhookReceipt` for a day (on the message row itself for
  an inbound text);
- the provider's own id of the item (``InboundMessage`` is unique per channel
  and provider id; receipts are applied by provider id).

These are system writes on the hot path of inbound traffic and are not
audited; intake audits what they cause (consent and language changes).

Twilio does not retry a webhook that failed, so a text refused for a busy
database would be lost: on SQLite, where a burst of writers queues for one
write lock and the loser gets "database is locked" after the busy timeout,
the whole transaction (rolled back) is tried once more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from amparo.channels.actions import record_receipt
from amparo.channels.gateways.base import DeliveryReceipt, InboundText
from amparo.channels.models import InboundMessage, OutboundMessage, WebhookReceipt
from amparo.intake.actions import receive_voicemail, store_inbound_text

log = logging.getLogger("amparo.channels")

BUSY_RETRIES = 1
T = TypeVar("T")


def _again_if_database_busy(work: Callable[[], T]) -> T:
    for attempt in range(BUSY_RETRIES + 1):
        try:
            return work()
        except OperationalError as exc:
            busy = connection.vendor == "sqlite" and "locked" in str(exc)
            if not busy or attempt == BUSY_RETRIES or connection.in_atomic_block:
                raise
            log.warning("webhook: the database was busy; trying once more")
    raise AssertionError("unreachable")


def remember_webhook(*, channel: str, token: str) -> bool:
    """Note that the callback with idempotency ``token`` is handled; False if it already was.

    Run it inside the transaction that does the callback's work, so the note
    and the work are kept or lost together.
    """
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(channel=channel, token=token, received_at=timezone.now())
    except IntegrityError:
        return False
    return True


def accept_inbound_text(
    *, channel: str, text: InboundText, idempotency_token: str = ""
) -> InboundMessage | None:
    """Store an inbound text once, for the routing sweep; None if this callback or text came before.

    The idempotency token is kept on the message row itself, so the webhook's
    whole write is one insert: a burst of texts is answered at the rate the
    database takes single rows, and routing (contact, keywords, replies) runs
    in the worker.
    """
    return _again_if_database_busy(
        lambda: store_inbound_text(channel=channel, text=text, webhook_token=idempotency_token)
    )


def accept_receipt(
    *, channel: str, receipt: DeliveryReceipt, idempotency_token: str = ""
) -> OutboundMessage | None:
    """Apply a delivery receipt once; None if this callback came before or matches no message."""

    def work() -> OutboundMessage | None:
        with transaction.atomic():
            if idempotency_token and not remember_webhook(channel=channel, token=idempotency_token):
                return None
            return record_receipt(channel=channel, receipt=receipt)

    return _again_if_database_busy(work)


def accept_voicemail(
    *,
    channel: str,
    provider_id: str,
    from_phone: str,
    recording_url: str,
    duration_seconds: int,
    caller_verified: bool = False,
    idempotency_token: str = "",
) -> InboundMessage | None:
    """Store a voicemail for the operators once; None if it came before."""

    def work() -> InboundMessage | None:
        with transaction.atomic():
            if idempotency_token and not remember_webhook(channel=channel, token=idempotency_token):
                return None
            return receive_voicemail(
                channel=channel,
                provider_id=provider_id,
                from_phone=from_phone,
                recording_url=recording_url,
                duration_seconds=duration_seconds,
                caller_verified=caller_verified,
            )

    return _again_if_database_busy(work)
