"""Texting the network in tests: fake 555-01xx numbers, provider ids made up per call."""

from __future__ import annotations

import itertools

from amparo.channels.gateways.base import InboundText
from amparo.channels.models import InboundMessage, OutboundMessage, OutboundStatus
from amparo.contacts.models import Contact
from amparo.contacts.queries import find_contact_by_phone
from amparo.intake.actions import receive_text

PHONE = "+18605550142"
OTHER_PHONE = "+18605550199"
OUR_NUMBER = "+18605550100"
CHANNEL = "sms"

_ids = itertools.count(1)


def text_in(body: str, *, phone: str = PHONE, provider_id: str = "") -> InboundMessage | None:
    """``phone`` texts ``body`` to the network; what intake stored (None: nothing)."""
    return receive_text(
        channel=CHANNEL,
        text=InboundText(
            provider_id=provider_id or f"SM{next(_ids):032d}",
            from_phone=phone,
            to=OUR_NUMBER,
            body=body,
        ),
    )


def contact_of(phone: str = PHONE) -> Contact:
    contact = find_contact_by_phone(phone)
    assert contact is not None
    return contact


def replies_to(phone: str = PHONE) -> list[str]:
    """The bodies queued to go out to ``phone`` (not dropped by the outbox), oldest first."""
    queued = OutboundMessage.objects.filter(contact=contact_of(phone)).exclude(
        status=OutboundStatus.DROPPED
    )
    return [m.body for m in queued.order_by("created_at")]
