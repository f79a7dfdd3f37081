"""Twilio SMS through the official ``twilio`` SDK.

Sending maps every way a request can end to what the outbox must do next:

- the provider answered with a message sid: sent;
- it refused before accepting (429, 500, 503, a connection that never opened,
  a connect timeout): :class:`TransientError`, retry later;
- it refused for good (other 4xx; 21610 means the recipient texted STOP to
  Twilio): :class:`PermanentError`;
- the request may have reached it and the answer was lost (connection dropped
  after sending, read timeout, 502/504 from a proxy in front):
  :class:`OutcomeUnknown`, reconciled with :meth:`find_sent` before any resend.

All HTTP goes through :class:`~amparo.channels.gateways.twilio.http.TwilioHttp`,
pointed at ``settings.TWILIO_API_BASE``. Exceptions carry Twilio's numeric code
only, never the number or the body.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from http.client import HTTPException
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.http import HttpRequest
from twilio.base.exceptions import TwilioException, TwilioRestException

from amparo.channels.gateways.base import (
    ChannelConfig,
    DeliveryReceipt,
    GatewayError,
    InboundText,
    OutcomeUnknown,
    Outgoing,
    PermanentError,
    ProviderRecord,
    SentMessage,
    TransientError,
)
from amparo.channels.gateways.twilio.http import TWILIO_PUBLIC_BASE, ConnectFailed, TwilioHttp

if TYPE_CHECKING:
    from twilio.rest import Client

OPTED_OUT = 21610
NOT_FOUND = 404
RECORDING_SID = re.compile(r"RE[0-9a-f]{32}")
# Refusals after which nothing was accepted: try again later.
TRANSIENT_STATUSES = frozenset({401, 403, 408, 429, 500, 503})
# Answers from a proxy in front of the API: the request may have gone through.
UNKNOWN_STATUSES = frozenset({502, 504})

# Provider fields that name a person or carry what they said: never logged.
REDACTED_FIELDS = frozenset(
    {
        "Body",
        "From",
        "To",
        "Caller",
        "Called",
        "CallerName",
        "ForwardedFrom",
        "FromCity",
        "FromState",
        "FromZip",
        "FromCountry",
        "ToCity",
        "ToState",
        "ToZip",
        "ToCountry",
        "CallerCity",
        "CallerState",
        "CallerZip",
        "CallerCountry",
        "CalledCity",
        "CalledState",
        "CalledZip",
        "CalledCountry",
        "Digits",
        "SpeechResult",
        "RecordingUrl",
        "TranscriptionText",
        "MediaUrl0",
        "ProfileName",
        "WaId",
    }
)


def classify_rest_error(exc: TwilioRestException) -> GatewayError:
    """The outbox's view of an error answer from the API (code only, no content)."""
    code = str(exc.code or exc.status)
    if exc.code == OPTED_OUT:
        return PermanentError(code, detail="recipient opted out", opted_out=True)
    if exc.status in UNKNOWN_STATUSES:
        return OutcomeUnknown(code, detail=f"HTTP {exc.status}")
    if exc.status in TRANSIENT_STATUSES:
        return TransientError(code, detail=f"HTTP {exc.status}")
    return PermanentError(code, detail=f"HTTP {exc.status}")


# Twilio's ValidityPeriod: whole seconds from 1 to 36,000 (10 hours).
MAX_VALIDITY_SECONDS = 36_000


def validity_seconds(valid_until: dt.datetime, *, now: dt.datetime | None = None) -> int:
    """What is left of a message's validity, as Twilio's ValidityPeriod accepts it."""
    left = (valid_until - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return max(1, min(MAX_VALIDITY_SECONDS, int(left)))


class TwilioSMSGateway:
    """The ``Gateway`` for Twilio Programmable Messaging (see the module docstring)."""

    kind: ClassVar[str] = "sms"
    keeps_copies: ClassVar[bool] = True

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Client] = {}

    def client(self) -> Client:
        """The SDK client for the current settings (tests change them between calls)."""
        key = (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_API_BASE)
        client = self._clients.get(key)
        if client is None:
            with self._lock:  # the send threads' first calls arrive together
                client = self._clients.get(key)
                if client is None:
                    from twilio.rest import Client  # heavy import, only where Twilio is used

                    timeout = self.config.options.get("timeout", (3.05, 15.0))
                    transport = TwilioHttp(
                        base_url=key[2], timeout=(float(timeout[0]), float(timeout[1]))
                    )
                    client = Client(key[0], key[1], account_sid=key[0], http_client=transport)
                    client.messages  # noqa: B018 (builds the SDK's lazy resource tree now)
                    self._clients = {key: client}
        return client

    def status_callback(self) -> str:
        return f"{settings.AMPARO_PUBLIC_URL}/hooks/twilio/status"

    # --- outbound --------------------------------------------------------------

    def send(self, message: Outgoing) -> SentMessage:
        sender = (
            {"messaging_service_sid": message.sender}
            if message.sender.startswith("MG")
            else {"from_": message.sender}
        )
        extra: dict[str, object] = dict(sender)
        if message.valid_until is not None:
            extra["validity_period"] = validity_seconds(message.valid_until)
        try:
            created = self.client().messages.create(
                to=message.to,
                body=message.body,
                status_callback=self.status_callback(),
                **extra,
            )
        except TwilioRestException as exc:
            raise classify_rest_error(exc) from None
        except ConnectFailed as exc:
            raise TransientError("connect", detail=str(exc)) from None
        except (HTTPException, OSError) as exc:
            # Dropped connection, read timeout, broken answer: it may have been accepted.
            raise OutcomeUnknown("no-answer", detail=type(exc).__name__) from None
        except (TwilioException, ValueError) as exc:
            # An answer we cannot read (not JSON): it may have been accepted.
            raise OutcomeUnknown("unreadable-answer", detail=type(exc).__name__) from None
        if not created.sid:
            raise OutcomeUnknown("no-sid")
        return SentMessage(provider_id=created.sid)

    def find_sent(self, *, to: str, body: str, since: dt.datetime) -> list[ProviderRecord]:
        """Messages to ``to`` with exactly ``body`` created since ``since``, newest first.

        Raises :class:`TransientError` if the list cannot be read: the caller
        keeps the outcome unknown and asks again later, never resends blindly.
        """
        since_utc = since.astimezone(dt.UTC)
        found: list[ProviderRecord] = []
        try:
            # Twilio documents its DateSent filter by day: ask for the day,
            # then keep what was created since ``since``. A message still queued
            # at Twilio has no sent date yet and may be missed, so the outbox
            # asks only after a delay (``reconcile_delay_seconds``).
            for record in self.client().messages.stream(
                to=to, date_sent_after=since_utc.strftime("%Y-%m-%d"), page_size=100
            ):
                created = record.date_created or record.date_sent
                if created is not None and created < since_utc.replace(microsecond=0):
                    continue
                if record.body == body and record.sid:
                    found.append(
                        ProviderRecord(
                            provider_id=record.sid,
                            to=record.to or to,
                            body=record.body,
                            created_at=created or since_utc,
                        )
                    )
        except (TwilioException, HTTPException, OSError, ValueError) as exc:
            raise TransientError("list-failed", detail=type(exc).__name__) from None
        return found

    # --- inbound ---------------------------------------------------------------

    def parse_inbound(self, request: HttpRequest) -> InboundText | DeliveryReceipt:
        from amparo.channels.gateways.twilio.webhooks import parse_twilio_request

        return parse_twilio_request(
            request,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            public_url=settings.AMPARO_PUBLIC_URL,
        )

    def redact_keys(self) -> frozenset[str]:
        return REDACTED_FIELDS

    # --- media -----------------------------------------------------------------

    def fetch_recording(self, url: str) -> tuple[bytes, str]:
        """The audio of a voicemail recording (MP3) at ``url``, fetched with the account's keys.

        Only a recording of this account is fetched (the URL came from a signed
        callback, and is checked again here). Raise :class:`TransientError` if
        it cannot be had now, :class:`PermanentError` if it is gone.
        """
        account = settings.TWILIO_ACCOUNT_SID
        prefix = f"{TWILIO_PUBLIC_BASE}/2010-04-01/Accounts/{account}/Recordings/"
        sid = url[len(prefix) :] if url.startswith(prefix) else ""
        if not RECORDING_SID.fullmatch(sid):
            raise PermanentError("not-a-recording")
        transport = self.client().http_client
        assert isinstance(transport, TwilioHttp)
        try:
            status, audio, _ = transport.fetch(
                f"{prefix}{sid}.mp3",
                auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            )
        except (HTTPException, OSError) as exc:
            raise TransientError("fetch-failed", detail=type(exc).__name__) from None
        if status == NOT_FOUND:
            raise PermanentError("gone")
        if status != 200:
            raise TransientError(str(status))
        return audio, "audio/mpeg"

    # --- erasure ---------------------------------------------------------------

    def erase(self, *, kind: str, provider_id: str) -> None:
        """Delete a message (its body and numbers) or a voicemail recording at Twilio.

        Twilio keeps both until deleted; a legal demand on Twilio would find
        them. A copy already gone (404) is done.
        """
        client = self.client()
        resource = client.recordings(provider_id) if kind == "recording" else None
        if resource is None:
            resource = client.messages(provider_id)
        try:
            resource.delete()
        except TwilioRestException as exc:
            if exc.status == NOT_FOUND:
                return
            if exc.status in TRANSIENT_STATUSES or exc.status in UNKNOWN_STATUSES:
                raise TransientError(str(exc.code or exc.status)) from None
            raise PermanentError(str(exc.code or exc.status)) from None
        except (TwilioException, HTTPException, OSError, ValueError) as exc:
            raise TransientError("erase-failed", detail=type(exc).__name__) from None
