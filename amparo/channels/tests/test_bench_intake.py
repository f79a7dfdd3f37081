"""The intake benchmark's parts: its requests are ones the webhook accepts (no server here)."""

from __future__ import annotations

from django.test import RequestFactory

from amparo.channels.bench_intake import _fake_phones, _response_length, _text_request
from amparo.channels.gateways.base import InboundText
from amparo.channels.gateways.twilio.webhooks import parse_twilio_request


def as_django_request(raw: bytes) -> object:
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode("ascii").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return RequestFactory().post(
        path,
        data=body,
        content_type=headers.pop("Content-Type"),
        headers={k: v for k, v in headers.items() if k not in ("Host", "Content-Length")},
    )


def test_a_benchmark_text_is_one_the_webhook_accepts() -> None:
    raw = _text_request(8123, "http://testserver", "bench-token", "+18605550142", "Tem gente")

    text = parse_twilio_request(
        as_django_request(raw), auth_token="bench-token", public_url="http://testserver"
    )

    assert isinstance(text, InboundText)
    assert (text.from_phone, text.body) == ("+18605550142", "Tem gente")


def test_each_benchmark_text_has_its_own_message_sid() -> None:
    first = _text_request(8123, "http://testserver", "t", "+18605550142", "a")
    second = _text_request(8123, "http://testserver", "t", "+18605550142", "a")

    assert first != second


def test_the_fake_senders_are_distinct_valid_numbers() -> None:
    phones = _fake_phones(250)

    assert len(set(phones)) == 250
    assert all(phone.startswith("+1") and phone[5:9] == "5550" for phone in phones)


def test_a_response_is_complete_only_with_its_whole_body() -> None:
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/xml\r\n\r\nhello"

    assert _response_length(bytearray(response[:20])) is None
    assert _response_length(bytearray(response)) == (200, len(response))
    assert _response_length(bytearray(b"HTTP/1.1 204 No Content\r\n\r\n")) == (204, 27)
