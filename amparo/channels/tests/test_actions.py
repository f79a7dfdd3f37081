from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.audit.models import AuditEvent
from amparo.channels.actions import (
    AUTOMATIC_REPLY_LIMIT,
    ChannelsError,
    body_digest,
    drop_pending,
    purge_old_messages,
    queue_message,
    record_receipt,
)
from amparo.channels.gateways.base import DeliveryReceipt
from amparo.channels.models import (
    Encoding,
    InboundMessage,
    Lane,
    OutboundMessage,
    OutboundStatus,
)
from amparo.channels.tests.inbox_factories import make_contact, make_inbound, make_outbound
from amparo.contacts.actions import find_or_create_contact, opt_out
from amparo.contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact() -> Contact:
    return find_or_create_contact(phone="+18605550142", language="pt")


def _sent(message: OutboundMessage, provider_id: str) -> OutboundMessage:
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.SENT, provider_id=provider_id
    )
    message.refresh_from_db()
    return message


# --- queue_message ---------------------------------------------------------------


def test_it_queues_a_pending_row_due_now_with_segments_and_validity(contact: Contact) -> None:
    before = timezone.now()
    message = queue_message(contact=contact, body="Não abra a porta.", lane=Lane.ALERT)
    assert message is not None
    message.refresh_from_db()
    assert message.status == OutboundStatus.PENDING
    assert message.body == "Não abra a porta."
    assert (message.encoding, message.segments) == (Encoding.UCS2, 1)
    assert message.lane == Lane.ALERT
    assert before <= message.due_at <= timezone.now()
    assert message.valid_until - message.due_at == dt.timedelta(hours=10)
    assert message.body_digest == body_digest(contact=contact, body="Não abra a porta.")


def test_a_long_gsm_text_counts_two_segments(contact: Contact) -> None:
    message = queue_message(contact=contact, body="a" * 161)
    assert message is not None
    assert (message.encoding, message.segments) == (Encoding.GSM7, 2)


def test_the_body_digest_depends_on_the_contact_and_reveals_no_body(contact: Contact) -> None:
    other = find_or_create_contact(phone="+18605550143")
    digest = body_digest(contact=contact, body="Stay inside")
    assert digest != body_digest(contact=other, body="Stay inside")
    assert digest != body_digest(contact=contact, body="Stay inside.")
    assert "Stay" not in digest and len(digest) == 64


def test_nothing_is_queued_for_an_opted_out_contact(contact: Contact) -> None:
    opt_out(contact=contact, method="sms-keyword")
    assert queue_message(contact=contact, body="Reunión hoy") is None
    assert not OutboundMessage.objects.exists()


def test_the_stop_confirmation_is_queued_even_though_the_contact_opted_out(
    contact: Contact,
) -> None:
    opt_out(contact=contact, method="sms-keyword")
    message = queue_message(
        contact=contact, body="You will get no more texts.", even_if_opted_out=True
    )
    assert message is not None and message.status == OutboundStatus.PENDING


def test_the_opt_out_is_read_from_the_database_not_from_a_stale_instance(
    contact: Contact,
) -> None:
    stale = Contact.objects.get(pk=contact.pk)
    opt_out(contact=contact, method="sms-keyword")
    assert queue_message(contact=stale, body="Reunión hoy") is None


def test_a_third_identical_message_within_a_day_is_dropped_as_capped(contact: Contact) -> None:
    first = queue_message(contact=contact, body="Alert: checkpoint on Main St")
    second = queue_message(contact=contact, body="Alert: checkpoint on Main St")
    third = queue_message(contact=contact, body="Alert: checkpoint on Main St")
    assert first is not None and second is not None and third is not None
    assert first.status == second.status == OutboundStatus.PENDING
    assert (third.status, third.error_code) == (OutboundStatus.DROPPED, "capped")
    assert third.finished_at is not None


def test_the_identical_cap_counts_per_contact_and_per_day(contact: Contact) -> None:
    other = find_or_create_contact(phone="+18605550143")
    for _ in range(2):
        queue_message(contact=contact, body="Same text")
    assert queue_message(contact=other, body="Same text").status == OutboundStatus.PENDING  # type: ignore[union-attr]
    assert queue_message(contact=contact, body="Other text").status == OutboundStatus.PENDING  # type: ignore[union-attr]
    OutboundMessage.objects.filter(contact=contact).update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    assert queue_message(contact=contact, body="Same text").status == OutboundStatus.PENDING  # type: ignore[union-attr]


def test_automatic_replies_stop_after_the_loop_limit(contact: Contact) -> None:
    replies = [
        queue_message(contact=contact, body=f"Menu {n}", automatic=True)
        for n in range(AUTOMATIC_REPLY_LIMIT + 1)
    ]
    assert all(reply is not None for reply in replies[:AUTOMATIC_REPLY_LIMIT])
    assert replies[-1] is None
    assert OutboundMessage.objects.count() == AUTOMATIC_REPLY_LIMIT
    # A person's reply or an alert still goes through.
    assert queue_message(contact=contact, body="An operator writes") is not None


def test_the_loop_guard_forgets_replies_older_than_its_window(contact: Contact) -> None:
    for n in range(AUTOMATIC_REPLY_LIMIT):
        queue_message(contact=contact, body=f"Menu {n}", automatic=True)
    OutboundMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    assert queue_message(contact=contact, body="Menu again", automatic=True) is not None


def test_an_operator_reply_is_audited_and_a_system_message_is_not(contact: Contact) -> None:
    operator = User.objects.create(username="operator-outbox-1", role=Role.OPERATOR)
    before = AuditEvent.objects.count()
    queue_message(contact=contact, body="System text")
    assert AuditEvent.objects.count() == before
    message = queue_message(contact=contact, body="Estamos a caminho", sent_by=operator)
    assert message is not None
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None and event.action == "channels.message_queue"
    assert AuditEvent.objects.count() == before + 1


def test_an_unknown_channel_or_an_empty_body_is_refused(contact: Contact) -> None:
    with pytest.raises(ChannelsError):
        queue_message(contact=contact, body="x", channel="pigeon")
    with pytest.raises(ChannelsError):
        queue_message(contact=contact, body="")


# --- record_receipt --------------------------------------------------------------


def test_a_delivered_receipt_finishes_the_message(contact: Contact) -> None:
    message = _sent(queue_message(contact=contact, body="Hola"), "SM" + "1" * 32)  # type: ignore[arg-type]
    updated = record_receipt(
        channel="sms", receipt=DeliveryReceipt(provider_id="SM" + "1" * 32, status="delivered")
    )
    assert updated is not None and updated.pk == message.pk
    message.refresh_from_db()
    assert message.status == OutboundStatus.DELIVERED
    assert message.finished_at is not None


def test_an_undelivered_receipt_keeps_its_error_code(contact: Contact) -> None:
    message = _sent(queue_message(contact=contact, body="Hola"), "SM" + "2" * 32)  # type: ignore[arg-type]
    record_receipt(
        channel="sms",
        receipt=DeliveryReceipt(
            provider_id="SM" + "2" * 32, status="undelivered", error_code="30003"
        ),
    )
    message.refresh_from_db()
    assert (message.status, message.error_code) == (OutboundStatus.UNDELIVERED, "30003")


def test_an_intermediate_or_late_receipt_changes_nothing(contact: Contact) -> None:
    message = _sent(queue_message(contact=contact, body="Hola"), "SM" + "3" * 32)  # type: ignore[arg-type]
    record_receipt(
        channel="sms", receipt=DeliveryReceipt(provider_id="SM" + "3" * 32, status="sent")
    )
    message.refresh_from_db()
    assert message.status == OutboundStatus.SENT
    record_receipt(
        channel="sms", receipt=DeliveryReceipt(provider_id="SM" + "3" * 32, status="delivered")
    )
    record_receipt(
        channel="sms", receipt=DeliveryReceipt(provider_id="SM" + "3" * 32, status="undelivered")
    )
    message.refresh_from_db()
    assert message.status == OutboundStatus.DELIVERED


def test_error_21610_in_a_receipt_opts_the_contact_out(contact: Contact) -> None:
    _sent(queue_message(contact=contact, body="Hola"), "SM" + "4" * 32)  # type: ignore[arg-type]
    record_receipt(
        channel="sms",
        receipt=DeliveryReceipt(provider_id="SM" + "4" * 32, status="failed", error_code="21610"),
    )
    contact.refresh_from_db()
    assert contact.is_opted_out
    assert queue_message(contact=contact, body="Anything else") is None


def test_a_receipt_for_an_unknown_message_is_ignored(contact: Contact) -> None:
    assert (
        record_receipt(
            channel="sms", receipt=DeliveryReceipt(provider_id="SM" + "9" * 32, status="delivered")
        )
        is None
    )


# --- retention -----------------------------------------------------------------------


def test_old_messages_go_but_a_reply_still_being_sent_stays() -> None:
    contact = make_contact()
    old = timezone.now() - dt.timedelta(days=40)
    make_inbound(contact, received_at=old)
    make_inbound(contact)  # recent
    make_outbound(contact, "old and delivered", status=OutboundStatus.DELIVERED)
    make_outbound(contact, "old and still unknown", status=OutboundStatus.UNKNOWN)
    OutboundMessage.objects.update(created_at=old)

    assert purge_old_messages(before=timezone.now() - dt.timedelta(days=30)) == 2

    assert InboundMessage.objects.count() == 1
    assert [m.body for m in OutboundMessage.objects.all()] == ["old and still unknown"]
    assert purge_old_messages(before=timezone.now() - dt.timedelta(days=30)) == 0


def test_purged_texts_recordings_and_replies_are_erased_at_twilio_too(settings) -> None:
    from amparo.channels.actions import erase_due_provider_copies
    from amparo.channels.fake_twilio import FakeTwilio
    from amparo.channels.models import InboundKind, ProviderErasure
    from amparo.channels.tests.outbox_helpers import use_fake_twilio

    contact = make_contact()
    old = timezone.now() - dt.timedelta(days=40)
    text = make_inbound(contact, received_at=old)
    voicemail = make_inbound(
        contact, "", kind=InboundKind.VOICEMAIL, received_at=old, channel="voice"
    )
    make_inbound(contact, received_at=old, channel="simulator")  # never at a provider
    reply = make_outbound(contact, "old and delivered", status=OutboundStatus.DELIVERED)
    OutboundMessage.objects.filter(pk=reply.pk).update(created_at=old, provider_id="SM" + "9" * 32)

    with FakeTwilio(deadline=60) as fake:
        use_fake_twilio(settings, fake)
        purge_old_messages(before=timezone.now() - dt.timedelta(days=30))
        assert ProviderErasure.objects.count() == 3
        fake.failing_erasures = 1

        assert erase_due_provider_copies() == 3
        assert ProviderErasure.objects.count() == 1  # the one that failed waits
        ProviderErasure.objects.update(due_at=timezone.now())
        erase_due_provider_copies()

    assert not ProviderErasure.objects.exists()
    assert sorted(fake.erased) == sorted(
        [
            ("Messages", text.provider_id),
            ("Recordings", voicemail.provider_id),
            ("Messages", "SM" + "9" * 32),
        ]
    )


def test_with_the_console_gateway_nothing_is_queued_for_erasure() -> None:
    from amparo.channels.models import ProviderErasure

    contact = make_contact()
    make_inbound(contact, received_at=timezone.now() - dt.timedelta(days=40))

    purge_old_messages(before=timezone.now() - dt.timedelta(days=30))

    assert not ProviderErasure.objects.exists()


def test_drop_pending_drops_only_messages_still_waiting(contact: Contact) -> None:
    waiting = queue_message(contact=contact, body="Alert one")
    claimed = queue_message(contact=contact, body="Alert two")
    other = queue_message(contact=contact, body="Alert three")
    assert waiting is not None and claimed is not None and other is not None
    OutboundMessage.objects.filter(pk=claimed.pk).update(status=OutboundStatus.SENDING)
    assert drop_pending(message_ids=[waiting.pk, claimed.pk], error_code="halted") == 1
    waiting.refresh_from_db()
    claimed.refresh_from_db()
    other.refresh_from_db()
    assert waiting.status == OutboundStatus.DROPPED and waiting.error_code == "halted"
    assert waiting.finished_at is not None
    assert claimed.status == OutboundStatus.SENDING
    assert other.status == OutboundStatus.PENDING
