"""The gateway protocol: what every provider plugin implements (STYLE.md rule 5).

A gateway is a package under ``amparo/channels/gateways/``; the channel settings
(``settings.AMPARO_CHANNELS``) name its class and options. Adding a provider
touches one folder. All outbound HTTP goes through :func:`http_session` so tests
can point it at a fake provider on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from django.http import HttpRequest


class GatewayError(Exception):
    """Sending failed. ``code`` is the provider's error code (never message content)."""

    def __init__(self, code: str, *, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


class TransientError(GatewayError):
    """Try again later (rate limit, 5xx, timeout before the request was sent)."""


class PermanentError(GatewayError):
    """Never retry (invalid number, opted out: ``opted_out`` is then True)."""

    def __init__(self, code: str, *, detail: str = "", opted_out: bool = False) -> None:
        super().__init__(code, detail=detail)
        self.opted_out = opted_out


class OutcomeUnknown(GatewayError):
    """The request may have reached the provider (e.g. the response was lost)."""


class InvalidWebhook(Exception):
    """An inbound request was refused: unsigned, badly signed, oversized or malformed.

    ``status`` is the HTTP status to answer with (403 for signatures, 400 otherwise).
    """

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Outgoing:
    to: str  # E.164
    body: str
    sender: str  # one of the channel's sender numbers (E.164) or a service id
    # Past this the message is worthless (an alert about a raid hours ago): the
    # provider is asked not to deliver it later either.
    valid_until: dt.datetime | None = None


@dataclass(frozen=True)
class SentMessage:
    provider_id: str


@dataclass(frozen=True)
class InboundText:
    """A text from a phone: what intake needs and nothing more."""

    provider_id: str
    from_phone: str  # E.164 in form ("+" and digits); routing checks the number can exist
    to: str
    body: str


@dataclass(frozen=True)
class DeliveryReceipt:
    provider_id: str
    status: str  # "delivered" | "undelivered" | "failed" | "sent" (provider's intermediate)
    error_code: str = ""


@dataclass(frozen=True)
class ProviderRecord:
    """One message from the provider's own list, for reconciling unknown outcomes."""

    provider_id: str
    to: str
    body: str
    created_at: dt.datetime


@dataclass
class ChannelConfig:
    name: str
    gateway: str  # dotted path of the gateway class
    senders: list[str] = field(default_factory=list)
    rate_per_sender: float = 1.0  # segments per second per sender
    validity_seconds: int = 10 * 60 * 60  # carriers fail messages queued ~10 h
    options: dict[str, Any] = field(default_factory=dict)


class Gateway(Protocol):
    """What the outbox, the webhooks and the simulator rely on."""

    kind: ClassVar[str]  # "sms" | "voice" | "email"
    # True when the provider keeps its own copies (bodies, recordings) that
    # ``erase`` must delete when ours go; False for the console.
    keeps_copies: ClassVar[bool]
    config: ChannelConfig

    def send(self, message: Outgoing) -> SentMessage:
        """Hand one message to the provider; raise a :class:`GatewayError` subclass."""
        ...

    def find_sent(self, *, to: str, body: str, since: dt.datetime) -> list[ProviderRecord]:
        """The provider's record of messages to ``to`` with ``body`` since ``since``."""
        ...

    def parse_inbound(self, request: HttpRequest) -> InboundText | DeliveryReceipt:
        """Check the provider's signature and parse; raise :class:`InvalidWebhook`."""
        ...

    def redact_keys(self) -> frozenset[str]:
        """Provider request fields that must never be logged (bodies, numbers)."""
        ...

    def fetch_recording(self, url: str) -> tuple[bytes, str]:
        """A voicemail's audio and its content type, fetched with the provider's credentials."""
        ...

    def erase(self, *, kind: str, provider_id: str) -> None:
        """Delete the provider's copy of a message or a recording (``kind``).

        A copy already gone is no error. Raise :class:`TransientError` to be
        asked again later, :class:`PermanentError` when asking again cannot help.
        """
        ...
