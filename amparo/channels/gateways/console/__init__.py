"""The console gateway: no provider, for the demo and development.

Sending succeeds at once and the message stays in the outbox, where the staff
phone simulator shows it as if the fake phone had received it. Inbound texts
come from the simulator form, not from webhooks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from django.http import HttpRequest

from amparo.channels.gateways.base import (
    ChannelConfig,
    DeliveryReceipt,
    InboundText,
    InvalidWebhook,
    Outgoing,
    PermanentError,
    ProviderRecord,
    SentMessage,
)


class ConsoleGateway:
    kind: ClassVar[str] = "sms"
    keeps_copies: ClassVar[bool] = False

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config

    def send(self, message: Outgoing) -> SentMessage:
        return SentMessage(provider_id=f"console-{uuid.uuid4().hex}")

    def find_sent(self, *, to: str, body: str, since: dt.datetime) -> list[ProviderRecord]:
        # The console keeps no list of its own: an unknown outcome is resent.
        return []

    def parse_inbound(self, request: HttpRequest) -> InboundText | DeliveryReceipt:
        raise InvalidWebhook("the console gateway takes no webhooks", status=404)

    def redact_keys(self) -> frozenset[str]:
        return frozenset()

    def erase(self, *, kind: str, provider_id: str) -> None:
        """Nothing to erase: the console keeps no copy anywhere."""

    def fetch_recording(self, url: str) -> tuple[bytes, str]:
        """The console has no voice line, so no recording."""
        raise PermanentError("no-recordings")
