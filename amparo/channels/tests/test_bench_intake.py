"""The intake benchmark's parts: its requests are ones the webhook accepts (no server here)."""

from __future__ import annotations

from django.test import RequestFactory

from amparo.channels.bench_intake import (
    Results,
    _fake_phones,
    _response_length,
    _rounds,
    _text_request,
    combined,
)
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


def test_rounds_cover_every_request_once_in_order() -> None:
    requests = [bytes([i]) for i in range(11)]

    parts = _rounds(requests, 5)

    assert [len(part) for part in parts] == [2, 2, 2, 2, 3]
    assert [request for part in parts for request in part] == requests
    assert _rounds(requests[:3], 5) == [[b"\x00"], [b"\x01"], [b"\x02"]]


def test_rounds_combine_as_all_requests_over_all_their_time() -> None:
    fast = Results(seconds=1.0, latencies_ms=[1.0] * 300)
    slow = Results(seconds=3.0, latencies_ms=[5.0] * 100, errors=2)

    both = combined([fast, slow])

    # 400 requests in 4 s, not the mean of 300/s and 33/s
    assert both.per_second == 100
    assert both.errors == 2
    assert both.p99_ms == 5.0
