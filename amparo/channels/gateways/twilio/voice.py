"""The voice hotline in TwiML: language menu, simultaneous ring of operators, voicemail.

A call walks through these webhooks (``amparo/channels/webhooks.py``)::

    voice          menu: press 1 English, 2 Español, 3 Português, 4 Kreyòl
    voice/language rings every operator on call at once (one <Dial>, several <Number>s)
      voice/screen   an operator who picks up hears the caller's language and presses 1
    voice/after-dial nobody took the call: voicemail in the caller's language
    voice/recording  the recording is ready: it becomes an inbound item for operators

Operators screen each call with a key press, so the first personal voicemail
box to answer cannot swallow a call meant for a person. Operators' phones show
the hotline number, not the caller's: a lost or seized volunteer phone keeps no
list of who called.

Twilio's recording callback does not repeat the caller's number, so the number
rides along in the callback URL, sealed (``caller=``), and the chosen language
as ``lang=``; both are covered by Twilio's signature over the URL.

Prompts: Twilio has no Haitian Creole voice. The Creole prompts are written in
Creole and read by a French voice: Creole spelling is close enough to French
pronunciation to be understood, and a recording would need a speaker we do
not have. Have a Creole speaker listen to it before launch.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from amparo.channels.gateways.base import InvalidWebhook
from amparo.channels.gateways.twilio.webhooks import E164, required_field, signed_fields
from amparo.contacts.errors import ContactsError
from amparo.contacts.phones import to_e164
from amparo.crypto import vault

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
DIGITS = re.compile(r"[0-9*#]{0,32}")
DURATION = re.compile(r"-?[0-9]{1,6}")
RECORDING_URL = re.compile(r"https?://[!-~]{1,500}")
DIAL_STATUSES = frozenset({"completed", "answered", "busy", "no-answer", "failed", "canceled"})
RECORDING_STATUSES = frozenset(
    {"in-progress", "paused", "stopped", "processing", "completed", "absent", "failed"}
)

MENU_WAIT_SECONDS = 6
RING_SECONDS = 25
SCREEN_WAIT_SECONDS = 8
MAX_VOICEMAIL_SECONDS = 180
VOICEMAIL_SILENCE_SECONDS = 10

LANGUAGE_BY_DIGIT = {"1": "en", "2": "es", "3": "pt", "4": "ht"}
DEFAULT_LANGUAGE = "en"
CALLER_CONTEXT = "channels.voice.caller"


@dataclass(frozen=True)
class Phrases:
    """What the hotline says in one language, and the voice that says it."""

    voice: str  # a Twilio <Say> voice (Amazon Polly)
    say_language: str
    menu: str
    connecting: str
    voicemail: str
    voicemail_hidden: str  # for a withheld number: nobody can call back
    goodbye: str
    goodbye_hidden: str


# Spoken to callers, so they live here rather than in the UI catalogs: the menu
# speaks all four at once, whatever language the request arrives in.
PHRASES = {
    "en": Phrases(
        voice="Polly.Joanna",
        say_language="en-US",
        menu="For English, press 1.",
        connecting="Thank you for calling. We are connecting you with a volunteer. "
        "Please stay on the line.",
        voicemail="Nobody can answer right now. Please leave a message after the tone: "
        "say what is happening and where. Press the pound key when you are done.",
        voicemail_hidden="Nobody can answer right now. Your number is hidden, so we cannot "
        "call you back, but you can leave a message after the tone: say what is happening "
        "and where. Press the pound key when you are done.",
        goodbye="Thank you. We received your message and will call you back. Goodbye.",
        goodbye_hidden="Thank you. We received your message. Goodbye.",
    ),
    "es": Phrases(
        voice="Polly.Lupe",
        say_language="es-US",
        menu="Para español, oprima 2.",
        connecting="Gracias por llamar. Le estamos comunicando con un voluntario. "
        "Por favor, no cuelgue.",
        voicemail="Nadie puede contestar en este momento. Por favor, deje un mensaje después "
        "del tono: diga qué está pasando y dónde. Oprima la tecla numeral cuando termine.",
        voicemail_hidden="Nadie puede contestar en este momento. Su número está oculto, así que "
        "no podemos devolverle la llamada, pero puede dejar un mensaje después del tono: diga "
        "qué está pasando y dónde. Oprima la tecla numeral cuando termine.",
        goodbye="Gracias. Recibimos su mensaje y le devolveremos la llamada. Adiós.",
        goodbye_hidden="Gracias. Recibimos su mensaje. Adiós.",
    ),
    "pt": Phrases(
        voice="Polly.Camila",
        say_language="pt-BR",
        menu="Para português, pressione 3.",
        connecting="Obrigado por ligar. Estamos transferindo você para um voluntário. "
        "Por favor, aguarde na linha.",
        voicemail="Ninguém pode atender agora. Por favor, deixe uma mensagem após o sinal: "
        "diga o que está acontecendo e onde. Pressione a tecla jogo da velha quando terminar.",
        voicemail_hidden="Ninguém pode atender agora. O seu número está oculto, então não "
        "podemos retornar a ligação, mas você pode deixar uma mensagem após o sinal: diga o que "
        "está acontecendo e onde. Pressione a tecla jogo da velha quando terminar.",
        goodbye="Obrigado. Recebemos sua mensagem e vamos retornar a ligação. Tchau.",
        goodbye_hidden="Obrigado. Recebemos sua mensagem. Tchau.",
    ),
    "ht": Phrases(
        voice="Polly.Lea",
        say_language="fr-FR",
        menu="Pou kreyòl, peze 4.",
        connecting="Mèsi paske ou rele. N ap konekte w ak yon volontè. Tanpri, rete sou liy lan.",
        voicemail="Pa gen moun ki ka reponn kounye a. Tanpri, kite yon mesaj apre son an: "
        "di sa k ap pase ak ki kote. Peze kare a lè ou fini.",
        voicemail_hidden="Pa gen moun ki ka reponn kounye a. Nimewo w kache, kidonk nou pa ka "
        "rele w tounen, men ou ka kite yon mesaj apre son an: di sa k ap pase ak ki kote. "
        "Peze kare a lè ou fini.",
        goodbye="Mèsi. Nou resevwa mesaj ou a, n ap rele w tounen. Orevwa.",
        goodbye_hidden="Mèsi. Nou resevwa mesaj ou a. Orevwa.",
    ),
}


@dataclass(frozen=True)
class Call:
    """The fields of a voice webhook that the hotline uses."""

    call_sid: str
    caller: str  # E.164; "" when the number is withheld or not a phone number
    called: str  # the hotline number the caller dialed (E.164), or ""
    digits: str  # keys pressed in a <Gather>
    dial_status: str  # outcome of a <Dial>, "" outside its action callback
    dial_bridged: str  # "true" / "false" in a <Dial> action callback, if Twilio sends it
    # STIR/SHAKEN full attestation ("A"): the carrier vouches the caller owns the
    # number. Anything less and the caller id may be spoofed.
    caller_verified: bool = False

    @property
    def operator_took_it(self) -> bool:
        """Whether the <Dial> connected the caller to an operator.

        ``DialBridged`` says so directly. Without it, a call that an operator
        picked up and then declined by not pressing 1 may still read
        "completed", so the caller could lose the voicemail prompt; only a
        bridged call counts when Twilio tells us.
        """
        if self.dial_bridged:
            return self.dial_bridged == "true"
        return self.dial_status in ("completed", "answered")


@dataclass(frozen=True)
class Recording:
    call_sid: str
    recording_sid: str
    status: str
    url: str  # "" unless completed
    duration_seconds: int


FULL_ATTESTATION = "TN-Validation-Passed-A"


def parse_call(request: HttpRequest, *, auth_token: str, public_url: str) -> Call:
    """A signed voice webhook; raise :class:`InvalidWebhook` like the SMS parser does.

    A withheld or unusual caller id is not an error: a frightened caller who
    hides their number must still reach an operator.
    """
    fields = signed_fields(request, auth_token=auth_token, public_url=public_url)
    digits = fields.get("Digits", "")
    if not DIGITS.fullmatch(digits):
        raise InvalidWebhook("Digits is malformed")
    dial_status = fields.get("DialCallStatus", "")
    if dial_status and dial_status not in DIAL_STATUSES:
        raise InvalidWebhook("DialCallStatus is not one Twilio sends")
    dial_bridged = fields.get("DialBridged", "").lower()
    if dial_bridged not in ("", "true", "false"):
        raise InvalidWebhook("DialBridged is malformed")
    return Call(
        call_sid=required_field(fields, "CallSid", CALL_SID),
        caller=_phone_or_nothing(fields.get("From", "")),
        called=_phone_or_nothing(fields.get("To", "")),
        digits=digits,
        dial_status=dial_status,
        dial_bridged=dial_bridged,
        caller_verified=fields.get("StirVerstat", "") == FULL_ATTESTATION,
    )


def parse_recording(request: HttpRequest, *, auth_token: str, public_url: str) -> Recording:
    """A signed recording status callback; raise :class:`InvalidWebhook` otherwise."""
    fields = signed_fields(request, auth_token=auth_token, public_url=public_url)
    status = fields.get("RecordingStatus", "")
    if status not in RECORDING_STATUSES:
        raise InvalidWebhook("RecordingStatus is not one Twilio sends")
    url, duration = "", 0
    if status == "completed":
        url = required_field(fields, "RecordingUrl", RECORDING_URL)
        duration = int(required_field(fields, "RecordingDuration", DURATION))
    return Recording(
        call_sid=required_field(fields, "CallSid", CALL_SID),
        recording_sid=required_field(fields, "RecordingSid", RECORDING_SID),
        status=status,
        url=url,
        duration_seconds=max(0, duration),
    )


def _phone_or_nothing(value: str) -> str:
    if not E164.fullmatch(value):
        return ""
    try:
        return to_e164(value)
    except ContactsError:
        return ""


def language_for_digit(digits: str) -> str:
    """The language of a menu choice; no choice or an unknown key means English."""
    return LANGUAGE_BY_DIGIT.get(digits[:1], DEFAULT_LANGUAGE)


def known_language(value: str | None) -> str:
    return value if value in PHRASES else DEFAULT_LANGUAGE


def seal_caller(phone: str) -> str:
    """The caller's number as an opaque URL-safe token, for the recording callback URL."""
    envelope = vault.seal(phone.encode("ascii"), context=CALLER_CONTEXT)
    return base64.urlsafe_b64encode(envelope).decode("ascii").rstrip("=")


def open_caller(token: str) -> str:
    """The number sealed by :func:`seal_caller`, or "" if the token is not one of ours."""
    try:
        envelope = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        phone = vault.unseal(envelope, context=CALLER_CONTEXT).decode("ascii")
    except (binascii.Error, ValueError, vault.DecryptionError):
        return ""
    return _phone_or_nothing(phone)


# --- TwiML --------------------------------------------------------------------


def _say(twiml: Any, language: str, text: str) -> None:
    """<Say> ``text`` in ``language``'s voice (``twiml``: a response or a <Gather>)."""
    phrases = PHRASES[language]
    twiml.say(text, voice=phrases.voice, language=phrases.say_language)


def menu(*, choose_url: str) -> VoiceResponse:
    """Each language offers itself in its own voice; silence chooses English."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=MENU_WAIT_SECONDS, action=choose_url, method="POST"
    )
    for language, phrases in PHRASES.items():
        _say(gather, language, phrases.menu)
    response.redirect(choose_url, method="POST")
    return response


def ring_operators(
    *,
    language: str,
    operators: list[str],
    hotline_number: str,
    screen_url: str,
    after_dial_url: str,
) -> VoiceResponse:
    """Ring every operator at once; the first to press 1 gets the call."""
    response = VoiceResponse()
    _say(response, language, PHRASES[language].connecting)
    dial = response.dial(
        action=after_dial_url,
        method="POST",
        timeout=RING_SECONDS,
        answer_on_bridge=True,
        caller_id=hotline_number,
    )
    for operator in operators:
        dial.number(operator, url=screen_url, method="POST")
    return response


def screen(*, language: str, accept_url: str) -> VoiceResponse:
    """What an operator hears on picking up: the caller's language, then press 1 to take it."""
    names = {
        "en": _("English"),
        "es": _("Spanish"),
        "pt": _("Portuguese"),
        "ht": _("Haitian Creole"),
    }
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=SCREEN_WAIT_SECONDS, action=accept_url, method="POST"
    )
    _say(
        gather,
        DEFAULT_LANGUAGE,
        _("Hotline call in %(language)s. Press 1 to take it.") % {"language": names[language]},
    )
    response.hangup()
    return response


def screen_answer(*, digits: str) -> VoiceResponse:
    """An empty response connects the operator; anything else leaves the call to the others."""
    response = VoiceResponse()
    if digits != "1":
        response.hangup()
    return response


def after_dial(
    *, language: str, operator_took_it: bool, caller_known: bool, recording_url: str, done_url: str
) -> VoiceResponse:
    """Hang up after a call an operator took; otherwise offer voicemail.

    A withheld number may leave a message too (a frightened caller may hide it
    on purpose, and a report is worth having), but is told that nobody can
    call back.
    """
    phrases = PHRASES[language]
    response = VoiceResponse()
    if operator_took_it:
        response.hangup()
        return response
    _say(response, language, phrases.voicemail if caller_known else phrases.voicemail_hidden)
    response.record(
        action=done_url,
        method="POST",
        max_length=MAX_VOICEMAIL_SECONDS,
        timeout=VOICEMAIL_SILENCE_SECONDS,
        finish_on_key="#",
        play_beep=True,
        trim="trim-silence",
        recording_status_callback=recording_url,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    # Reached only when nothing was recorded: Twilio then skips the action URL.
    response.hangup()
    return response


def goodbye(*, language: str, caller_known: bool = True) -> VoiceResponse:
    response = VoiceResponse()
    phrases = PHRASES[language]
    _say(response, language, phrases.goodbye if caller_known else phrases.goodbye_hidden)
    response.hangup()
    return response
