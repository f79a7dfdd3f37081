"""The Twilio SMS webhook views: refused requests store nothing; each message is handled once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.test import Client

from amparo.channels.actions import queue_message
from amparo.channels.gateways.twilio.webhooks import MAX_BODY_BYTES, MAX_TEXT_CHARS
from amparo.channels.models import InboundMessage, OutboundMessage, OutboundStatus, WebhookReceipt
from amparo.channels.tests.twilio_requests import (
    FORM,
    fixture,
    new_message_sid,
    post_signed,
    twilio_settings,
)
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.intake.sweeps import route_waiting_messages

SMS = "/hooks/twilio/sms"
STATUS = "/hooks/twilio/status"


def nothing_stored() -> bool:
    return not (
        InboundMessage.objects.exists()
        or WebhookReceipt.objects.exists()
        or Contact.objects.exists()
    )


@pytest.fixture
def twilio() -> Iterator[None]:
    with twilio_settings:
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("twilio")
class TestInboundTextView:
    def test_a_signed_text_is_stored_and_answered_with_empty_twiml(self, client: Client) -> None:
        response = post_signed(client, SMS, fixture("twilio_inbound_sms"))

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        assert response.content.decode().endswith("<Response />")
        message = InboundMessage.objects.get()
        assert (message.channel, message.provider_id, message.body) == (
            "sms",
            "SMb711289e438f577f230f5837e9c74a08",
            "Hello",
        )
        assert message.sender == "+18605550142" and message.routed_at is None

        route_waiting_messages()

        message.refresh_from_db()
        assert message.contact.phone == "+18605550142" and message.sender is None

    def test_an_unsigned_text_is_refused_and_nothing_is_stored(self, client: Client) -> None:
        response = client.post(SMS, urlencode(fixture("twilio_inbound_sms")), content_type=FORM)

        assert response.status_code == 403
        assert nothing_stored()

    def test_a_badly_signed_text_is_refused_and_nothing_is_stored(self, client: Client) -> None:
        response = post_signed(client, SMS, fixture("twilio_inbound_sms"), token="guessed")

        assert response.status_code == 403
        assert nothing_stored()

    def test_an_oversized_text_is_refused_and_nothing_is_stored(self, client: Client) -> None:
        fields = fixture("twilio_inbound_sms", Padding="x" * MAX_BODY_BYTES)

        response = post_signed(client, SMS, fields)

        assert response.status_code == 413
        assert nothing_stored()

    def test_a_malformed_text_is_refused_and_nothing_is_stored(self, client: Client) -> None:
        response = post_signed(client, SMS, fixture("twilio_inbound_sms", From="860-555-0142"))

        assert response.status_code == 400
        assert nothing_stored()

    def test_a_text_from_a_number_that_cannot_exist_is_stored_and_dropped_by_routing(
        self, client: Client
    ) -> None:
        fields = fixture("twilio_inbound_sms", From="+1860")

        assert post_signed(client, SMS, fields).status_code == 200
        assert InboundMessage.objects.get().sender == "+1860"

        route_waiting_messages()

        assert nothing_stored()

    def test_a_get_is_refused(self, client: Client) -> None:
        assert client.get(SMS).status_code == 405
        assert nothing_stored()

    def test_a_receipt_sent_to_the_inbound_url_is_refused(self, client: Client) -> None:
        response = post_signed(client, SMS, fixture("twilio_status_delivered"))

        assert response.status_code == 400
        assert nothing_stored()

    def test_a_message_delivered_twice_is_stored_once(self, client: Client) -> None:
        fields = fixture("twilio_inbound_sms")

        first = post_signed(client, SMS, fields, idempotency_token="token-1")
        again = post_signed(client, SMS, fields, idempotency_token="token-2")

        assert (first.status_code, again.status_code) == (200, 200)
        assert InboundMessage.objects.count() == 1

    def test_a_replayed_idempotency_token_is_handled_once(self, client: Client) -> None:
        first = fixture("twilio_inbound_sms", MessageSid=new_message_sid())
        replay = fixture("twilio_inbound_sms", MessageSid=new_message_sid())

        post_signed(client, SMS, first, idempotency_token="AC123-retry-token")
        response = post_signed(client, SMS, replay, idempotency_token="AC123-retry-token")

        assert response.status_code == 200
        assert InboundMessage.objects.get().provider_id == first["MessageSid"]
        assert InboundMessage.objects.get().webhook_token == "AC123-retry-token"

    def test_an_idempotency_token_we_cannot_store_is_ignored(self, client: Client) -> None:
        for _ in range(2):
            fields = fixture("twilio_inbound_sms", MessageSid=new_message_sid())
            post_signed(client, SMS, fields, idempotency_token="t" * 200)

        assert InboundMessage.objects.count() == 2
        assert not InboundMessage.objects.exclude(webhook_token="").exists()

    def test_texts_from_different_numbers_make_different_contacts(self, client: Client) -> None:
        post_signed(client, SMS, fixture("twilio_inbound_sms"))
        post_signed(client, SMS, fixture("twilio_inbound_sms_es"))
        route_waiting_messages()

        assert Contact.objects.count() == 2
        assert InboundMessage.objects.count() == 2

    def test_neither_numbers_nor_bodies_reach_the_logs(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        fields = fixture("twilio_inbound_sms_es")

        post_signed(client, SMS, fields)
        post_signed(client, SMS, {**fields, "Body": "x" * (MAX_TEXT_CHARS + 1)})
        post_signed(client, SMS, fields, token="guessed")

        assert "refused" in caplog.text
        for secret in (fields["From"], fields["From"][2:], "Dónde", fields["To"]):
            assert secret not in caplog.text


@pytest.mark.django_db
@pytest.mark.usefixtures("twilio")
class TestStatusView:
    def test_an_unsigned_receipt_is_refused(self, client: Client) -> None:
        response = client.post(
            STATUS, urlencode(fixture("twilio_status_delivered")), content_type=FORM
        )

        assert response.status_code == 403
        assert not WebhookReceipt.objects.exists()

    def test_an_inbound_text_sent_to_the_status_url_is_refused(self, client: Client) -> None:
        response = post_signed(client, STATUS, fixture("twilio_inbound_sms"))

        assert response.status_code == 400
        assert nothing_stored()

    def test_a_receipt_for_a_message_we_never_sent_is_acknowledged(self, client: Client) -> None:
        response = post_signed(client, STATUS, fixture("twilio_status_delivered"))

        assert response.status_code == 204

    def test_a_delivered_receipt_updates_the_message(self, client: Client) -> None:
        message = sent_message(fixture("twilio_status_delivered")["MessageSid"])

        response = post_signed(client, STATUS, fixture("twilio_status_delivered"))

        assert response.status_code == 204
        message.refresh_from_db()
        assert message.status == OutboundStatus.DELIVERED

    def test_error_21610_fails_the_message_and_opts_the_contact_out(self, client: Client) -> None:
        message = sent_message(fixture("twilio_status_failed_21610")["MessageSid"])

        post_signed(client, STATUS, fixture("twilio_status_failed_21610"))

        message.refresh_from_db()
        assert (message.status, message.error_code) == (OutboundStatus.FAILED, "21610")
        assert Contact.objects.get().is_opted_out

    def test_a_replayed_receipt_token_is_applied_once(self, client: Client) -> None:
        sid = fixture("twilio_status_delivered")["MessageSid"]
        message = sent_message(sid)
        post_signed(client, STATUS, fixture("twilio_status_delivered"), idempotency_token="r-1")
        # The same token again, now claiming failure: it was handled already.
        failed = fixture("twilio_status_failed_21610", MessageSid=sid)

        response = post_signed(client, STATUS, failed, idempotency_token="r-1")

        assert response.status_code == 204
        message.refresh_from_db()
        assert message.status == OutboundStatus.DELIVERED
        assert not Contact.objects.get().is_opted_out


def sent_message(provider_id: str) -> OutboundMessage:
    """An outbox row the provider accepted as ``provider_id``."""
    contact = find_or_create_contact(phone="+18605550142")
    message = queue_message(contact=contact, body="Your report reached us.")
    assert message is not None
    message.status = OutboundStatus.SENT
    message.provider_id = provider_id
    message.save(update_fields=["status", "provider_id"])
    return message


def test_the_empty_answer_to_a_text_is_what_the_sdk_would_render() -> None:
    from twilio.twiml.messaging_response import MessagingResponse

    from amparo.channels.webhooks import EMPTY_MESSAGING_TWIML

    assert str(MessagingResponse()) == EMPTY_MESSAGING_TWIML
