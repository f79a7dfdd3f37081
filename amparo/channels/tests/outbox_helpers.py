"""Point the sms channel at a fake Twilio on 127.0.0.1 for outbox and gateway tests."""

from __future__ import annotations

from typing import Any

from amparo.channels.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio

SENDERS = ["+18605550100", "+18605550101"]


def use_fake_twilio(
    settings: Any,
    fake: FakeTwilio,
    *,
    senders: list[str] | None = None,
    rate_per_sender: float = 1000.0,
    validity_seconds: int = 36000,
    **outbox: Any,
) -> None:
    """Configure Django ``settings`` (pytest-django's fixture) to send through ``fake``."""
    settings.TWILIO_ACCOUNT_SID = FAKE_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = FAKE_AUTH_TOKEN
    settings.TWILIO_API_BASE = fake.base_url
    settings.AMPARO_PUBLIC_URL = "https://amparo.example"
    settings.AMPARO_CHANNELS = {
        "sms": {
            "gateway": "amparo.channels.gateways.twilio.TwilioSMSGateway",
            "senders": SENDERS if senders is None else senders,
            "rate_per_sender": rate_per_sender,
            "validity_seconds": validity_seconds,
            "options": {"timeout": (1.0, 2.0)},
        }
    }
    settings.AMPARO_OUTBOX = {"send_threads": 4, "reconcile_delay_seconds": 0, **outbox}
