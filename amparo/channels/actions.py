"""Writes of the channels app: queueing outbound messages and recording delivery receipts.

Sending itself is the worker's job (:mod:`amparo.channels.sweeps`). Queueing is
the hot path of a broadcast, so it is not audited unless a person wrote the
message (an operator's reply).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from amparo.audit.actions import record_event
from amparo.channels.gateways.base import DeliveryReceipt, PermanentError, TransientError
from amparo.channels.models import (
    ErasureKind,
    InboundKind,
    InboundMessage,
    Lane,
    OutboundMessage,
    OutboundStatus,
    ProviderErasure,
)
from amparo.channels.registry import channel_configs, gateway_for
from amparo.channels.segments import count_segments
from amparo.contacts.actions import opt_out
from amparo.contacts.models import Contact
from amparo.crypto.vault import blind_index, row_context, seal

if TYPE_CHECKING:
    from amparo.accounts.models import User

log = logging.getLogger("amparo.channels")

__all__ = [
    "AUTOMATIC_REPLY_LIMIT",
    "AUTOMATIC_REPLY_WINDOW",
    "IDENTICAL_LIMIT",
    "IDENTICAL_WINDOW",
    "ChannelsError",
    "body_digest",
    "drop_pending",
    "queue_many",
    "queue_message",
    "record_receipt",
]

# The same text to the same person at most twice a day: a double-clicked alert
# or a looping job must not flood a phone.
IDENTICAL_LIMIT = 2
IDENTICAL_WINDOW = dt.timedelta(hours=24)
# An auto-responder answering our auto-reply would otherwise loop forever.
AUTOMATIC_REPLY_LIMIT = 3
AUTOMATIC_REPLY_WINDOW = dt.timedelta(minutes=10)

OPTED_OUT_ERROR = "21610"

# Receipt statuses that end a message's life, and what they become.
FINAL_RECEIPTS = {
    "delivered": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERED,
    "failed": OutboundStatus.FAILED,
}
# A receipt may still land on a row in these states (e.g. after a lost answer).
RECEIPT_UPDATABLE = (
    OutboundStatus.SENDING,
    OutboundStatus.UNKNOWN,
    OutboundStatus.SENT,
)


class ChannelsError(Exception):
    """A rule of the channels app was broken (unknown channel, empty message)."""


def body_digest(*, contact: Contact, body: str) -> str:
    """Keyed digest of (contact, body): finds identical messages without reading bodies."""
    return blind_index(f"{contact.pk}\x00{body}", purpose="outbox-body")


def queue_message(
    *,
    contact: Contact,
    body: str,
    lane: Lane = Lane.REPLY,
    channel: str = "sms",
    in_reply_to: InboundMessage | None = None,
    sent_by: User | None = None,
    automatic: bool = False,
    even_if_opted_out: bool = False,
) -> OutboundMessage | None:
    """Put a message to ``contact`` in the outbox, due now; the worker sends it.

    Returns None and queues nothing if the contact opted out (unless
    ``even_if_opted_out``: only the STOP confirmation) or, for an ``automatic``
    reply, if the contact already got :data:`AUTOMATIC_REPLY_LIMIT` automatic
    replies in :data:`AUTOMATIC_REPLY_WINDOW` (an auto-responder loop). A body
    already queued :data:`IDENTICAL_LIMIT` times to the contact in
    :data:`IDENTICAL_WINDOW` is kept as a ``dropped`` row with error code
    ``capped``, so the staff views show why it never went out.
    """
    configs = channel_configs()
    if channel not in configs:
        raise ChannelsError("That channel is not configured.")
    if not body:
        raise ChannelsError("A message needs a text.")
    now = timezone.now()
    encoding, segments = count_segments(body)
    digest = body_digest(contact=contact, body=body)
    with transaction.atomic():
        # Lock the contact (PostgreSQL): a concurrent STOP or a second copy of
        # the same message waits, so the checks below hold when the row lands.
        opted_out_at = (
            Contact.objects.select_for_update()
            .filter(pk=contact.pk)
            .values_list("opted_out_at", flat=True)
            .get()
        )
        if opted_out_at is not None and not even_if_opted_out:
            return None
        live = OutboundMessage.objects.filter(contact=contact).exclude(
            status=OutboundStatus.DROPPED
        )
        if (
            automatic
            and live.filter(automatic=True, created_at__gte=now - AUTOMATIC_REPLY_WINDOW).count()
            >= AUTOMATIC_REPLY_LIMIT
        ):
            return None
        capped = (
            live.filter(body_digest=digest, created_at__gte=now - IDENTICAL_WINDOW).count()
            >= IDENTICAL_LIMIT
        )
        message = OutboundMessage.objects.create(
            channel=channel,
            contact=contact,
            body=body,
            body_digest=digest,
            lane=lane,
            encoding=encoding,
            segments=segments,
            status=OutboundStatus.DROPPED if capped else OutboundStatus.PENDING,
            error_code="capped" if capped else "",
            finished_at=now if capped else None,
            due_at=now,
            valid_until=now + dt.timedelta(seconds=configs[channel].validity_seconds),
            in_reply_to=in_reply_to,
            sent_by=sent_by,
            automatic=automatic,
        )
        if sent_by is not None:
            # A person wrote it; system messages (alerts, replies) are not audited one by one.
            record_event(actor=sent_by, action="channels.message_queue", target=message)
    return message


# Rows per INSERT statement of queue_many: big enough to amortise the round
# trip, small enough for SQLite's limit on parameters per statement.
QUEUE_MANY_BATCH = 1000


def queue_many(
    *,
    messages: Sequence[tuple[uuid.UUID | str, str]],
    lane: Lane,
    channel: str = "sms",
    validity_seconds: int | None = None,
    valid_until: dt.datetime | None = None,
) -> list[str | None]:
    """Queue many (contact id, body) messages at once, due now: a broadcast's fan-out.

    Each row is what :func:`queue_message` makes (sealed body bound to its own
    row, ``body_digest``, encoding and segments, ``due_at`` now, valid for the
    channel's validity unless ``validity_seconds`` or ``valid_until`` says
    less, pending), written by multi-row INSERTs instead of one ORM save per
    message. ``valid_until`` lets a broadcast whose messages are made in
    chunks keep the validity it was given when it was approved.

    Ids travel as 32 hex digits, the way Django stores a UUID on SQLite (and
    PostgreSQL reads them as UUIDs too), so 100,000 of them cost no UUID
    objects: a contact id may be a ``UUID`` or such a string, and the result
    holds each input's message id so, in order, or None for a contact that
    opted out (nothing is queued for it).

    Unlike :func:`queue_message` it neither locks the contacts nor applies the
    identical-message cap: a broadcast reaches a contact once by its own
    unique recipient rows, and a STOP that lands after the check is honoured
    at send time (the outbox drops messages created before the contact opted
    out). Nothing is audited per message.
    """
    configs = channel_configs()
    if channel not in configs:
        raise ChannelsError("That channel is not configured.")
    if not messages:
        return []
    if not all(body for _, body in messages):
        raise ChannelsError("A message needs a text.")
    now = timezone.now()
    seconds = configs[channel].validity_seconds
    if validity_seconds is not None:
        seconds = min(seconds, validity_seconds)
    expires = now + dt.timedelta(seconds=seconds)
    if valid_until is not None:
        expires = min(expires, valid_until)
    meta = OutboundMessage._meta
    # The context vault.row_context gives this column of a row: "table|column|<uuid>".
    context_prefix = row_context(
        table=meta.db_table, column=meta.get_field("body").column, row="-"
    )[:-1]
    costs = {body: count_segments(body) for body in {body for _, body in messages}}
    encoded = {body: body.encode("utf-8") for body in costs}
    constant = {
        "channel": channel,
        "lane": int(lane),
        "status": OutboundStatus.PENDING.value,
        "due_at": now,
        "valid_until": expires,
        "created_at": now,
    }
    fields = list(meta.local_concrete_fields)
    names = [field.attname for field in fields]
    per_row = ("id", "contact_id", "body", "body_digest", "encoding", "segments")
    template: list[Any] = []
    for field in fields:
        value = None
        if field.attname not in per_row:
            value = constant[field.attname] if field.attname in constant else field.get_default()
            value = field.get_db_prep_save(value, connection)
        template.append(value)
    at = {name: names.index(name) for name in per_row}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "  # noqa: S608 (model names)
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with transaction.atomic():
        opted_out = _opted_out([_hex(contact_id) for contact_id, _ in messages])
        ids: list[str | None] = []
        rows: list[list[Any]] = []
        randomness = secrets.token_hex(16 * len(messages))
        for index, (contact_id, body) in enumerate(messages):
            contact_hex = _hex(contact_id)
            if contact_hex in opted_out:
                ids.append(None)
                continue
            message_hex = randomness[32 * index : 32 * index + 32]
            encoding, segments = costs[body]
            row = template.copy()
            row[at["id"]] = message_hex
            row[at["contact_id"]] = contact_hex
            row[at["body"]] = seal(encoded[body], context=context_prefix + _dashed(message_hex))
            row[at["body_digest"]] = blind_index(
                f"{_dashed(contact_hex)}\x00{body}", purpose="outbox-body"
            )
            row[at["encoding"]] = encoding.value
            row[at["segments"]] = segments
            rows.append(row)
            ids.append(message_hex)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), QUEUE_MANY_BATCH):
                cursor.executemany(sql, rows[start : start + QUEUE_MANY_BATCH])
    return ids


def _hex(value: uuid.UUID | str) -> str:
    return value.hex if isinstance(value, uuid.UUID) else value


def _dashed(hex32: str) -> str:
    """A UUID's usual form (``str(uuid.UUID(hex32))``) without making the UUID."""
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def _opted_out(contact_ids: list[str]) -> set[str]:
    """Which of ``contact_ids`` opted out: few contacts ever do, so ask for all of them once."""
    query = Contact.objects.filter(opted_out_at__isnull=False)
    if len(contact_ids) <= QUEUE_MANY_BATCH:
        query = query.filter(pk__in=contact_ids)
    return {pk.hex for pk in query.values_list("pk", flat=True)}


def drop_pending(*, message_ids: Iterable[Any], error_code: str) -> int:
    """Drop those of ``message_ids`` still waiting to be sent; return how many were dropped.

    They become ``dropped`` with ``error_code`` (e.g. "halted": a coordinator
    stopped the broadcast), so the staff views show why they never went out.
    A message a sender already claimed (sending, or its outcome unknown) is
    past stopping and left alone. ``message_ids`` may be a queryset of ids
    (one statement, however many). The caller audits the reason once; nothing
    is audited per message.
    """
    return OutboundMessage.objects.filter(pk__in=message_ids, status=OutboundStatus.PENDING).update(
        status=OutboundStatus.DROPPED, error_code=error_code, finished_at=timezone.now()
    )


def record_receipt(*, channel: str, receipt: DeliveryReceipt) -> OutboundMessage | None:
    """Apply a provider's status callback to the message it names; None if none matches.

    ``delivered``, ``undelivered`` and ``failed`` end the message's life;
    intermediate statuses (``sent``, ``queued``...) change nothing. Twilio
    error 21610 means the person opted out with the carrier: the contact is
    opted out here too, so nothing more is queued for it.
    """
    final = FINAL_RECEIPTS.get(receipt.status)
    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(channel=channel, provider_id=receipt.provider_id)
            .select_related("contact")
            .first()
        )
        if message is None:
            return None
        if final is not None and message.status in RECEIPT_UPDATABLE:
            now = timezone.now()
            message.status = final
            message.error_code = receipt.error_code[:32]
            message.finished_at = now
            message.lease_until = None
            if message.sent_at is None:
                message.sent_at = now
            message.save(
                update_fields=["status", "error_code", "finished_at", "lease_until", "sent_at"]
            )
        if receipt.error_code == OPTED_OUT_ERROR:
            opt_out(contact=message.contact, method="provider")
    return message


# --- the operators' inbox (staff messaging views) ------------------------------


def mark_handled(*, message: InboundMessage, by: User) -> InboundMessage:
    """Take ``message`` out of the operators' inbox, as handled by ``by`` now; audited.

    Two operators may click at once: the first one wins and keeps the credit,
    and the second click changes nothing (and is not audited).
    """
    with transaction.atomic():
        claimed = InboundMessage.objects.filter(pk=message.pk, handled_at__isnull=True).update(
            handled_at=timezone.now(), handled_by=by
        )
        if claimed:
            record_event(actor=by, action="channels.inbound_handle", target=message)
    message.refresh_from_db(fields=["handled_at", "handled_by"])
    return message


# Outcomes that are final: a row in any other state may still be sent or reconciled.
FINISHED_STATUSES = (
    OutboundStatus.SENT,
    OutboundStatus.FAILED,
    OutboundStatus.DROPPED,
    OutboundStatus.DELIVERED,
    OutboundStatus.UNDELIVERED,
)


def purge_old_messages(*, before: dt.datetime, batch: int = 500) -> int:
    """Delete up to ``batch`` texts and voicemails, and finished replies, older than ``before``.

    Retention (DESIGN.md, security rule 1): what does not exist cannot be handed
    over. A report made from a text keeps its anonymous facts (incidents); the
    words go with the message. An outbound row still pending, sending or of
    unknown outcome is kept until it is finished. The provider's own copies
    (message bodies, voicemail recordings) are queued for erasure there too.
    Return how many rows went.
    """
    with transaction.atomic():
        inbound = list(
            InboundMessage.objects.filter(received_at__lt=before)
            .order_by("received_at")
            .values_list("pk", flat=True)[:batch]
        )
        outbound = list(
            OutboundMessage.objects.filter(created_at__lt=before, status__in=FINISHED_STATUSES)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch]
        )
        _queue_provider_erasures(inbound=inbound, outbound=outbound)
        InboundMessage.objects.filter(pk__in=inbound).delete()
        OutboundMessage.objects.filter(pk__in=outbound).delete()
        if inbound or outbound:
            record_event(actor=None, action="channels.messages_purge")
    return len(inbound) + len(outbound)


# The channel whose provider account holds a row's copy: the voice hotline's
# recordings live in the same Twilio account as the SMS channel's messages.
PROVIDER_CHANNEL = {"sms": "sms", "voice": "sms"}
ERASE_BACKOFF_LIMIT = dt.timedelta(days=1)


def _provider_channel(channel: str) -> str | None:
    provider = PROVIDER_CHANNEL.get(channel)
    if provider is None or not gateway_for(provider).keeps_copies:
        return None
    return provider


def _queue_provider_erasures(*, inbound: list[Any], outbound: list[Any]) -> None:
    rows: list[ProviderErasure] = []
    now = timezone.now()
    for channel, kind, provider_id in InboundMessage.objects.filter(pk__in=inbound).values_list(
        "channel", "kind", "provider_id"
    ):
        provider = _provider_channel(channel)
        if provider is not None and provider_id:
            erasure = (
                ErasureKind.RECORDING if kind == InboundKind.VOICEMAIL else ErasureKind.MESSAGE
            )
            rows.append(
                ProviderErasure(channel=provider, kind=erasure, provider_id=provider_id, due_at=now)
            )
    for channel, provider_id in OutboundMessage.objects.filter(pk__in=outbound).values_list(
        "channel", "provider_id"
    ):
        provider = _provider_channel(channel)
        if provider is not None and provider_id:
            rows.append(
                ProviderErasure(
                    channel=provider, kind=ErasureKind.MESSAGE, provider_id=provider_id, due_at=now
                )
            )
    ProviderErasure.objects.bulk_create(rows, ignore_conflicts=True)


def erase_text_at_provider(*, message: InboundMessage) -> None:
    """Queue the provider's copy of a routed inbound text for erasure now.

    Ours is sealed and kept for the operators; the provider's would only wait
    there for a legal demand. (Recordings stay until retention: operators
    listen to them at the provider.)
    """
    provider = _provider_channel(message.channel)
    if provider is None or message.kind != InboundKind.SMS or not message.provider_id:
        return
    ProviderErasure.objects.bulk_create(
        [
            ProviderErasure(
                channel=provider,
                kind=ErasureKind.MESSAGE,
                provider_id=message.provider_id,
                due_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )


def erase_due_provider_copies(*, batch: int = 50) -> int:
    """Ask the provider to delete up to ``batch`` due copies; return how many were tried.

    Runs outside any transaction while it waits on the provider. A copy erased
    (or already gone) is forgotten; a transient failure is asked again later,
    with a backoff doubling up to a day and never giving up; a permanent refusal
    is logged by its code and forgotten.
    """
    due = list(
        ProviderErasure.objects.filter(due_at__lte=timezone.now()).order_by("due_at")[:batch]
    )
    for erasure in due:
        try:
            gateway_for(erasure.channel).erase(kind=erasure.kind, provider_id=erasure.provider_id)
        except TransientError as exc:
            attempts = erasure.attempts + 1
            delay = min(dt.timedelta(minutes=2 ** min(attempts, 12)), ERASE_BACKOFF_LIMIT)
            ProviderErasure.objects.filter(pk=erasure.pk).update(
                attempts=attempts, due_at=timezone.now() + delay
            )
            log.warning("provider erasure %s failed (%s); trying again", erasure.pk, exc.code)
            continue
        except PermanentError as exc:
            log.error("provider erasure %s refused (%s); giving up", erasure.pk, exc.code)
        ProviderErasure.objects.filter(pk=erasure.pk).delete()
    return len(due)
