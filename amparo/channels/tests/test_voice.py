"""The voice hotline: language menu, simultaneous ring, voicemail that reaches the operators."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from amparo.channels.gateways.base import InvalidWebhook
from amparo.channels.gateways.twilio import voice
from amparo.channels.models import InboundKind, InboundMessage, WebhookReceipt
from amparo.channels.tests.twilio_requests import (
    FORM,
    PUBLIC_URL,
    TOKEN,
    fixture,
    post_signed,
    signature,
    signed_request,
    twilio_settings,
)
from amparo.contacts.models import Contact
from amparo.dispatch.actions import add_responder, add_shift
from amparo.dispatch.models import Responder, ShiftKind

VOICE = "/hooks/twilio/voice"
LANGUAGE = "/hooks/twilio/voice/language"
SCREEN = "/hooks/twilio/voice/screen"
SCREEN_ANSWER = "/hooks/twilio/voice/screen/answer"
AFTER_DIAL = "/hooks/twilio/voice/after-dial"
GOODBYE = "/hooks/twilio/voice/goodbye"
RECORDING = "/hooks/twilio/voice/recording"
OPERATORS = ["+18605550161", "+18605550162", "+18605550163"]
CALLER = "+18605550142"
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def twilio() -> Iterator[None]:
    with twilio_settings, override_settings(AMPARO_HOTLINE_OPERATORS=OPERATORS):
        yield


def twiml(response: object) -> ET.Element:
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/xml")  # type: ignore[index]
    root = ET.fromstring(response.content)  # type: ignore[attr-defined]  # noqa: S314 (our own TwiML)
    assert root.tag == "Response"
    return root


def verbs(root: ET.Element) -> list[str]:
    return [child.tag for child in root]


def local(url: str) -> str:
    """The path and query of an absolute callback URL we put in TwiML."""
    assert url.startswith(PUBLIC_URL + "/hooks/twilio/")
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def voicemail_callback(
    client: Client, *, caller_fixture: str = "twilio_voice_dial_no_answer"
) -> str:
    """Walk a call to the voicemail prompt and return the recording callback it names."""
    root = twiml(post_signed(client, f"{AFTER_DIAL}?lang=es", fixture(caller_fixture)))
    record = root.find("Record")
    assert record is not None
    return local(record.attrib["recordingStatusCallback"])


# --- parsing --------------------------------------------------------------------


def test_a_call_from_twilios_docs_is_read() -> None:
    call = voice.parse_call(
        signed_request(VOICE, fixture("twilio_voice_incoming")),
        auth_token=TOKEN,
        public_url=PUBLIC_URL,
    )

    assert call == voice.Call(
        call_sid="CA5e3a1c7f9b2d4e6f8a0c2e4b6d8f0a1c",
        caller=CALLER,
        called="+18605550100",
        digits="",
        dial_status="",
        dial_bridged="",
    )


def test_a_withheld_number_is_a_call_without_a_caller_not_an_error() -> None:
    call = voice.parse_call(
        signed_request(VOICE, fixture("twilio_voice_withheld")),
        auth_token=TOKEN,
        public_url=PUBLIC_URL,
    )

    assert call.caller == ""


@pytest.mark.parametrize(
    "changes",
    [
        {"CallSid": "CA123"},
        {"Digits": "12<3"},
        {"DialCallStatus": "exploded"},
        {"DialBridged": "yes"},
    ],
)
def test_a_malformed_voice_webhook_is_refused(changes: dict[str, str]) -> None:
    request = signed_request(VOICE, fixture("twilio_voice_incoming", **changes))

    with pytest.raises(InvalidWebhook) as raised:
        voice.parse_call(request, auth_token=TOKEN, public_url=PUBLIC_URL)

    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("digits", "language"),
    [("1", "en"), ("2", "es"), ("3", "pt"), ("4", "ht"), ("", "en"), ("9", "en")],
)
def test_each_key_of_the_menu_picks_its_language_and_anything_else_english(
    digits: str, language: str
) -> None:
    assert voice.language_for_digit(digits) == language


@pytest.mark.parametrize(
    ("status", "bridged", "took_it"),
    [
        ("completed", "true", True),
        ("completed", "false", False),  # every operator declined or a voicemail box answered
        ("no-answer", "false", False),
        ("completed", "", True),
        ("busy", "", False),
    ],
)
def test_only_a_bridged_dial_counts_as_taken(status: str, bridged: str, took_it: bool) -> None:
    call = voice.Call(
        call_sid="CA" + "0" * 32,
        caller=CALLER,
        called="",
        digits="",
        dial_status=status,
        dial_bridged=bridged,
    )

    assert call.operator_took_it is took_it


def test_the_sealed_caller_opens_to_the_number_and_does_not_show_it() -> None:
    token = voice.seal_caller(CALLER)

    assert voice.open_caller(token) == CALLER
    assert CALLER[2:] not in token
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("token", ["", "x", "!!!", "AAAA"])
def test_a_token_that_is_not_ours_opens_to_nothing(token: str) -> None:
    assert voice.open_caller(token) == ""


def test_an_altered_token_opens_to_nothing() -> None:
    token = voice.seal_caller(CALLER)

    assert voice.open_caller(token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")) == ""


# --- the call flow --------------------------------------------------------------


def test_a_call_gets_the_menu_in_four_voices(client: Client) -> None:
    root = twiml(post_signed(client, VOICE, fixture("twilio_voice_incoming")))

    gather = root.find("Gather")
    assert gather is not None
    assert (gather.attrib["numDigits"], gather.attrib["action"]) == ("1", PUBLIC_URL + LANGUAGE)
    says = [(say.attrib["language"], say.text) for say in gather.findall("Say")]
    assert [language for language, _ in says] == ["en-US", "es-US", "pt-BR", "fr-FR"]
    assert "1" in says[0][1] and "2" in says[1][1] and "3" in says[2][1]
    assert says[3][1] == "Pou kreyòl, peze 4."
    # No key pressed: the call goes on, in English.
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text == PUBLIC_URL + LANGUAGE


def test_an_unsigned_call_is_refused(client: Client) -> None:
    response = client.post(VOICE, urlencode(fixture("twilio_voice_incoming")), content_type=FORM)

    assert response.status_code == 403


def test_a_get_is_refused(client: Client) -> None:
    assert client.get(VOICE).status_code == 405


@pytest.mark.django_db
def test_choosing_spanish_rings_every_operator_at_once(client: Client) -> None:
    root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", Digits="2")))

    assert verbs(root) == ["Say", "Dial"]
    say, dial = root
    assert say.attrib["language"] == "es-US"
    assert dial.attrib["action"] == f"{PUBLIC_URL}{AFTER_DIAL}?lang=es"
    assert int(dial.attrib["timeout"]) > 0
    # Operators' phones show the hotline, not the caller.
    assert dial.attrib["callerId"] == "+18605550100"
    numbers = dial.findall("Number")
    assert [number.text for number in numbers] == OPERATORS
    assert {number.attrib["url"] for number in numbers} == {f"{PUBLIC_URL}{SCREEN}?lang=es"}


@pytest.mark.django_db
def test_silence_at_the_menu_means_english(client: Client) -> None:
    root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_incoming")))

    assert root[0].attrib["language"] == "en-US"
    assert root[1].attrib["action"].endswith("?lang=en")


@pytest.mark.django_db
def test_operators_that_are_not_phone_numbers_are_skipped(client: Client) -> None:
    with override_settings(AMPARO_HOTLINE_OPERATORS=["not a number", OPERATORS[0]]):
        root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather")))

    assert [number.text for number in root.iter("Number")] == [OPERATORS[0]]


@pytest.mark.django_db
def test_with_nobody_on_call_the_caller_goes_straight_to_voicemail(client: Client) -> None:
    with override_settings(AMPARO_HOTLINE_OPERATORS=[]):
        root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", Digits="3")))

    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert root[0].attrib["language"] == "pt-BR"


@pytest.mark.django_db
def test_operators_on_shift_are_rung_instead_of_the_configured_list(client: Client) -> None:
    now = timezone.now()
    on = _responder("+18605550181", kind=ShiftKind.OPERATOR, starts=now - HOUR, ends=now + HOUR)
    _responder("+18605550182", kind=ShiftKind.OPERATOR, starts=now + HOUR, ends=now + 3 * HOUR)
    _responder("+18605550183", kind=ShiftKind.FIELD, starts=now - HOUR, ends=now + HOUR)
    assert on.contact is not None

    root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", Digits="2")))

    assert [number.text for number in root.iter("Number")] == ["+18605550181"]


@pytest.mark.django_db
def test_with_no_operator_on_shift_the_configured_list_is_rung(client: Client) -> None:
    now = timezone.now()
    _responder("+18605550182", kind=ShiftKind.OPERATOR, starts=now - 3 * HOUR, ends=now - HOUR)

    root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", Digits="2")))

    assert [number.text for number in root.iter("Number")] == OPERATORS


@pytest.mark.django_db
def test_at_most_ten_operators_on_shift_are_rung(client: Client) -> None:
    now = timezone.now()
    for n in range(12):
        _responder(
            f"+186055501{n + 10}", kind=ShiftKind.OPERATOR, starts=now - HOUR, ends=now + HOUR
        )

    root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", Digits="2")))

    assert [number.text for number in root.iter("Number")] == [
        f"+186055501{n + 10}" for n in range(10)
    ]


def _responder(phone: str, *, kind: str, starts: dt.datetime, ends: dt.datetime) -> Responder:
    responder = add_responder(by=None, display_name="Invented Operator", phone=phone)
    add_shift(responder=responder, kind=kind, by=None, starts_at=starts, ends_at=ends)
    return responder


def test_an_operator_who_picks_up_hears_the_language_and_must_press_1(client: Client) -> None:
    root = twiml(post_signed(client, f"{SCREEN}?lang=ht", fixture("twilio_voice_incoming")))

    assert verbs(root) == ["Gather", "Hangup"]
    gather = root[0]
    assert gather.attrib["action"] == PUBLIC_URL + SCREEN_ANSWER
    assert "Haitian Creole" in (gather[0].text or "")


@pytest.mark.parametrize(("digits", "connected"), [("1", True), ("2", False), ("", False)])
def test_only_1_connects_the_operator(client: Client, digits: str, connected: bool) -> None:
    root = twiml(post_signed(client, SCREEN_ANSWER, fixture("twilio_voice_gather", Digits=digits)))

    assert verbs(root) == ([] if connected else ["Hangup"])


def test_after_a_conversation_the_call_ends(client: Client) -> None:
    root = twiml(
        post_signed(client, f"{AFTER_DIAL}?lang=es", fixture("twilio_voice_dial_completed"))
    )

    assert verbs(root) == ["Hangup"]


def test_when_nobody_answers_the_caller_is_offered_voicemail_in_their_language(
    client: Client,
) -> None:
    root = twiml(
        post_signed(client, f"{AFTER_DIAL}?lang=es", fixture("twilio_voice_dial_no_answer"))
    )

    assert verbs(root) == ["Say", "Record", "Hangup"]
    say, record, _ = root
    assert say.attrib["language"] == "es-US"
    assert 0 < int(record.attrib["maxLength"]) <= 600
    assert record.attrib["action"] == f"{PUBLIC_URL}{GOODBYE}?lang=es"
    callback = urlsplit(record.attrib["recordingStatusCallback"])
    query = parse_qs(callback.query)
    assert callback.path == RECORDING
    assert query["lang"] == ["es"]
    assert voice.open_caller(query["caller"][0]) == CALLER
    assert CALLER[2:] not in record.attrib["recordingStatusCallback"]


def test_a_withheld_number_may_leave_a_voicemail_and_is_told_nobody_can_call_back(
    client: Client,
) -> None:
    fields = fixture("twilio_voice_withheld", DialCallStatus="no-answer")

    root = twiml(post_signed(client, f"{AFTER_DIAL}?lang=en", fields))

    assert verbs(root) == ["Say", "Record", "Hangup"]
    assert "hidden" in (root[0].text or "")
    record = root[1]
    assert parse_qs(urlsplit(record.attrib["recordingStatusCallback"]).query).get("caller") in (
        None,
        [""],
    )
    assert parse_qs(urlsplit(record.attrib["action"]).query)["hidden"] == ["1"]


def test_a_withheld_caller_is_not_promised_a_call_back_after_the_recording(
    client: Client,
) -> None:
    root = twiml(
        post_signed(client, f"{GOODBYE}?lang=en&hidden=1", fixture("twilio_voice_withheld"))
    )

    assert verbs(root) == ["Say", "Hangup"]
    assert "call you back" not in (root[0].text or "")


def test_an_unknown_language_in_the_url_falls_back_to_english(client: Client) -> None:
    root = twiml(
        post_signed(client, f"{AFTER_DIAL}?lang=xx", fixture("twilio_voice_dial_no_answer"))
    )

    assert root[0].attrib["language"] == "en-US"


def test_the_caller_is_thanked_after_the_recording(client: Client) -> None:
    root = twiml(post_signed(client, f"{GOODBYE}?lang=pt", fixture("twilio_voice_incoming")))

    assert verbs(root) == ["Say", "Hangup"]
    assert root[0].attrib["language"] == "pt-BR"


# --- the recording --------------------------------------------------------------


@pytest.mark.django_db
def test_a_voicemail_becomes_an_inbound_item_for_the_operators(client: Client) -> None:
    callback = voicemail_callback(client)

    response = post_signed(client, callback, fixture("twilio_voice_recording_completed"))

    assert response.status_code == 204
    message = InboundMessage.objects.get()
    assert (message.channel, message.kind, message.provider_id) == (
        "voice",
        InboundKind.VOICEMAIL,
        "RE7d9f1b3c5e7a9b1d3f5a7c9e1b3d5f7a",
    )
    assert message.contact.phone == CALLER
    assert message.needs_operator
    assert message.media == {
        "recording_url": fixture("twilio_voice_recording_completed")["RecordingUrl"],
        "duration_seconds": 42,
        "caller_verified": False,  # the fixture's call has only "C" attestation
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("attestation", "verified"),
    [
        ("TN-Validation-Passed-A", True),
        ("TN-Validation-Passed-B", False),
        ("TN-Validation-Failed", False),
        ("", False),
    ],
)
def test_a_voicemail_records_whether_the_carrier_vouched_for_the_caller_id(
    client: Client, attestation: str, verified: bool
) -> None:
    root = twiml(
        post_signed(
            client,
            f"{AFTER_DIAL}?lang=es",
            fixture("twilio_voice_dial_no_answer", StirVerstat=attestation),
        )
    )
    callback = local(root.find("Record").attrib["recordingStatusCallback"])

    post_signed(client, callback, fixture("twilio_voice_recording_completed"))

    assert InboundMessage.objects.get().media["caller_verified"] is verified


@pytest.mark.django_db
def test_the_verified_flag_cannot_be_forged_in_the_callback_url(client: Client) -> None:
    callback = voicemail_callback(client)
    forged = callback.replace("verified=0", "verified=1")
    assert forged != callback
    fields = fixture("twilio_voice_recording_completed")

    # Twilio signs the URL we gave it; the same signature on an altered URL fails.
    response = client.post(
        forged,
        urlencode(fields),
        content_type=FORM,
        HTTP_X_TWILIO_SIGNATURE=signature(callback, fields),
    )

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_recording_callback_delivered_twice_is_stored_once(client: Client) -> None:
    callback = voicemail_callback(client)
    fields = fixture("twilio_voice_recording_completed")

    post_signed(client, callback, fields, idempotency_token="first")
    post_signed(client, callback, fields, idempotency_token="second")
    post_signed(client, callback, fields, idempotency_token="second")

    assert InboundMessage.objects.count() == 1
    assert WebhookReceipt.objects.filter(channel="voice").count() == 2


@pytest.mark.django_db
def test_an_unsigned_recording_callback_stores_nothing(client: Client) -> None:
    callback = voicemail_callback(client)

    response = client.post(
        callback, urlencode(fixture("twilio_voice_recording_completed")), content_type=FORM
    )

    assert response.status_code == 403
    assert not (InboundMessage.objects.exists() or Contact.objects.exists())


@pytest.mark.django_db
def test_a_recording_callback_with_the_caller_changed_is_refused(client: Client) -> None:
    # Twilio signs the URL it calls: a caller swapped in afterwards breaks the signature.
    callback = voicemail_callback(client)
    fields = fixture("twilio_voice_recording_completed")
    other = callback.replace(
        parse_qs(urlsplit(callback).query)["caller"][0], voice.seal_caller("+18605550199")
    )
    response = client.post(
        other,
        urlencode(fields),
        content_type=FORM,
        headers={"X-Twilio-Signature": signature(callback, fields)},
    )

    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_voicemail_from_a_withheld_number_is_kept_without_a_contact(client: Client) -> None:
    fields = fixture("twilio_voice_recording_completed")

    response = post_signed(client, f"{RECORDING}?lang=en&caller=&verified=0", fields)

    assert response.status_code == 204
    message = InboundMessage.objects.get()
    assert message.contact is None and message.needs_operator
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_recording_whose_caller_cannot_be_read_is_kept_without_a_number(
    client: Client,
) -> None:
    fields = fixture("twilio_voice_recording_completed")

    response = post_signed(client, f"{RECORDING}?lang=en&caller=forged", fields)

    assert response.status_code == 204
    assert InboundMessage.objects.get().contact is None
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_an_empty_recording_stores_nothing(client: Client) -> None:
    callback = voicemail_callback(client)
    fields = fixture("twilio_voice_recording_completed", RecordingStatus="absent")
    del fields["RecordingUrl"]

    response = post_signed(client, callback, fields)

    assert response.status_code == 204
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_malformed_recording_callback_is_refused(client: Client) -> None:
    callback = voicemail_callback(client)
    fields = fixture("twilio_voice_recording_completed", RecordingDuration="forty")

    response = post_signed(client, callback, fields)

    assert response.status_code == 400
    assert not (InboundMessage.objects.exists() or Contact.objects.exists())


@pytest.mark.django_db
@pytest.mark.parametrize("called", ["client:hotline", "sip:hotline@example.org", ""])
def test_a_call_to_no_phone_number_still_shows_the_hotline_not_the_caller(
    client: Client, called: str
) -> None:
    sms = {
        "gateway": "amparo.channels.gateways.console.ConsoleGateway",
        "senders": ["+18605550109"],
    }
    with override_settings(AMPARO_CHANNELS={"sms": sms}):
        root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", To=called)))

    (dial,) = root.iter("Dial")
    assert dial.attrib["callerId"] == "+18605550109"
    assert CALLER not in ET.tostring(root, encoding="unicode")


@pytest.mark.django_db
def test_without_any_number_of_ours_operators_are_not_rung(client: Client) -> None:
    sms = {"gateway": "amparo.channels.gateways.console.ConsoleGateway", "senders": []}
    with override_settings(AMPARO_CHANNELS={"sms": sms}):
        root = twiml(post_signed(client, LANGUAGE, fixture("twilio_voice_gather", To="")))

    assert "Dial" not in verbs(root)
    assert "Record" in verbs(root)
