"""Requests as Twilio makes them: form-encoded, signed with a test auth token.

The payload fixtures in ``fixtures/`` follow the examples in Twilio's docs
(webhook request parameters for incoming messages, status callbacks, voice
calls, <Dial> actions and recording status callbacks), with fictional 555-01xx
numbers and invented sids.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://amparo.example.org"
FORM = "application/x-www-form-urlencoded"
FIXTURES = Path(__file__).parent / "fixtures"

twilio_settings = override_settings(TWILIO_AUTH_TOKEN=TOKEN, AMPARO_PUBLIC_URL=PUBLIC_URL)


def fixture(name: str, **changes: str) -> dict[str, str]:
    fields: dict[str, str] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    fields.update(changes)
    return fields


def new_message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def signature(path: str, fields: dict[str, str], *, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, fields)


def signed_request(
    path: str,
    fields: dict[str, str],
    *,
    token: str = TOKEN,
    headers: dict[str, str] | None = None,
) -> HttpRequest:
    """A request for the parsers (no view), signed as Twilio signs it."""
    request: HttpRequest = RequestFactory().post(
        path,
        data=urlencode(fields),
        content_type=FORM,
        headers={"X-Twilio-Signature": signature(path, fields, token=token), **(headers or {})},
    )
    return request


def post_signed(
    client: Client,
    path: str,
    fields: dict[str, str],
    *,
    token: str = TOKEN,
    idempotency_token: str | None = None,
    **extra: Any,
) -> Any:
    headers = {"X-Twilio-Signature": signature(path, fields, token=token)}
    if idempotency_token is not None:
        headers["I-Twilio-Idempotency-Token"] = idempotency_token
    return client.post(path, data=urlencode(fields), content_type=FORM, headers=headers, **extra)
