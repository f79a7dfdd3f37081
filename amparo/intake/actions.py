"""Writes of the intake app: storing what reached the network and routing it.

Each inbound item is stored once per provider id (the unique constraint
``inbound_once`` decides a race) and routed in the same transaction, so a
failure stores nothing and the provider's retry starts over. Storing an
inbound item is not audited: it is the system recording what it was sent,
on the hot path; the consent and language changes it causes are.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.channels.gateways.base import InboundText
from amparo.channels.models import InboundKind, InboundMessage
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Contact
from amparo.intake.keywords import match_keyword
from amparo.intake.router import follow_route, plan_route

log = logging.getLogger("amparo.intake")

VOICEMAIL = "voicemail"


class _AlreadyReceived(Exception):
    pass


def receive_text(*, channel: str, text: InboundText) -> InboundMessage | None:
    """Store ``text`` (body sealed) and route it: keywords first, else to the operators.

    Return None, having changed nothing, when the provider id was already
    received on ``channel`` (a retried webhook), or when the sender is not a
    phone number we could ever answer (the text cannot be stored without a
    contact; this is logged without the address).
    """
    # No look-up first: the unique (channel, provider id) constraint catches a
    # retried webhook, and the rollback undoes what this delivery did. Checking
    # first cost every webhook a query for the rare retry.
    route = plan_route(match_keyword(text.body))
    try:
        with transaction.atomic():
            contact = _sender(channel, text.from_phone)
            if contact is None:
                return None
            message = _store(
                channel=channel,
                contact=contact,
                provider_id=text.provider_id,
                kind=InboundKind.SMS,
                body=text.body,
                routed_to=route.routed_to,
                needs_operator=route.needs_operator,
            )
            follow_route(route=route, message=message, contact=contact)
    except _AlreadyReceived:
        return None
    return message


def receive_voicemail(
    *,
    channel: str,
    provider_id: str,
    from_phone: str,
    recording_url: str,
    duration_seconds: int,
    caller_verified: bool = False,
) -> InboundMessage | None:
    """Store a voicemail for the operators (recording URL and duration sealed). No SMS reply.

    ``caller_verified``: the carrier fully attested the caller id (STIR/SHAKEN
    "A"); otherwise the number may be spoofed and operators are told so.

    Return None, having changed nothing, for a provider id already received on
    ``channel``, or a caller without a usable number (withheld caller id).
    """
    try:
        with transaction.atomic():
            contact = _sender(channel, from_phone)
            if contact is None:
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
    except _AlreadyReceived:
        return None
    log.info("intake: message %s routed to %s", message.pk, VOICEMAIL)
    return message


def _already_received(channel: str, provider_id: str) -> bool:
    return InboundMessage.objects.filter(channel=channel, provider_id=provider_id).exists()


def _sender(channel: str, phone: str) -> Contact | None:
    try:
        return find_or_create_contact(phone=phone)
    except ContactsError:
        log.warning("intake: dropped an item on %s from an address that is not a phone", channel)
        return None


def _store(
    *,
    channel: str,
    contact: Contact,
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
