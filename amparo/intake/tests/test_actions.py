"""receive_text and receive_voicemail: stored once, sealed, routed in one transaction."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from django.db import connection, connections

from amparo.audit.models import AuditEvent
from amparo.channels.gateways.base import InboundText
from amparo.channels.models import InboundKind, InboundMessage, OutboundMessage
from amparo.contacts.models import Contact
from amparo.contacts.queries import find_contact_by_phone
from amparo.incidents.models import Report
from amparo.intake import router
from amparo.intake.actions import (
    inbound_text_row,
    receive_text,
    receive_voicemail,
    route_stored_message,
    store_inbound_row,
    store_inbound_rows,
)
from amparo.intake.tests.texts import CHANNEL, OTHER_PHONE, PHONE, contact_of, replies_to, text_in

GATEWAY = "amparo.channels.gateways.console.ConsoleGateway"
BODY = "Hay agentes de ICE en la calle Main, frente a la escuela"
RECORDING = "https://api.twilio.example/Recordings/RE0000000000000000000000000000000001"


def voicemail(provider_id: str = "CA0001", phone: str = PHONE) -> InboundMessage | None:
    return receive_voicemail(
        channel="voice",
        provider_id=provider_id,
        from_phone=phone,
        recording_url=RECORDING,
        duration_seconds=42,
    )


@pytest.mark.django_db
def test_a_text_is_stored_with_its_contact_channel_and_provider_id() -> None:
    message = text_in(BODY, provider_id="SM0001")

    assert message is not None
    stored = InboundMessage.objects.get()
    assert stored == message
    assert (stored.channel, stored.provider_id, stored.kind) == (CHANNEL, "SM0001", "sms")
    assert stored.body == BODY
    assert stored.contact == contact_of()
    assert stored.received_at is not None and stored.handled_at is None


@pytest.mark.django_db
def test_the_sender_becomes_a_contact_not_yet_chosen_created_by_the_system() -> None:
    text_in("ICE 06106")

    contact = contact_of()
    assert (contact.language, contact.language_chosen) == ("en", False)
    event = AuditEvent.objects.get(action="contacts.contact_create")
    assert event.actor_id is None


@pytest.mark.django_db
def test_a_known_number_texting_again_is_the_same_contact() -> None:
    text_in(BODY, phone="(860) 555-0142")
    text_in("Otra cosa", phone="+1 860 555 0142")

    assert Contact.objects.count() == 1
    assert InboundMessage.objects.filter(contact=contact_of()).count() == 2


@pytest.mark.django_db
def test_the_body_is_sealed_in_the_database() -> None:
    text_in(BODY)

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM channels_inboundmessage")
        (raw,) = cursor.fetchone()
    raw_bytes = bytes(raw) if isinstance(raw, bytes | memoryview) else str(raw).encode()
    assert b"ICE" not in raw_bytes and b"Main" not in raw_bytes


@pytest.mark.django_db
def test_a_duplicate_provider_id_is_stored_once_and_answered_once() -> None:
    first = text_in(BODY, provider_id="SM0001")
    events = AuditEvent.objects.count()

    again = text_in(BODY, provider_id="SM0001")

    assert first is not None and again is None
    assert InboundMessage.objects.count() == 1
    assert len(replies_to()) == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_duplicate_stop_changes_nothing_the_second_time() -> None:
    text_in("STOP", provider_id="SM0001")

    assert text_in("STOP", provider_id="SM0001") is None

    assert len(replies_to()) == 1
    assert contact_of().consents.count() == 1


@pytest.mark.django_db
def test_the_same_provider_id_on_another_channel_is_another_message(settings: Any) -> None:
    settings.AMPARO_CHANNELS = {**settings.AMPARO_CHANNELS, "sms-backup": {"gateway": GATEWAY}}
    text_in(BODY, provider_id="SM0001")
    receive_text(
        channel="sms-backup",
        text=InboundText(provider_id="SM0001", from_phone=PHONE, to="+18605550100", body=BODY),
    )

    assert InboundMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_duplicate_is_refused_by_the_constraint_without_side_effects() -> None:
    text_in(BODY, provider_id="SM0001")
    events = AuditEvent.objects.count()

    # The same provider id, as if the race's loser came from a number never seen before.
    assert text_in("STOP", phone=OTHER_PHONE, provider_id="SM0001") is None

    assert InboundMessage.objects.count() == 1
    assert find_contact_by_phone(OTHER_PHONE) is None
    assert OutboundMessage.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_text_at_once_store_it_once() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite takes one writer at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(text_in(BODY, provider_id="SM0001"))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len([r for r in results if r is not None]) == 1
    assert InboundMessage.objects.count() == 1
    assert Contact.objects.count() == 1
    assert len(replies_to()) == 1


@pytest.mark.django_db
def test_a_failure_while_routing_keeps_the_text_waiting_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(**kwargs: Any) -> bool:
        raise RuntimeError("database went away")

    monkeypatch.setattr(router, "opt_out", crash)

    with pytest.raises(RuntimeError):
        text_in("STOP", provider_id="SM0001")

    waiting = InboundMessage.objects.get()
    assert waiting.routed_at is None and waiting.contact is None
    assert not Contact.objects.exists()
    monkeypatch.undo()
    assert route_stored_message(message_id=waiting.pk) is not None
    assert contact_of().is_opted_out
    assert route_stored_message(message_id=waiting.pk) is None  # routed once only


@pytest.mark.django_db
@pytest.mark.parametrize("sender", ["Amparo", "+1", "12345", ""])
def test_a_sender_that_is_not_a_phone_number_is_dropped_and_not_logged(
    sender: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="amparo"):
        assert text_in(BODY, phone=sender) is None

    assert not InboundMessage.objects.exists()
    assert not Contact.objects.exists()
    assert "dropped" in caplog.text
    if sender:
        assert sender not in caplog.text.replace("amparo", "")


@pytest.mark.django_db
def test_the_log_shows_neither_the_body_nor_the_number(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        text_in(BODY)
        text_in("AYUDA por favor, 555-0142")
        text_in("STOP")
        voicemail()

    assert "routed to default" in caplog.text  # we are looking at intake's log
    for secret in ("ICE", "Main", "AYUDA", "por favor", "8605550142", "555-0142", RECORDING):
        assert secret not in caplog.text


# --- voicemail ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_voicemail_is_stored_for_the_operators_with_its_recording_sealed() -> None:
    message = voicemail()

    assert message is not None
    stored = InboundMessage.objects.get()
    assert (stored.kind, stored.channel, stored.provider_id) == (
        InboundKind.VOICEMAIL,
        "voice",
        "CA0001",
    )
    assert (stored.routed_to, stored.needs_operator, stored.body) == ("voicemail", True, "")
    assert stored.media == {
        "recording_url": RECORDING,
        "duration_seconds": 42,
        "caller_verified": False,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT media FROM channels_inboundmessage")
        (raw,) = cursor.fetchone()
    raw_bytes = bytes(raw) if isinstance(raw, bytes | memoryview) else str(raw).encode()
    assert b"Recordings" not in raw_bytes


@pytest.mark.django_db
def test_a_voicemail_gets_no_text_in_reply() -> None:
    voicemail()

    assert replies_to() == []


@pytest.mark.django_db
def test_a_voicemail_delivered_twice_is_stored_once() -> None:
    assert voicemail() is not None
    assert voicemail() is None

    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_voicemail_whose_caller_id_is_not_a_phone_number_is_dropped() -> None:
    assert voicemail(phone="+266696687") is None  # Twilio's "anonymous", unparsed

    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_voicemail_from_a_withheld_number_is_kept_and_reported_without_a_contact() -> None:
    message = voicemail(phone="")

    assert message is not None and message.contact is None and message.needs_operator
    report = Report.objects.get()
    assert (report.source, report.inbound, report.reporter) == ("voicemail", message, None)
    assert report.incident is None  # an operator listens, then places it


@pytest.mark.django_db
def test_a_voicemail_is_a_report_from_its_caller() -> None:
    message = voicemail()

    assert message is not None
    assert Report.objects.get().reporter == message.contact


@pytest.mark.django_db
def test_withheld_voicemails_past_the_limit_reach_operators_but_not_the_board(settings) -> None:
    settings.AMPARO_WITHHELD_VOICEMAIL_REPORT_LIMIT = 2
    for n in range(3):
        assert voicemail(phone="", provider_id=f"RE{n:032d}") is not None

    assert Report.objects.count() == 2
    assert InboundMessage.objects.filter(needs_operator=True).count() == 3


@pytest.mark.django_db(transaction=True)
def test_rows_stored_together_take_one_insert_and_repeats_come_back_as_none(
    django_assert_num_queries: Any,
) -> None:
    def row(sid: str, token: str) -> InboundMessage:
        text = InboundText(provider_id=sid, from_phone=PHONE, to="+18605550100", body=BODY)
        return inbound_text_row(channel=CHANNEL, text=text, webhook_token=token)

    store_inbound_row(message=row("SM0001", "tok-1"))
    rows = [row("SM0002", "tok-2"), row("SM0001", "tok-9"), row("SM0003", "tok-2")]

    # The INSERT (it returns what it stored) and one look per repeat.
    returning = connection.features.can_return_rows_from_bulk_insert
    with django_assert_num_queries(3 if returning else 4) as captured:
        outcomes = store_inbound_rows(messages=rows)

    assert sum(q["sql"].startswith("INSERT") for q in captured.captured_queries) == 1
    assert outcomes == [rows[0], None, None]
    assert InboundMessage.objects.get(provider_id="SM0002").body == BODY
    assert InboundMessage.objects.count() == 2
