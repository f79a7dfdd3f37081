"""Staff reads of messages: role checks, one audit event per view, masked numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels import queries
from amparo.channels.models import ChannelHealth, InboundKind, Lane, OutboundStatus
from amparo.channels.tests.inbox_factories import make_contact, make_inbound, make_outbound

pytestmark = pytest.mark.django_db

NOT_CONVERSATION_ROLES = [Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN]


def last_event() -> AuditEvent:
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    return event


def test_a_masked_phone_keeps_only_the_last_four_digits() -> None:
    assert queries.mask_phone("+18605550142") == "•••• 0142"
    assert queries.mask_phone("123") == "••••"
    assert queries.mask_phone("") == "••••"


# --- inbox ---------------------------------------------------------------------


def test_the_inbox_lists_unhandled_messages_for_operators_newest_first() -> None:
    contact = make_contact()
    now = timezone.now()
    older = make_inbound(contact, received_at=now - dt.timedelta(minutes=5))
    newer = make_inbound(contact, received_at=now)
    make_inbound(contact, needs_operator=False)
    handled = make_inbound(contact)
    handled.handled_at = now
    handled.save(update_fields=["handled_at"])

    page = queries.access_inbox(make_staff(Role.OPERATOR))

    assert list(page) == [newer, older]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COORDINATOR])
def test_opening_the_inbox_is_one_audit_event(role: Role) -> None:
    user = make_staff(role)
    for _ in range(3):
        make_inbound(make_contact())
    before = AuditEvent.objects.count()

    queries.access_inbox(user)

    assert AuditEvent.objects.count() == before + 1
    assert (last_event().actor_id, last_event().action) == (user.pk, "channels.inbox_view")


@pytest.mark.parametrize("role", NOT_CONVERSATION_ROLES)
def test_the_inbox_refuses_other_roles(role: Role) -> None:
    with pytest.raises(PermissionDenied):
        queries.access_inbox(make_staff(role))


def test_the_inbox_refuses_a_deactivated_operator() -> None:
    user = make_staff(Role.OPERATOR)
    user.is_active = False

    with pytest.raises(PermissionDenied):
        queries.access_inbox(user)


# --- conversation ----------------------------------------------------------------


def test_a_conversation_interleaves_texts_and_replies_in_time_order() -> None:
    contact = make_contact()
    now = timezone.now()
    first = make_inbound(contact, "hola", received_at=now - dt.timedelta(minutes=3))
    reply = make_outbound(contact, "Vamos", created_at=now - dt.timedelta(minutes=2))
    second = make_inbound(contact, "gracias", received_at=now - dt.timedelta(minutes=1))
    other = make_contact()
    make_inbound(other, "not this one")

    found = queries.access_conversation(make_staff(Role.OPERATOR), contact.pk)

    assert [(e.inbound, e.outbound) for e in found.entries] == [
        (first, None),
        (None, reply),
        (second, None),
    ]
    assert found.latest_inbound == second
    assert found.masked_phone == queries.mask_phone(contact.phone)


def test_viewing_a_conversation_is_audited_on_the_contact() -> None:
    contact = make_contact()
    user = make_staff(Role.COORDINATOR)

    queries.access_conversation(user, contact.pk)

    event = last_event()
    assert (event.actor_id, event.action) == (user.pk, "channels.conversation_view")
    assert (event.target_type, event.target_id) == ("contacts.contact", str(contact.pk))


@pytest.mark.parametrize("role", NOT_CONVERSATION_ROLES)
def test_a_conversation_refuses_other_roles_and_audits_nothing(role: Role) -> None:
    contact = make_contact()
    user = make_staff(role)
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        queries.access_conversation(user, contact.pk)
    assert AuditEvent.objects.count() == before


def test_a_voicemail_recording_link_is_only_given_to_operators() -> None:
    contact = make_contact()
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0"
    message = make_inbound(
        contact,
        "",
        kind=InboundKind.VOICEMAIL,
        media={"recording_url": url, "duration_seconds": 12},
    )

    for_operator = queries.access_conversation(make_staff(Role.OPERATOR), contact.pk)
    for_coordinator = queries.access_conversation(make_staff(Role.COORDINATOR), contact.pk)

    # Our own audited page, never the provider's URL (browser history, provider keys).
    assert (
        for_operator.entries[0].recording_url == f"/staff/messages/inbound/{message.pk}/recording/"
    )
    assert for_coordinator.entries[0].recording_url == ""


def test_a_recording_link_that_is_not_https_is_never_offered() -> None:
    contact = make_contact()
    make_inbound(contact, "", kind=InboundKind.VOICEMAIL, media={"recording_url": "javascript:x"})

    found = queries.access_conversation(make_staff(Role.OPERATOR), contact.pk)

    assert found.entries[0].recording_url == ""


def test_revealing_a_number_is_a_separate_audit_event_for_operators_only() -> None:
    contact = make_contact("+18605550142")
    operator = make_staff(Role.OPERATOR)

    _found, phone = queries.access_phone(operator, contact.pk)

    assert phone == "+18605550142"
    assert last_event().action == "channels.phone_reveal"
    assert last_event().target_id == str(contact.pk)
    with pytest.raises(PermissionDenied):
        queries.access_phone(make_staff(Role.COORDINATOR), contact.pk)


# --- log ---------------------------------------------------------------------------


def test_the_log_filters_by_status_and_lane() -> None:
    contact = make_contact()
    wanted = make_outbound(contact, status=OutboundStatus.FAILED, lane=Lane.ALERT)
    make_outbound(contact, status=OutboundStatus.FAILED, lane=Lane.REPLY)
    make_outbound(contact, status=OutboundStatus.SENT, lane=Lane.ALERT)
    coordinator = make_staff(Role.COORDINATOR)

    page = queries.access_message_log(coordinator, status="failed", lane=Lane.ALERT)

    assert list(page) == [wanted]
    assert last_event().action == "channels.log_view"


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONDER, Role.ADMIN, Role.LEGAL])
def test_the_log_is_for_coordinators_only(role: Role) -> None:
    with pytest.raises(PermissionDenied):
        queries.access_message_log(make_staff(role))


# --- health ------------------------------------------------------------------------


def test_channel_health_counts_the_queue_by_lane_and_status() -> None:
    contact = make_contact()
    make_outbound(contact, status=OutboundStatus.PENDING, lane=Lane.REPLY)
    make_outbound(contact, status=OutboundStatus.PENDING, lane=Lane.REPLY)
    make_outbound(contact, status=OutboundStatus.UNKNOWN, lane=Lane.BULK)
    make_outbound(contact, status=OutboundStatus.DELIVERED, lane=Lane.REPLY)
    make_outbound(contact, status=OutboundStatus.PENDING, channel="other")
    at = timezone.now()
    ChannelHealth.objects.create(channel="sms", last_error_at=at, last_error_code="30007")

    (sms,) = queries.channel_health(make_staff(Role.ADMIN))

    assert (sms.name, sms.gateway, sms.senders, sms.rate) == ("sms", "console", 1, 1.0)
    assert sms.queued == 3
    assert sms.depth_rows()[Lane.REPLY] == ("reply", [2, 0, 0])
    assert sms.depth_rows()[Lane.BULK] == ("bulk", [0, 0, 1])
    assert sms.oldest_pending_at is not None
    assert (sms.last_error_code, sms.last_error_at) == ("30007", at)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONDER, Role.LEGAL, Role.TREASURER])
def test_channel_health_is_for_coordinators_and_admins(role: Role) -> None:
    with pytest.raises(PermissionDenied):
        queries.channel_health(make_staff(role))


# --- simulator ----------------------------------------------------------------------


def test_the_simulator_is_available_with_the_console_gateway_outside_production() -> None:
    assert queries.simulator_available()


def test_the_simulator_is_not_available_with_a_real_gateway(settings) -> None:
    twilio = "amparo.channels.gateways.twilio.TwilioSMSGateway"
    settings.AMPARO_CHANNELS = {"sms": {**settings.AMPARO_CHANNELS["sms"], "gateway": twilio}}

    assert not queries.simulator_available()


@override_settings(AMPARO_MODE="production")
def test_the_simulator_is_never_available_in_production() -> None:
    assert not queries.simulator_available()


def test_the_simulated_phone_shows_its_texts_and_only_replies_that_were_sent() -> None:
    contact = make_contact("+18605550142")
    now = timezone.now()
    make_inbound(contact, "hola", received_at=now - dt.timedelta(minutes=2))
    make_outbound(
        contact,
        "Recibido",
        status=OutboundStatus.SENT,
        sent_at=now - dt.timedelta(minutes=1),
    )
    make_outbound(contact, "not yet", status=OutboundStatus.PENDING)
    user = make_staff(Role.OPERATOR)

    phone = queries.access_simulated_phone(user, "(860) 555-0142")

    assert [(e.from_phone, e.body) for e in phone.entries] == [(True, "hola"), (False, "Recibido")]
    assert (last_event().action, last_event().target_id) == (
        "channels.simulator_view",
        str(contact.pk),
    )


def test_a_simulated_phone_that_never_texted_shows_nothing_and_audits_nothing() -> None:
    user = make_staff(Role.OPERATOR)
    before = AuditEvent.objects.count()

    phone = queries.access_simulated_phone(user, "+18605550177")

    assert (phone.contact, phone.entries) == (None, [])
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.LEGAL, Role.TREASURER])
def test_the_simulated_phone_refuses_other_roles(role: Role) -> None:
    with pytest.raises(PermissionDenied):
        queries.access_simulated_phone(make_staff(role), "+18605550142")
