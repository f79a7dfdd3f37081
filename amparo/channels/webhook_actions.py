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
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from amparo.channels.actions import record_receipt
from amparo.channels.gateways.base import DeliveryReceipt, InboundText
from amparo.channels.models import InboundMessage, OutboundMessage, WebhookReceipt
from amparo.intake.actions import (
    inbound_text_row,
    receive_voicemail,
    store_inbound_row,
    store_inbound_rows,
    store_inbound_text,
)

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
    database takes rows, and routing (contact, keywords, replies) runs in the
    worker. Texts arriving on several threads of this process at once share
    that insert (:class:`_TextsInFlight`); each is committed before its
    caller returns.
    """
    if connection.in_atomic_block:  # the simulator, tests: the caller's transaction
        return store_inbound_text(channel=channel, text=text, webhook_token=idempotency_token)
    row = inbound_text_row(channel=channel, text=text, webhook_token=idempotency_token)
    return _again_if_database_busy(lambda: _texts_in_flight.store(row))


class _NotStored(RuntimeError):
    """What a text's thread is told if the thread storing its batch stopped half-way."""


@dataclass(eq=False)
class _Waiting:
    message: InboundMessage
    woken: threading.Event = field(default_factory=threading.Event)
    leads: bool = False  # woken to store the queue, not because its text is stored
    result: InboundMessage | None = None
    error: BaseException | None = field(default_factory=lambda: _NotStored("not stored"))

    def settle(self, outcome: InboundMessage | BaseException | None) -> None:
        if isinstance(outcome, BaseException):
            self.result, self.error = None, outcome
        else:
            self.result, self.error = outcome, None


class _TextsInFlight:
    """The texts this process's request threads are storing; one thread stores all that wait.

    On SQLite one writer at a time holds the write lock, and every turn costs
    a hand-over between threads and processes. A thread that finds no batch
    being stored stores its own text and every text queued meanwhile, in one
    INSERT, and wakes their threads with the outcome: they return at once,
    without a turn of their own. Then it hands the turn to the first text
    queued while it stored, if any. A batch the database refuses for being
    busy is refused to each of its texts (each then tries once more); one
    whose INSERT fails otherwise (nothing stored) is stored text by text, so
    no text fails for another's fault.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._storing = False

    def store(self, message: InboundMessage) -> InboundMessage | None:
        mine = _Waiting(message)
        with self._lock:
            self._queue.append(mine)
            leads = mine.leads = not self._storing
            self._storing = True
        if not leads:
            mine.woken.wait()
        if mine.leads:
            with self._lock:
                batch, self._queue = self._queue, []
            try:
                _store_batch(batch)
            finally:
                for waiting in batch:
                    if waiting is not mine:
                        waiting.woken.set()
                self._hand_over()
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _hand_over(self) -> None:
        """The first text queued stores the next batch; with none queued, the next to come does."""
        with self._lock:
            if self._queue:
                self._queue[0].leads = True
                self._queue[0].woken.set()
            else:
                self._storing = False


def _store_batch(batch: list[_Waiting]) -> None:
    if len(batch) == 1:
        batch[0].settle(_outcome_alone(batch[0].message))
        return
    outcomes: list[InboundMessage | Exception | None]
    try:
        outcomes = [*store_inbound_rows(messages=[waiting.message for waiting in batch])]
    except OperationalError as exc:
        for waiting in batch:
            waiting.settle(exc)
        return
    except DatabaseError:
        outcomes = [_outcome_alone(waiting.message) for waiting in batch]
    for waiting, outcome in zip(batch, outcomes, strict=True):
        waiting.settle(outcome)


def _outcome_alone(message: InboundMessage) -> InboundMessage | Exception | None:
    try:
        return store_inbound_row(message=message)
    except Exception as exc:
        return exc


_texts_in_flight = _TextsInFlight()


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
