"""Twilio's requests to us: check size, form and signature, then read only the fields we use.

Everything in a request is untrusted until ``X-Twilio-Signature`` matches: an
HMAC of the public URL and the POST fields under the account's auth token,
computed by the SDK's :class:`RequestValidator`. Nothing is stored or even
looked up before that check, so a refused request leaves no trace.

Reasons given in :class:`InvalidWebhook` name fields, never their values: they
end up in logs, and the values are phone numbers and message bodies.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlparse

from django.http import HttpRequest
from twilio.request_validator import RequestValidator, compare

from amparo.channels.gateways.base import DeliveryReceipt, InboundText, InvalidWebhook

# The longest text Twilio delivers is 1,600 characters; percent-encoded, a
# character outside ASCII takes up to 9 bytes (12 beyond the BMP, which count
# twice toward the limit), so 16 KiB of body plus Twilio's other fields fits in
# 20 KiB. A request larger than that is not from Twilio.
MAX_BODY_BYTES = 20 * 1024
MAX_TEXT_CHARS = 1600
# Twilio sends about 20 fields, more for MMS (a URL and a type per medium, up to 10).
MAX_FIELDS = 100
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"

MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-fA-F]{32}")
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
# Our own number: E.164, or a short code.
OUR_NUMBER = re.compile(r"\+[1-9][0-9]{1,14}|[0-9]{3,8}")
ERROR_CODE = re.compile(r"[0-9]{1,8}")

# Twilio's MessageStatus values, reduced to what the outbox tracks
# (DeliveryReceipt.status): final states, and "sent" for anything on the way.
RECEIPT_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "partially_delivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}
# Statuses of messages *to* us: such a request is an inbound message, not a receipt.
INBOUND_STATUSES = frozenset({"received", "receiving"})


def signed_fields(request: HttpRequest, *, auth_token: str, public_url: str) -> dict[str, str]:
    """The POST fields of a request Twilio signed; raise :class:`InvalidWebhook` otherwise.

    ``public_url`` is the scheme and host Twilio calls (``AMPARO_PUBLIC_URL``):
    behind a proxy the request's own host and scheme are not what Twilio signed.
    Oversized requests are refused before their body is read (413).
    """
    if not auth_token:
        # An HMAC under an empty key is one anybody can compute.
        raise InvalidWebhook("no Twilio auth token is configured", status=403)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise InvalidWebhook("Content-Length is not a number") from None
    if declared > MAX_BODY_BYTES:
        raise InvalidWebhook("body too large", status=413)
    if request.method != "POST":
        raise InvalidWebhook("only POST is accepted")
    if request.content_type != FORM_CONTENT_TYPE:
        raise InvalidWebhook("body is not form-encoded")
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise InvalidWebhook("body is not UTF-8")
    raw = request.body
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidWebhook("body too large", status=413)
    fields = _parse_form(raw)
    signature = request.META.get(SIGNATURE_HEADER, "")
    if not signature:
        raise InvalidWebhook("X-Twilio-Signature missing", status=403)
    url = public_url.rstrip("/") + request.get_full_path()
    if not _signature_matches(RequestValidator(auth_token), url, fields, signature):
        raise InvalidWebhook("X-Twilio-Signature does not match", status=403)
    return fields


def _signature_matches(
    validator: RequestValidator, url: str, fields: dict[str, str], signature: str
) -> bool:
    """What ``validator.validate`` answers, with one HMAC instead of two for a good signature.

    ``validate`` accepts a signature of the URL with or without its port (Twilio
    has signed both ways) and always computes both. Twilio signs the URL it
    was given, ours as written, which is one of the two: it is checked first
    (with the SDK's comparison, which takes the same time wherever the
    strings differ); any other signature gets the SDK's full check.
    """
    form = _OneValueEach(fields)
    expected = validator.compute_signature(urlparse(url).geturl(), form)
    if compare(expected, signature):
        return True
    return bool(validator.validate(url, form, signature))


class _OneValueEach(dict[str, str]):
    """A form without repeated fields, as the SDK reads a multi-valued one (Flask's ``getall``).

    Given a plain dict, the SDK tries two other interfaces first for every
    field and catches their errors: a third of the signature's cost.
    """

    def getall(self, name: str) -> list[str]:
        return [self[name]]


def _parse_form(raw: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(
            raw.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:  # not ASCII, bad UTF-8 behind a %-escape, or too many fields
        raise InvalidWebhook("body is not a form Twilio sends") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidWebhook("a field is repeated")
    return fields


def parse_twilio_request(
    request: HttpRequest, *, auth_token: str, public_url: str
) -> InboundText | DeliveryReceipt:
    """An inbound SMS or a delivery receipt from a request Twilio signed.

    Raise :class:`InvalidWebhook`: 403 if the signature is missing or wrong (or
    no auth token is configured), 413 if the body is too large, 400 if the
    request is not a well-formed Twilio message webhook. Nothing else escapes.
    """
    fields = signed_fields(request, auth_token=auth_token, public_url=public_url)
    provider_id = required_field(fields, "MessageSid", MESSAGE_SID)
    status = fields.get("MessageStatus")
    if status is not None and status not in INBOUND_STATUSES:
        if status not in RECEIPT_STATUS:
            raise InvalidWebhook("MessageStatus is not one Twilio sends")
        error_code = fields.get("ErrorCode", "")
        if error_code and not ERROR_CODE.fullmatch(error_code):
            raise InvalidWebhook("ErrorCode is malformed")
        return DeliveryReceipt(
            provider_id=provider_id, status=RECEIPT_STATUS[status], error_code=error_code
        )
    body = fields.get("Body")
    if body is None:
        raise InvalidWebhook("Body missing")
    if len(body) > MAX_TEXT_CHARS:
        raise InvalidWebhook("Body too long")
    return InboundText(
        provider_id=provider_id,
        # In E.164 form; whether the number exists is for routing to say
        # (phonenumbers' check was a tenth of the webhook's time).
        from_phone=required_field(fields, "From", E164),
        to=required_field(fields, "To", OUR_NUMBER),
        body=body,
    )


def required_field(fields: dict[str, str], name: str, pattern: re.Pattern[str]) -> str:
    """Field ``name``, which must be present and match ``pattern`` in full."""
    value = fields.get(name)
    if value is None:
        raise InvalidWebhook(f"{name} missing")
    if not pattern.fullmatch(value):
        raise InvalidWebhook(f"{name} is malformed")
    return value
