"""The outbox's sweeps: send due messages, notice lost workers, reconcile unknown outcomes.

How a message is sent, so that a worker killed at any instant loses nothing:

1. **Claim** (one short transaction): due ``pending`` rows in lane order, locked
   with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, become ``sending``
   with a lease, a fresh attempt id, one more attempt and a sender from the
   channel's pool. The throttle rows of the channel's senders are locked in the
   same transaction, so several workers together hold each sender to its rate.
2. **Send** outside any transaction, from a small thread pool; each message
   waits for the moment the throttle gave it.
3. **Record** (one transaction): ``sent`` with the provider's id, ``pending``
   again after a transient error (exponential backoff), ``failed`` after a
   permanent one, ``unknown`` when the answer was lost. Every update names the
   attempt id, so a late worker can never overwrite a newer attempt.

A worker that dies between 1 and 3 leaves ``sending`` rows; when their lease
runs out :func:`expire_leases` marks them ``unknown``. :func:`reconcile_unknown`
asks the provider whether it has the message before anything is resent: found,
the row is ``sent``; not found, it is ``pending`` again. So a message can be
sent twice only if the provider's list missed it, and only after its row went
through ``unknown`` (``unknown_count`` counts the passages).

Tuning comes from ``settings.AMPARO_OUTBOX`` (a dict; every key optional):
see :class:`OutboxTuning`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from amparo.channels import actions
from amparo.channels.gateways.base import (
    ChannelConfig,
    Gateway,
    GatewayError,
    OutcomeUnknown,
    Outgoing,
    PermanentError,
    SentMessage,
)
from amparo.channels.models import (
    ChannelHealth,
    Lane,
    OutboundMessage,
    OutboundStatus,
    SenderThrottle,
    WebhookReceipt,
)
from amparo.channels.registry import channel_configs, gateway_for
from amparo.contacts.actions import opt_out
from amparo.contacts.models import Contact
from amparo.core.worker import register_sweep
from amparo.crypto.fields import EncryptedField

log = logging.getLogger("amparo.outbox")


@dataclass(frozen=True)
class OutboxTuning:
    batch_size: int = 200  # rows claimed at once
    send_threads: int = 8  # concurrent requests to the provider per worker
    lease_seconds: float = 60.0  # longer than the gateway's timeouts plus the pacing horizon
    horizon_seconds: float = 1.0  # claim what the senders can send within this much time
    backoff_seconds: float = 2.0  # first retry delay after a transient error, then doubled
    max_backoff_seconds: float = 600.0
    max_attempts: int = 20
    reconcile_delay_seconds: float = 5.0  # let the provider list a message before asking
    reconcile_slack_seconds: float = 60.0  # look this far before the claim (clock skew)
    reconcile_batch: int = 50
    max_batches_per_sweep: int = 25
    max_sweep_seconds: float = 5.0  # then the lease and reconcile sweeps get their turn


def tuning() -> OutboxTuning:
    configured: dict[str, Any] = getattr(settings, "AMPARO_OUTBOX", {}) or {}
    known = {f.name for f in fields(OutboxTuning)}
    return OutboxTuning(**{k: v for k, v in configured.items() if k in known})


@cache
def _pool(threads: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox-send")


# --- claiming ---------------------------------------------------------------------


@dataclass
class _Claimed:
    pk: uuid.UUID
    attempt_id: uuid.UUID
    attempts: int
    contact_id: uuid.UUID
    to: str
    body: str
    sender: str
    delay: float  # seconds after the claim at which the throttle lets it go
    valid_until: dt.datetime


def _throttles(config: ChannelConfig, now: dt.datetime) -> list[SenderThrottle]:
    """The channel's throttle rows, locked for this transaction (created on first use)."""
    senders = config.senders or [""]

    def locked() -> list[SenderThrottle]:
        return list(
            SenderThrottle.objects.select_for_update()
            .filter(channel=config.name, sender__in=senders)
            .order_by("sender")
        )

    throttles = locked()
    if len(throttles) < len(senders):
        existing = {t.sender for t in throttles}
        SenderThrottle.objects.bulk_create(
            [
                SenderThrottle(channel=config.name, sender=s, next_free_at=now)
                for s in senders
                if s not in existing
            ],
            ignore_conflicts=True,
        )
        throttles = locked()
    return throttles


# What a claim reads of each due row: no model instances (the claim is the
# outbox's hot path, and building two instances a row cost more than the rest).
_DUE_COLUMNS = (
    "id",
    "body",
    "segments",
    "attempts",
    "created_at",
    "valid_until",
    "lane",
    "contact_id",
    "contact__phone",
    "contact__opted_out_at",
)
_CLAIM = (
    "UPDATE channels_outboundmessage SET status = %s, lease_until = %s, attempt_id = %s,"
    " attempts = attempts + 1, claimed_at = %s, sender = %s WHERE id IN ({})"
)
_MOVE_THROTTLE = "UPDATE channels_senderthrottle SET next_free_at = %s WHERE id = %s"


def _uuid_param() -> Callable[[uuid.UUID], uuid.UUID | str]:
    """How the database takes a UUID as a query parameter (as Django's ``UUIDField`` does).

    Asked once a batch: reaching ``connection.features`` costs more than the conversion.
    """
    if connection.features.has_native_uuid_field:
        return _as_is
    return _as_hex


def _as_is(value: uuid.UUID) -> uuid.UUID:
    return value


def _as_hex(value: uuid.UUID) -> str:
    return value.hex


def _time_param(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def claim_due(config: ChannelConfig, *, settings_: OutboxTuning) -> list[_Claimed]:
    """Claim the channel's due rows that its senders can send within the horizon."""
    now = timezone.now()
    horizon = now + dt.timedelta(seconds=settings_.horizon_seconds)
    rate = max(config.rate_per_sender, 1e-6)
    body_field = OutboundMessage._meta.get_field("body")
    phone_field = Contact._meta.get_field("phone")
    assert isinstance(body_field, EncryptedField) and isinstance(phone_field, EncryptedField)
    claimed: list[_Claimed] = []
    with transaction.atomic():
        throttles = _throttles(config, now)
        # (next free moment, sender index): the sender that is free first sends next.
        free = [(max(t.next_free_at, now), i) for i, t in enumerate(throttles)]
        heapq.heapify(free)
        if free[0][0] > horizon:
            return []
        rows = list(
            OutboundMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                channel=config.name,
                status=OutboundStatus.PENDING,
                due_at__lte=now,
                valid_until__gt=now,
            )
            .order_by("lane", "due_at")
            .values_list(*_DUE_COLUMNS)[: settings_.batch_size]
        )
        opted_out: list[uuid.UUID] = []
        by_sender: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            pk, _, segments, _, created_at, _, lane, _, _, opted_out_at = row
            if opted_out_at is not None and (opted_out_at > created_at or lane >= Lane.ALERT):
                # STOP arrived after this was queued (the STOP confirmation itself,
                # queued after the opt-out, still goes). An alert or bulk message never
                # goes to an opted-out contact, whatever the times: a broadcast
                # enqueued while the STOP committed (PostgreSQL) may carry a later time.
                opted_out.append(pk)
                continue
            start, index = free[0]
            if start > horizon:
                break
            heapq.heapreplace(free, (start + dt.timedelta(seconds=segments / rate), index))
            by_sender[index].append((*row, start))
        as_uuid = _uuid_param()
        with connection.cursor() as cursor:
            if by_sender:
                cursor.executemany(
                    _MOVE_THROTTLE,
                    [(_time_param(at), throttles[index].pk) for at, index in free],
                )
            lease_until = _time_param(now + dt.timedelta(seconds=settings_.lease_seconds))
            for index, group in by_sender.items():
                attempt_id = uuid.uuid4()
                sender = throttles[index].sender
                cursor.execute(
                    _CLAIM.format(", ".join(["%s"] * len(group))),
                    [
                        OutboundStatus.SENDING.value,
                        lease_until,
                        as_uuid(attempt_id),
                        _time_param(now),
                        sender,
                        *(as_uuid(due[0]) for due in group),
                    ],
                )
                for pk, body, _, attempts, _, valid_until, _, contact_id, phone, _, start in group:
                    claimed.append(
                        _Claimed(
                            pk=pk,
                            attempt_id=attempt_id,
                            attempts=attempts + 1,
                            contact_id=contact_id,
                            to=phone_field.open_for_row(phone, contact_id),
                            body=body_field.open_for_row(body, pk),
                            sender=sender,
                            delay=(start - now).total_seconds(),
                            valid_until=valid_until,
                        )
                    )
        if opted_out:
            OutboundMessage.objects.filter(pk__in=opted_out).update(
                status=OutboundStatus.DROPPED, error_code="opted-out", finished_at=now
            )
    claimed.sort(key=lambda item: item.delay)
    return claimed


# --- sending ----------------------------------------------------------------------


def _send_one(gateway: Gateway, item: _Claimed, started: float) -> SentMessage | GatewayError:
    wait = started + item.delay - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    try:
        return gateway.send(
            Outgoing(to=item.to, body=item.body, sender=item.sender, valid_until=item.valid_until)
        )
    except GatewayError as exc:
        return exc
    except Exception as exc:
        # A bug or an unexpected library error: the request may have gone out.
        log.exception("outbox: unexpected error while sending")
        return OutcomeUnknown("unexpected", detail=type(exc).__name__)


def _backoff(attempts: int, settings_: OutboxTuning) -> dt.timedelta:
    seconds = settings_.backoff_seconds * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings_.max_backoff_seconds))


def record_outcomes(
    channel: str,
    outcomes: list[tuple[_Claimed, SentMessage | GatewayError]],
    *,
    settings_: OutboxTuning,
) -> None:
    """Write what happened to each claimed row (see the module docstring, step 3)."""
    now = timezone.now()
    sent = [(item, result) for item, result in outcomes if isinstance(result, SentMessage)]
    opted_out_contacts: list[uuid.UUID] = []
    last_error = ""
    with transaction.atomic():
        if sent:
            _mark_sent([(item, result.provider_id) for item, result in sent], now)
        for item, result in outcomes:
            if isinstance(result, SentMessage):
                continue
            last_error = result.code
            mine = OutboundMessage.objects.filter(
                pk=item.pk,
                attempt_id=item.attempt_id,
                status__in=[OutboundStatus.SENDING, OutboundStatus.UNKNOWN],
            )
            if isinstance(result, OutcomeUnknown):
                mine.filter(status=OutboundStatus.SENDING).update(
                    status=OutboundStatus.UNKNOWN,
                    unknown_count=F("unknown_count") + 1,
                    lease_until=None,
                    error_code=result.code[:32],
                    due_at=now + dt.timedelta(seconds=settings_.reconcile_delay_seconds),
                )
            elif isinstance(result, PermanentError):
                mine.update(
                    status=OutboundStatus.FAILED,
                    lease_until=None,
                    error_code=result.code[:32],
                    finished_at=now,
                )
                if result.opted_out:
                    opted_out_contacts.append(item.contact_id)
            elif now >= item.valid_until:
                mine.update(
                    status=OutboundStatus.DROPPED,
                    lease_until=None,
                    error_code="expired",
                    finished_at=now,
                )
            elif item.attempts >= settings_.max_attempts:
                mine.update(
                    status=OutboundStatus.FAILED,
                    lease_until=None,
                    error_code=result.code[:32],
                    finished_at=now,
                )
            else:  # TransientError
                mine.update(
                    status=OutboundStatus.PENDING,
                    lease_until=None,
                    error_code=result.code[:32],
                    due_at=now + _backoff(item.attempts, settings_),
                )
        _note_health(channel, now, success=bool(sent), error_code=last_error)
    if opted_out_contacts:
        for contact in Contact.objects.filter(pk__in=set(opted_out_contacts)):
            opt_out(contact=contact, method="provider")


_MARK_SENT = (
    "UPDATE channels_outboundmessage SET status = %s, provider_id = %s, sent_at = %s,"
    " lease_until = NULL, error_code = '' WHERE id = %s AND attempt_id = %s AND status IN (%s, %s)"
)


def _mark_sent(sent: list[tuple[_Claimed, str]], now: dt.datetime) -> None:
    """Record many sends in one ``executemany``: the hot path of the outbox.

    The ORM's ``Case(When(...))`` spent more CPU resolving expressions than the
    sends themselves; no sealed field is written here.
    """
    sent_at, as_uuid = _time_param(now), _uuid_param()
    with connection.cursor() as cursor:
        cursor.executemany(
            _MARK_SENT,
            [
                (
                    OutboundStatus.SENT.value,
                    provider_id,
                    sent_at,
                    as_uuid(item.pk),
                    as_uuid(item.attempt_id),
                    OutboundStatus.SENDING.value,
                    OutboundStatus.UNKNOWN.value,
                )
                for item, provider_id in sent
            ],
        )


def _note_health(channel: str, now: dt.datetime, *, success: bool, error_code: str) -> None:
    changes: dict[str, Any] = {}
    if success:
        changes["last_success_at"] = now
    if error_code:
        changes.update(last_error_at=now, last_error_code=error_code[:32])
    if changes and not ChannelHealth.objects.filter(channel=channel).update(**changes):
        try:
            with transaction.atomic():
                ChannelHealth.objects.create(channel=channel, **changes)
        except IntegrityError:
            ChannelHealth.objects.filter(channel=channel).update(**changes)


def send_channel(config: ChannelConfig, *, settings_: OutboxTuning) -> int:
    """Claim, send and record batches of the channel; how many rows it handled.

    Pipelined: while one batch is with the provider, the next is claimed and
    queued behind it, and the one before is recorded, so the senders never
    wait for the database. At most ``max_batches_per_sweep`` batches or
    ``max_sweep_seconds``, so the lease and reconcile sweeps get their turn.
    """
    gateway = gateway_for(config.name)
    pool = _pool(settings_.send_threads)

    def submit(batch: list[_Claimed]) -> list[Future[SentMessage | GatewayError]]:
        started = time.monotonic()
        return [pool.submit(_send_one, gateway, item, started) for item in batch]

    until = time.monotonic() + settings_.max_sweep_seconds
    batch = claim_due(config, settings_=settings_)
    futures = submit(batch)
    handled, batches = 0, 1
    while batch:
        following: list[_Claimed] = []
        if batches < settings_.max_batches_per_sweep and time.monotonic() < until:
            following = claim_due(config, settings_=settings_)
            batches += 1
        following_futures = submit(following)
        outcomes = [(item, future.result()) for item, future in zip(batch, futures, strict=True)]
        record_outcomes(config.name, outcomes, settings_=settings_)
        handled += len(batch)
        batch, futures = following, following_futures
    return handled


@register_sweep("outbox.send", every=0.2)
def send_due_messages() -> int:
    """Send one batch of every channel's due messages, throttled to each channel's rate."""
    settings_ = tuning()
    return sum(send_channel(config, settings_=settings_) for config in channel_configs().values())


# --- lost workers, unknown outcomes, expiry ------------------------------------------


@register_sweep("outbox.leases", every=1.0)
def expire_leases() -> int:
    """``sending`` rows whose lease ran out (their worker died): ``unknown``, to reconcile."""
    now = timezone.now()
    return OutboundMessage.objects.filter(
        status=OutboundStatus.SENDING, lease_until__lt=now
    ).update(
        status=OutboundStatus.UNKNOWN,
        unknown_count=F("unknown_count") + 1,
        lease_until=None,
        error_code="lease-expired",
        due_at=now + dt.timedelta(seconds=tuning().reconcile_delay_seconds),
    )


@register_sweep("outbox.reconcile", every=1.0)
def reconcile_unknown() -> int:
    """Ask the provider about ``unknown`` rows: found is ``sent``, not found is due again."""
    settings_ = tuning()
    now = timezone.now()
    rows = list(
        OutboundMessage.objects.filter(status=OutboundStatus.UNKNOWN, due_at__lte=now)
        .select_related("contact")
        .order_by("due_at")[: settings_.reconcile_batch]
    )
    for row in rows:
        _reconcile_one(row, settings_=settings_)
    return len(rows)


def _reconcile_one(row: OutboundMessage, *, settings_: OutboxTuning) -> None:
    now = timezone.now()
    mine = OutboundMessage.objects.filter(
        pk=row.pk, status=OutboundStatus.UNKNOWN, attempt_id=row.attempt_id
    )
    since = (row.claimed_at or row.created_at) - dt.timedelta(
        seconds=settings_.reconcile_slack_seconds
    )
    try:
        found = gateway_for(row.channel).find_sent(to=row.contact.phone, body=row.body, since=since)
    except GatewayError as exc:
        # The provider's list cannot be read now: ask again later, never resend blindly.
        mine.update(
            due_at=now + dt.timedelta(seconds=settings_.reconcile_delay_seconds),
            error_code=exc.code[:32],
        )
        return
    taken = set(
        OutboundMessage.objects.filter(
            channel=row.channel, provider_id__in=[r.provider_id for r in found]
        ).values_list("provider_id", flat=True)
    )
    # The oldest record no other row owns: two equal bodies to one contact each get their own.
    candidates = sorted(
        (r for r in found if r.provider_id not in taken), key=lambda r: r.created_at
    )
    if candidates:
        try:
            with transaction.atomic():
                mine.update(
                    status=OutboundStatus.SENT,
                    provider_id=candidates[0].provider_id,
                    sent_at=candidates[0].created_at,
                    error_code="",
                )
        except IntegrityError:
            pass  # another worker gave that record to another row at the same moment
        return
    if now >= row.valid_until:
        mine.update(status=OutboundStatus.DROPPED, error_code="expired", finished_at=now)
    else:
        mine.update(status=OutboundStatus.PENDING, due_at=now)


@register_sweep("outbox.expire", every=30.0)
def drop_expired() -> int:
    """Pending rows past their validity period are ``dropped`` (carriers would fail them)."""
    now = timezone.now()
    return OutboundMessage.objects.filter(
        status=OutboundStatus.PENDING, valid_until__lte=now
    ).update(status=OutboundStatus.DROPPED, error_code="expired", finished_at=now)


WEBHOOK_RECEIPT_DAYS = 1


@register_sweep("webhooks.purge_receipts", every=3600.0)
def purge_webhook_receipts() -> int:
    """Forget idempotency tokens after a day: providers retry within minutes."""
    cutoff = timezone.now() - dt.timedelta(days=WEBHOOK_RECEIPT_DAYS)
    deleted, _ = WebhookReceipt.objects.filter(received_at__lt=cutoff).delete()
    return deleted


@register_sweep("messages.purge", every=600.0)
def purge_old_messages() -> int:
    """Delete texts, voicemails and finished replies past ``AMPARO_MESSAGE_RETENTION_DAYS``."""
    cutoff = timezone.now() - dt.timedelta(days=settings.AMPARO_MESSAGE_RETENTION_DAYS)
    return actions.purge_old_messages(before=cutoff)


@register_sweep("provider.erase", every=30.0)
def erase_provider_copies() -> int:
    """Delete at the provider the copies of messages and recordings we purged."""
    return actions.erase_due_provider_copies()
