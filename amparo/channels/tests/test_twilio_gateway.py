from __future__ import annotations

import datetime as dt
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from amparo.channels.fake_twilio import FakeTwilio
from amparo.channels.gateways.base import (
    ChannelConfig,
    OutcomeUnknown,
    Outgoing,
    PermanentError,
    TransientError,
)
from amparo.channels.gateways.twilio import TwilioSMSGateway
from amparo.channels.gateways.twilio.http import TwilioHttp
from amparo.channels.registry import gateway_for
from amparo.channels.tests.outbox_helpers import use_fake_twilio

TO = "+18605550142"
SENDER = "+18605550100"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeTwilio]:
    with FakeTwilio(opted_out={"+18605550199"}, seed=7, deadline=60) as server:
        use_fake_twilio(settings, server)
        yield server


@pytest.fixture
def gateway(fake: FakeTwilio) -> TwilioSMSGateway:
    gateway = gateway_for("sms")
    assert isinstance(gateway, TwilioSMSGateway)
    return gateway


def _send(gateway: TwilioSMSGateway, body: str = "Hola", to: str = TO) -> str:
    return gateway.send(Outgoing(to=to, body=body, sender=SENDER)).provider_id


def test_a_sent_message_reaches_the_provider_with_its_status_callback(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    sid = _send(gateway, "No abra la puerta")
    [accepted] = fake.accepted
    assert (accepted.sid, accepted.to, accepted.body, accepted.sender) == (
        sid,
        TO,
        "No abra la puerta",
        SENDER,
    )
    assert sid.startswith("SM")
    assert gateway.status_callback() == "https://amparo.example/hooks/twilio/status"


def test_a_messaging_service_sid_is_sent_as_the_service(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    gateway.send(Outgoing(to=TO, body="Hola", sender="MG" + "a" * 32))
    assert fake.accepted[0].sender == "MG" + "a" * 32


def test_error_21610_is_a_permanent_opt_out(fake: FakeTwilio, gateway: TwilioSMSGateway) -> None:
    with pytest.raises(PermanentError) as caught:
        _send(gateway, to="+18605550199")
    assert caught.value.opted_out and caught.value.code == "21610"
    assert not fake.accepted


def test_a_refusal_before_accepting_is_transient(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    fake.fail_rate = 1.0
    for _ in range(6):  # both 429 and 500 come up
        with pytest.raises(TransientError):
            _send(gateway)
    assert not fake.accepted


def test_a_lost_answer_is_an_unknown_outcome(fake: FakeTwilio, gateway: TwilioSMSGateway) -> None:
    fake.drop_rate = 1.0
    with pytest.raises(OutcomeUnknown):
        _send(gateway)
    assert len(fake.accepted) == 1


def test_a_connection_that_never_opens_is_transient(settings: Any) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{port}"
    gateway = TwilioSMSGateway(ChannelConfig(name="sms", gateway="", options={"timeout": (1, 1)}))
    with pytest.raises(TransientError):
        _send(gateway)


def test_wrong_credentials_are_refused_and_nothing_is_accepted(
    fake: FakeTwilio, gateway: TwilioSMSGateway, settings: Any
) -> None:
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    with pytest.raises(TransientError) as caught:
        _send(gateway)
    assert caught.value.code == "20003"
    assert not fake.accepted


def test_errors_name_codes_not_numbers_or_bodies(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    fake.drop_rate = 1.0
    with pytest.raises(OutcomeUnknown) as caught:
        _send(gateway, "Secret body")
    assert "Secret" not in str(caught.value) and "555" not in str(caught.value)


def test_find_sent_finds_the_message_by_recipient_and_body(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    sid = _send(gateway, "Reunión a las 7")
    _send(gateway, "Otro texto")
    _send(gateway, "Reunión a las 7", to="+18605550143")
    [record] = gateway.find_sent(to=TO, body="Reunión a las 7", since=since)
    assert (record.provider_id, record.to, record.body) == (sid, TO, "Reunión a las 7")
    assert (
        gateway.find_sent(to=TO, body="Reunión a las 7", since=since + dt.timedelta(minutes=1))
        == []
    )


def test_find_sent_reads_every_page(fake: FakeTwilio, gateway: TwilioSMSGateway) -> None:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    for n in range(230):
        _send(gateway, f"Mensaje {n}")
    assert len(gateway.find_sent(to=TO, body="Mensaje 0", since=since)) == 1
    assert len(gateway.find_sent(to=TO, body="Mensaje 229", since=since)) == 1


def test_find_sent_failing_is_transient(fake: FakeTwilio, gateway: TwilioSMSGateway) -> None:
    fake.stop()
    with pytest.raises(TransientError):
        gateway.find_sent(to=TO, body="x", since=dt.datetime.now(dt.UTC))


def test_the_seam_rewrites_only_the_public_api_host() -> None:
    http = TwilioHttp(base_url="http://127.0.0.1:9999/")
    assert (
        http.rewrite("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json")
        == "http://127.0.0.1:9999/2010-04-01/Accounts/AC1/Messages.json"
    )
    assert http.rewrite("https://example.org/x") == "https://example.org/x"


def test_redacted_keys_cover_numbers_and_bodies(gateway: TwilioSMSGateway) -> None:
    assert {"Body", "From", "To", "Caller", "Called", "RecordingUrl"} <= gateway.redact_keys()


def test_the_fake_stops_itself_at_its_deadline() -> None:
    with FakeTwilio(deadline=0.3) as server:
        url = server.base_url + "/_fake/accepted"
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (127.0.0.1)
            assert answer.status == 200
        server._thread.join(timeout=5)  # type: ignore[union-attr]
        assert not server._thread.is_alive()  # type: ignore[union-attr]


# --- erasure at the provider ------------------------------------------------------


def test_erase_deletes_a_message_or_a_recording_through_the_api(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    gateway.erase(kind="message", provider_id="SM" + "a" * 32)
    gateway.erase(kind="recording", provider_id="RE" + "b" * 32)

    assert fake.erased == [("Messages", "SM" + "a" * 32), ("Recordings", "RE" + "b" * 32)]


def test_erase_failing_at_the_provider_is_transient(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    fake.failing_erasures = 1

    with pytest.raises(TransientError):
        gateway.erase(kind="message", provider_id="SM" + "a" * 32)
    assert fake.erased == []


def test_a_message_asks_twilio_not_to_deliver_it_after_its_validity(
    fake: FakeTwilio, gateway: TwilioSMSGateway
) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    sid = gateway.send(Outgoing(to=TO, body="Hola", sender=SENDER, valid_until=soon)).provider_id

    assert 1790 <= fake.validity_periods[sid] <= 1800


def test_the_validity_sent_stays_within_what_twilio_accepts() -> None:
    from amparo.channels.gateways.twilio import validity_seconds

    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    assert validity_seconds(now + dt.timedelta(hours=30), now=now) == 36_000
    assert validity_seconds(now - dt.timedelta(seconds=5), now=now) == 1
    assert validity_seconds(now + dt.timedelta(seconds=90), now=now) == 90
