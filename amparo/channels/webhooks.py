"""Views for Twilio's webhooks: inbound SMS, delivery receipts and the voice hotline.

Each view checks Twilio's signature before it looks at anything else (the
parsers in ``gateways/twilio``); a refused request stores nothing and is
answered with the parser's status. Views are public (Twilio has no account
here) and exempt from CSRF (Twilio's signature replaces the token).

Replies to texts go through the outbox, never in the TwiML answer: the outbox
throttles, retries and records delivery. Logs name the route and the reason
for a refusal, never a field's value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amparo.channels.gateways.base import DeliveryReceipt, InboundText, InvalidWebhook
from amparo.channels.gateways.twilio import voice
from amparo.channels.gateways.twilio.voice import Call
from amparo.channels.gateways.twilio.webhooks import parse_twilio_request
from amparo.channels.registry import channel_configs
from amparo.channels.webhook_actions import (
    accept_inbound_text,
    accept_receipt,
    accept_voicemail,
)
from amparo.contacts.errors import ContactsError
from amparo.contacts.phones import to_e164
from amparo.core.middleware import provider_webhook
from amparo.dispatch.models import ShiftKind
from amparo.dispatch.schedule import on_call

log = logging.getLogger("amparo.channels")

SMS_CHANNEL = "sms"
VOICE_CHANNEL = "voice"
IDEMPOTENCY_HEADER = "HTTP_I_TWILIO_IDEMPOTENCY_TOKEN"
MAX_TOKEN_LENGTH = 128  # WebhookReceipt.token
# What the SDK's empty MessagingResponse() renders, built once: every inbound
# text is answered with it (replies go through the outbox, not the TwiML).
EMPTY_MESSAGING_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'
# Twilio rings at most ten <Number>s in one <Dial>.
MAX_OPERATORS_AT_ONCE = 10

View = Callable[[HttpRequest], HttpResponse]


def twilio_webhook(view: View) -> View:
    """Public, POST only, no CSRF token; an :class:`InvalidWebhook` becomes its status."""

    @wraps(view)
    def refusing(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except InvalidWebhook as exc:
            log.warning("webhook %s refused (%s): %s", request.path, exc.status, exc)
            return HttpResponse(status=exc.status)

    return provider_webhook(login_not_required(csrf_exempt(require_POST(refusing))))


def _credentials() -> dict[str, Any]:
    return {"auth_token": settings.TWILIO_AUTH_TOKEN, "public_url": settings.AMPARO_PUBLIC_URL}


def _idempotency_token(request: HttpRequest) -> str:
    """Twilio's idempotency token, or "" if absent or not something we can store."""
    token = request.META.get(IDEMPOTENCY_HEADER, "").strip()
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        return ""
    return token


def _public_url(name: str, **query: str) -> str:
    """The absolute URL Twilio is to call back; its signature covers the query too."""
    url = settings.AMPARO_PUBLIC_URL.rstrip("/") + reverse(f"hooks:{name}")
    return f"{url}?{urlencode(query)}" if query else url


def _twiml(response: Any) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


# --- SMS ----------------------------------------------------------------------


@twilio_webhook
def twilio_sms(request: HttpRequest) -> HttpResponse:
    """An inbound text: stored once and routed; the answer is empty TwiML."""
    text = parse_twilio_request(request, **_credentials())
    if not isinstance(text, InboundText):
        raise InvalidWebhook("a delivery receipt was sent to the inbound message URL")
    accept_inbound_text(
        channel=SMS_CHANNEL, text=text, idempotency_token=_idempotency_token(request)
    )
    return HttpResponse(EMPTY_MESSAGING_TWIML, content_type="text/xml; charset=utf-8")


@twilio_webhook
def twilio_status(request: HttpRequest) -> HttpResponse:
    """A delivery receipt for a message from the outbox."""
    receipt = parse_twilio_request(request, **_credentials())
    if not isinstance(receipt, DeliveryReceipt):
        raise InvalidWebhook("an inbound message was sent to the status callback URL")
    accept_receipt(
        channel=SMS_CHANNEL, receipt=receipt, idempotency_token=_idempotency_token(request)
    )
    return HttpResponse(status=204)


# --- voice --------------------------------------------------------------------


def _call(request: HttpRequest) -> Call:
    return voice.parse_call(request, **_credentials())


def _language(request: HttpRequest) -> str:
    return voice.known_language(request.GET.get("lang"))


def _configured_hotline_number() -> str:
    """Our own number, for when the call's ``To`` is not one (SIP, client, missing)."""
    for raw in channel_configs()["sms"].senders[:1]:
        try:
            return to_e164(raw)
        except ContactsError:
            log.warning("hotline: the first SMS sender is not a phone number")
    return ""


def _operators_on_call() -> list[str]:
    """The numbers of the operators on a hotline shift now (amparo.dispatch), in roster
    order; when nobody with a number is on shift, those of AMPARO_HOTLINE_OPERATORS."""
    operators: list[str] = []
    for responder in on_call(timezone.now(), kind=ShiftKind.OPERATOR):
        if responder.contact is not None and responder.contact.phone not in operators:
            operators.append(responder.contact.phone)
    if not operators:
        for raw in settings.AMPARO_HOTLINE_OPERATORS:
            try:
                operators.append(to_e164(raw))
            except ContactsError:
                log.warning("hotline: an entry of AMPARO_HOTLINE_OPERATORS is not a phone number")
    if len(operators) > MAX_OPERATORS_AT_ONCE:
        log.warning("hotline: %d operators on call; ringing the first ten", len(operators))
    return operators[:MAX_OPERATORS_AT_ONCE]


def _after_dial(call: Call, language: str, *, operator_took_it: bool) -> HttpResponse:
    # Twilio signs its callback to this URL, so none of the values can be altered.
    # A withheld number has no caller token: the voicemail is kept without a contact.
    recording_url = _public_url(
        "twilio_voice_recording",
        lang=language,
        caller=voice.seal_caller(call.caller) if call.caller else "",
        verified="1" if call.caller_verified else "0",
    )
    hidden = {} if call.caller else {"hidden": "1"}
    return _twiml(
        voice.after_dial(
            language=language,
            operator_took_it=operator_took_it,
            caller_known=bool(call.caller),
            recording_url=recording_url,
            done_url=_public_url("twilio_voice_goodbye", lang=language, **hidden),
        )
    )


@twilio_webhook
def twilio_voice(request: HttpRequest) -> HttpResponse:
    """A call to the hotline: the language menu."""
    _call(request)
    return _twiml(voice.menu(choose_url=_public_url("twilio_voice_language")))


@twilio_webhook
def twilio_voice_language(request: HttpRequest) -> HttpResponse:
    """The caller chose a language (or nothing: English): ring the operators on call."""
    call = _call(request)
    language = voice.language_for_digit(call.digits)
    operators = _operators_on_call()
    hotline_number = call.called or _configured_hotline_number()
    if not operators or not hotline_number:
        # Without our own number as caller id, Twilio would show the caller's
        # number on every operator's phone: go to voicemail instead.
        return _after_dial(call, language, operator_took_it=False)
    return _twiml(
        voice.ring_operators(
            language=language,
            operators=operators,
            hotline_number=hotline_number,
            screen_url=_public_url("twilio_voice_screen", lang=language),
            after_dial_url=_public_url("twilio_voice_after_dial", lang=language),
        )
    )


@twilio_webhook
def twilio_voice_screen(request: HttpRequest) -> HttpResponse:
    """An operator picked up: tell them the caller's language; 1 takes the call."""
    _call(request)
    return _twiml(
        voice.screen(
            language=_language(request), accept_url=_public_url("twilio_voice_screen_answer")
        )
    )


@twilio_webhook
def twilio_voice_screen_answer(request: HttpRequest) -> HttpResponse:
    call = _call(request)
    return _twiml(voice.screen_answer(digits=call.digits))


@twilio_webhook
def twilio_voice_after_dial(request: HttpRequest) -> HttpResponse:
    """The ringing ended: hang up after a conversation, else voicemail."""
    call = _call(request)
    return _after_dial(call, _language(request), operator_took_it=call.operator_took_it)


@twilio_webhook
def twilio_voice_goodbye(request: HttpRequest) -> HttpResponse:
    """The voicemail was recorded."""
    _call(request)
    caller_known = request.GET.get("hidden") != "1"
    return _twiml(voice.goodbye(language=_language(request), caller_known=caller_known))


@twilio_webhook
def twilio_voice_recording(request: HttpRequest) -> HttpResponse:
    """A voicemail recording is ready: it becomes an inbound item for the operators."""
    recording = voice.parse_recording(request, **_credentials())
    if recording.status != "completed":
        return HttpResponse(status=204)
    token = request.GET.get("caller", "")
    caller = voice.open_caller(token) if token else ""
    if token and not caller:
        # Signed by Twilio, so the URL is ours: sealed under a key since removed.
        # The message still matters; it is kept like one from a withheld number.
        log.warning("hotline: a voicemail's caller could not be read; kept without a number")
    accept_voicemail(
        channel=VOICE_CHANNEL,
        provider_id=recording.recording_sid,
        from_phone=caller,
        recording_url=recording.url,
        duration_seconds=recording.duration_seconds,
        caller_verified=request.GET.get("verified") == "1",
        idempotency_token=_idempotency_token(request),
    )
    return HttpResponse(status=204)
