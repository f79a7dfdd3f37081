"""Invented messages for the staff messaging tests: fake 555-01xx numbers, made-up texts."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from django.utils import timezone

from amparo.channels.models import (
    Encoding,
    InboundKind,
    InboundMessage,
    Lane,
    OutboundMessage,
    OutboundStatus,
)
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact

_numbers = itertools.count(100)


def make_contact(phone: str = "", *, language: str = "en") -> Contact:
    """A contact with a fictional 555-01xx number (a fresh one unless ``phone`` is given)."""
    phone = phone or f"+1860555{next(_numbers) % 99 + 101:04d}"
    contact = find_or_create_contact(phone=phone)
    if contact.language != language:
        Contact.objects.filter(pk=contact.pk).update(language=language)
        contact.refresh_from_db()
    return contact


def make_inbound(
    contact: Contact | None,
    body: str = "hay agentes en la esquina",
    *,
    needs_operator: bool = True,
    kind: str = InboundKind.SMS,
    received_at: dt.datetime | None = None,
    media: dict[str, Any] | None = None,
    channel: str = "sms",
) -> InboundMessage:
    return InboundMessage.objects.create(
        channel=channel,
        contact=contact,
        kind=kind,
        body=body,
        media=media,
        provider_id=f"test-{uuid.uuid4().hex}",
        received_at=received_at or timezone.now(),
        needs_operator=needs_operator,
        routed_to="default",
        routed_at=timezone.now(),
    )


def make_outbound(
    contact: Contact,
    body: str = "Recibimos su mensaje.",
    *,
    status: str = OutboundStatus.PENDING,
    lane: int = Lane.REPLY,
    created_at: dt.datetime | None = None,
    sent_at: dt.datetime | None = None,
    error_code: str = "",
    channel: str = "sms",
    **extra: Any,
) -> OutboundMessage:
    now = timezone.now()
    message = OutboundMessage.objects.create(
        channel=channel,
        contact=contact,
        body=body,
        body_digest=uuid.uuid4().hex,
        lane=lane,
        encoding=Encoding.GSM7,
        segments=1,
        status=status,
        due_at=now,
        valid_until=now + dt.timedelta(hours=10),
        sent_at=sent_at,
        error_code=error_code,
        **extra,
    )
    if created_at is not None:
        OutboundMessage.objects.filter(pk=message.pk).update(created_at=created_at)
        message.created_at = created_at
    return message
