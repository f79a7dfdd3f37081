"""Writes of the intake app: storing what reached the network and routing it.

Each inbound item is stored once per provider id (the unique constraints
``inbound_once`` and ``inbound_webhook_once`` decide a race). A text is stored
by the webhook in one short write and routed afterwards by the worker's
``intake.route`` sweep, in received order, each in its own transaction: a
crash half-way leaves it waiting, and the next sweep routes it. Storing an
inbound item is not audited: it is the system recording what it was sent,
on the hot path; the consent and language changes it causes are.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from amparo.channels.actions import erase_text_at_provider
from amparo.channels.gateways.base import InboundText
from amparo.channels.models import InboundKind, InboundMessage
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Contact
from amparo.core.ratelimit import allow
from amparo.incidents.actions import submit_report
from amparo.incidents.models import ReportSource
from amparo.intake.keywords import match_keyword
from amparo.intake.router import follow_route, plan_route

log = logging.getLogger("amparo.intake")

VOICEMAIL = "voicemail"


class _AlreadyReceived(Exception):
    pass


def inbound_text_row(*, channel: str, text: InboundText, webhook_token: str = "") -> InboundMessage:
    """The row :func:`store_inbound_text` stores for ``text``, not saved yet.

    The route is read from the words now (no database), so the inbox shows a
    text that needs an operator even before it is routed.
    """
    route = plan_route(match_keyword(text.body))
    return InboundMessage(
        channel=channel,
        sender=text.from_phone,
        kind=InboundKind.SMS,
        body=text.body,
        provider_id=text.provider_id,
        webhook_token=webhook_token,
        received_at=timezone.now(),
        routed_to=route.routed_to,
        needs_operator=route.needs_operator,
    )


def store_inbound_text(
    *, channel: str, text: InboundText, webhook_token: str = ""
) -> InboundMessage | None:
    """Store ``text`` as it came (sender and body sealed), for the ``intake.route`` sweep.

    The webhook's whole write: one row, so a burst of texts is answered fast
    and the provider never waits on routing. Return None, having stored
    nothing, when the provider id or the webhook's idempotency token was
    already received on ``channel``.
    """
    return store_inbound_row(
        message=inbound_text_row(channel=channel, text=text, webhook_token=webhook_token)
    )


def store_inbound_row(*, message: InboundMessage) -> InboundMessage | None:
    """Store a row from :func:`inbound_text_row`; None if it repeats one received before."""
    try:
        # Outside a transaction the INSERT is its own, committed when it
        # returns: the database's write lock is held for that one statement,
        # not for the Python work of building and sealing the row as well.
        # Inside one (the simulator, tests) a savepoint keeps a duplicate from
        # breaking the caller's transaction.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            _insert([message])
    except IntegrityError:
        if _already_received(message.channel, message.provider_id, message.webhook_token):
            return None
        raise
    return message


def store_inbound_rows(
    *, messages: Sequence[InboundMessage]
) -> list[InboundMessage | IntegrityError | None]:
    """Store rows from :func:`inbound_text_row` with one INSERT, outside any transaction.

    For each row, in order: the row; None if it repeats a provider id or
    idempotency token received before or earlier in ``messages``; or an
    :class:`IntegrityError` if it was neither stored nor a repeat. Repeats
    are skipped by the constraints (``ON CONFLICT DO NOTHING``, on SQLite
    and PostgreSQL alike). An error of the statement itself is raised, and
    then nothing was stored.
    """
    assert not connection.in_atomic_block, "the INSERT must be its own transaction"
    stored = _insert(messages, ignore_repeats=True)
    outcomes: list[InboundMessage | IntegrityError | None] = []
    for message in messages:
        if message.pk in stored:
            outcomes.append(message)
        elif _already_received(message.channel, message.provider_id, message.webhook_token):
            outcomes.append(None)
        else:
            outcomes.append(IntegrityError("an inbound text was neither stored nor a repeat"))
    return outcomes


def _insert(messages: Sequence[InboundMessage], *, ignore_repeats: bool = False) -> set[uuid.UUID]:
    """INSERT the rows, as ``save(force_insert=True)`` would, in one statement; the ids stored.

    Hand-written, with each field's own ``pre_save`` (the sealing) and
    ``get_db_prep_save``: Django's insert compiler cost about a fifth of
    the webhook's time, and bulk_create wraps its work in a transaction, so
    SQLite's write lock would be held while the statement is built and each
    row sealed. ``ignore_repeats``: rows that break a unique constraint (a
    provider id or idempotency token received before) are skipped, and the
    ids of those stored come back from the INSERT itself (``RETURNING``).
    """
    fields = _insert_fields()
    params = [
        field.get_db_prep_save(field.pre_save(message, True), connection)
        for message in messages
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(len(messages), ignore_repeats=ignore_repeats), params)
        if ignore_repeats and connection.features.can_return_rows_from_bulk_insert:
            stored = {_as_uuid(row[0]) for row in cursor.fetchall()}
        elif ignore_repeats:
            ids = [message.pk for message in messages]
            stored = set(InboundMessage.objects.filter(pk__in=ids).values_list("pk", flat=True))
        else:
            stored = {message.pk for message in messages}
    for message in messages:
        if message.pk in stored:
            message._state.adding = False
            message._state.db = connection.alias
    return stored


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _insert_fields() -> list[Any]:
    return [f for f in InboundMessage._meta.local_concrete_fields if not f.generated]


_INSERT_SQL: dict[tuple[str, int, bool], str] = {}


def _insert_sql(rows: int, *, ignore_repeats: bool) -> str:
    """The INSERT statement for ``rows`` rows on this database, made once per shape."""
    key = (connection.vendor, rows, ignore_repeats)
    if key not in _INSERT_SQL:
        quote = connection.ops.quote_name
        fields = _insert_fields()
        columns = ", ".join(quote(field.column) for field in fields)
        values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
        table = quote(InboundMessage._meta.db_table)
        # Only quoted names of the model and placeholders: every value is a parameter.
        sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
        if ignore_repeats:
            sql += " ON CONFLICT DO NOTHING"
            if connection.features.can_return_rows_from_bulk_insert:
                sql += f" RETURNING {quote(InboundMessage._meta.pk.column)}"
        _INSERT_SQL[key] = sql
    return _INSERT_SQL[key]


def route_stored_message(*, message_id: uuid.UUID | str) -> InboundMessage | None:
    """Route a stored text: find or create its contact, then follow its route.

    Return None when another worker routed it first, or when its sender is not
    a phone number we could ever answer (then the text is deleted: it has no
    one to belong to; logged without the address). A failure rolls back
    everything, so the text stays waiting.
    """
    with transaction.atomic():
        waiting = InboundMessage.objects.filter(pk=message_id, routed_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        message = waiting.first()
        if message is None:
            return None
        contact = _sender(message.channel, message.sender or "")
        if contact is None:
            message.delete()
            return None
        message.contact = contact
        message.sender = None
        message.routed_at = timezone.now()
        message.save(update_fields=["contact", "sender", "routed_at"])
        route = plan_route(match_keyword(message.body))
        follow_route(route=route, message=message, contact=contact)
        erase_text_at_provider(message=message)
    return message


def give_up_routing(*, message_id: uuid.UUID | str) -> None:
    """Hand a text whose routing keeps failing to the operators, so it is not retried forever."""
    InboundMessage.objects.filter(pk=message_id, routed_at__isnull=True).update(
        routed_at=timezone.now(), needs_operator=True
    )


def receive_text(*, channel: str, text: InboundText) -> InboundMessage | None:
    """Store ``text`` and route it at once (the phone simulator, tests): see the two steps."""
    stored = store_inbound_text(channel=channel, text=text)
    if stored is None:
        return None
    return route_stored_message(message_id=stored.pk)


def receive_voicemail(
    *,
    channel: str,
    provider_id: str,
    from_phone: str,
    recording_url: str,
    duration_seconds: int,
    caller_verified: bool = False,
) -> InboundMessage | None:
    """Store a voicemail for the operators (recording URL and duration sealed), and report it.

    No SMS reply. ``from_phone`` is "" for a withheld number: the voicemail is
    kept without a contact (nobody can call back, but what it says may matter).
    It also becomes a report with no text and no place yet: an operator listens,
    transcribes and places it. ``caller_verified``: the carrier fully attested
    the caller id (STIR/SHAKEN "A"); otherwise the number may be spoofed and
    operators are told so.

    Return None, having changed nothing, for a provider id already received on
    ``channel``, or a caller id that is there but is not a phone number.
    """
    try:
        with transaction.atomic():
            contact = _sender(channel, from_phone) if from_phone else None
            if from_phone and contact is None:
                return None
            message = _store(
                channel=channel,
                contact=contact,
                provider_id=provider_id,
                kind=InboundKind.VOICEMAIL,
                body="",
                media={
                    "recording_url": recording_url,
                    "duration_seconds": duration_seconds,
                    "caller_verified": caller_verified,
                },
                routed_to=VOICEMAIL,
                needs_operator=True,
            )
            if _may_report_voicemail(contact):
                submit_report(
                    source=ReportSource.VOICEMAIL,
                    reporter=contact,
                    inbound=message,
                    language=contact.language if contact is not None else "",
                    received_at=message.received_at,
                )
    except _AlreadyReceived:
        return None
    log.info("intake: message %s routed to %s", message.pk, VOICEMAIL)
    return message


def _may_report_voicemail(contact: Contact | None) -> bool:
    """Voicemails become reports up to a limit: per number, and for all withheld numbers together.

    Past it they still reach the operators' inbox; only the board is spared a flood.
    """
    allowed = allow(
        scope="report-voicemail",
        key=str(contact.pk) if contact is not None else "withheld",
        limit=(
            settings.AMPARO_SMS_REPORT_LIMIT
            if contact is not None
            else settings.AMPARO_WITHHELD_VOICEMAIL_REPORT_LIMIT
        ),
        window_seconds=settings.AMPARO_SMS_REPORT_WINDOW_SECONDS,
    )
    if not allowed:
        log.warning("intake: a voicemail was not made a report (over the limit)")
    return allowed


def _already_received(channel: str, provider_id: str, webhook_token: str = "") -> bool:
    same = Q(provider_id=provider_id)
    if webhook_token:
        same |= Q(webhook_token=webhook_token)
    return InboundMessage.objects.filter(same, channel=channel).exists()


def _sender(channel: str, phone: str) -> Contact | None:
    try:
        return find_or_create_contact(phone=phone)
    except ContactsError:
        log.warning("intake: dropped an item on %s from an address that is not a phone", channel)
        return None


def _store(
    *,
    channel: str,
    contact: Contact | None,
    provider_id: str,
    kind: str,
    body: str,
    routed_to: str,
    needs_operator: bool,
    media: dict[str, object] | None = None,
) -> InboundMessage:
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                channel=channel,
                contact=contact,
                kind=kind,
                body=body,
                media=media,
                provider_id=provider_id,
                received_at=timezone.now(),
                routed_to=routed_to,
                needs_operator=needs_operator,
            )
    except IntegrityError:
        if _already_received(channel, provider_id):
            # A concurrent delivery of the same item won; undo everything we did.
            raise _AlreadyReceived from None
        raise
