"""The staff messaging pages: who may open them, what they show, what they never show."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels.forms import REPLY_MAX_CHARACTERS
from amparo.channels.models import (
    InboundKind,
    InboundMessage,
    Lane,
    OutboundMessage,
    OutboundStatus,
)
from amparo.channels.tests.inbox_factories import make_contact, make_inbound, make_outbound
from amparo.channels.views import SIMULATED_PHONE_KEY
from amparo.contacts.actions import opt_out
from amparo.contacts.models import ConsentMethod, Contact

pytestmark = pytest.mark.django_db

INBOX = reverse("channels:inbox")
LOG = reverse("channels:log")
HEALTH = reverse("channels:health")
SIMULATOR = reverse("channels:simulator")
TWILIO = "amparo.channels.gateways.twilio.TwilioSMSGateway"


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    client.force_login(user)
    return user


def conversation_url(contact: Contact) -> str:
    return reverse("channels:conversation", args=[contact.pk])


def reply_url(contact: Contact) -> str:
    return reverse("channels:reply", args=[contact.pk])


def reveal_url(contact: Contact) -> str:
    return reverse("channels:reveal_phone", args=[contact.pk])


def handled_url(message: InboundMessage) -> str:
    return reverse("channels:mark_handled", args=[message.pk])


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- who may open what -----------------------------------------------------------

# (method, url builder, roles allowed): every staff page of the app.
PAGES = [
    ("get", lambda c, m: INBOX, {Role.OPERATOR, Role.COORDINATOR}),
    ("get", lambda c, m: conversation_url(c), {Role.OPERATOR, Role.COORDINATOR}),
    ("post", lambda c, m: reply_url(c), {Role.OPERATOR}),
    ("post", lambda c, m: reveal_url(c), {Role.OPERATOR}),
    ("post", lambda c, m: handled_url(m), {Role.OPERATOR}),
    ("get", lambda c, m: LOG, {Role.COORDINATOR}),
    ("get", lambda c, m: HEALTH, {Role.COORDINATOR, Role.ADMIN}),
    ("get", lambda c, m: SIMULATOR, {Role.OPERATOR, Role.COORDINATOR}),
]
CASES = [
    pytest.param(method, build, role, role in allowed, id=f"{index}-{method}-{role}")
    for index, (method, build, allowed) in enumerate(PAGES)
    for role in Role
]


@pytest.mark.parametrize(("method", "build", "role", "allowed"), CASES)
def test_each_page_opens_for_its_roles_and_refuses_the_others(
    client: Client, method: str, build, role: Role, allowed: bool
) -> None:
    contact = make_contact()
    message = make_inbound(contact)
    signed_in(client, role)

    response = getattr(client, method)(build(contact, message), {"body": "Vamos para allá"})

    if allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403
        assert "This page is not for your role" in response.content.decode()


@pytest.mark.parametrize(("method", "build", "allowed"), PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, method, build, allowed) -> None:
    contact = make_contact()
    message = make_inbound(contact)

    response = getattr(client, method)(build(contact, message))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_refused_role_changes_nothing_and_reads_nothing(client: Client) -> None:
    contact = make_contact()
    message = make_inbound(contact)
    signed_in(client, Role.COORDINATOR)
    before = AuditEvent.objects.count()

    client.post(reply_url(contact), {"body": "hola"})
    client.post(handled_url(message))
    client.post(reveal_url(contact))

    message.refresh_from_db()
    assert message.handled_at is None
    assert not OutboundMessage.objects.exists()
    assert AuditEvent.objects.count() == before


# --- inbox -------------------------------------------------------------------------


def test_the_inbox_shows_time_kind_language_and_a_masked_number(client: Client) -> None:
    contact = make_contact("+18605550142", language="es")
    make_inbound(contact, "hay agentes en la esquina")
    signed_in(client, Role.OPERATOR)

    html = client.get(INBOX).content.decode()

    assert "•••• 0142" in html
    assert "+18605550142" not in html and "5550142" not in html
    assert "Español" in html
    assert "text message" in html
    assert conversation_url(contact) in html
    # Bodies stay sealed until the conversation is opened.
    assert "hay agentes" not in html


def test_the_inbox_shows_times_in_the_network_time_zone(client: Client, settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    received = dt.datetime(2025, 1, 15, 15, 4, tzinfo=dt.UTC)
    make_inbound(make_contact(), received_at=received)
    signed_in(client, Role.OPERATOR)

    html = client.get(INBOX).content.decode()

    assert 'datetime="2025-01-15T10:04:00-05:00"' in html


def test_the_inbox_leaves_out_handled_messages_and_keyword_traffic(client: Client) -> None:
    handled = make_inbound(make_contact("+18605550143"))
    handled.handled_at = timezone.now()
    handled.save(update_fields=["handled_at"])
    make_inbound(make_contact("+18605550144"), "STOP", needs_operator=False)
    signed_in(client, Role.OPERATOR)

    response = client.get(INBOX)

    assert list(response.context["page"]) == []
    assert "Nothing is waiting" in response.content.decode()


def test_the_inbox_costs_the_same_queries_for_2_or_20_messages(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.OPERATOR)
    for _ in range(2):
        make_inbound(make_contact())
    client.get(INBOX)  # the first page after sign-in also starts the session clock
    with django_assert_max_num_queries(20) as few:
        client.get(INBOX)
    for _ in range(18):
        make_inbound(make_contact(), kind=InboundKind.VOICEMAIL)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert len(response.context["page"]) == 20


# --- conversation ------------------------------------------------------------------


def test_the_conversation_shows_both_directions_and_each_delivery_state(client: Client) -> None:
    contact = make_contact()
    now = timezone.now()
    make_inbound(contact, "hay agentes en la esquina", received_at=now - dt.timedelta(minutes=3))
    make_outbound(
        contact,
        "Vamos para allá",
        status=OutboundStatus.DELIVERED,
        created_at=now - dt.timedelta(minutes=2),
    )
    make_outbound(
        contact,
        "¿Siguen ahí?",
        status=OutboundStatus.FAILED,
        error_code="30003",
        created_at=now - dt.timedelta(minutes=1),
    )
    signed_in(client, Role.OPERATOR)

    html = client.get(conversation_url(contact)).content.decode()

    first, second, third = (
        html.index("hay agentes en la esquina"),
        html.index("Vamos para allá"),
        html.index("¿Siguen ahí?"),
    )
    assert first < second < third
    assert "delivered" in html and "failed" in html and "30003" in html
    assert "•••• " in html
    assert contact.phone not in html


def test_a_voicemail_has_a_recording_link_for_operators_but_not_coordinators(
    client: Client,
) -> None:
    contact = make_contact()
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0"
    make_inbound(
        contact, "", kind=InboundKind.VOICEMAIL, media={"recording_url": url, "duration_seconds": 9}
    )
    signed_in(client, Role.OPERATOR)
    as_operator = client.get(conversation_url(contact)).content.decode()
    signed_in(client, Role.COORDINATOR)
    as_coordinator = client.get(conversation_url(contact)).content.decode()

    message = InboundMessage.objects.get()
    listen = reverse("channels:recording", args=[message.pk])
    assert f'href="{listen}"' in as_operator and "9 seconds" in as_operator
    assert url not in as_operator  # never the provider's own link
    assert listen not in as_coordinator
    assert "Recordings are for operators only." in as_coordinator


def test_viewing_a_conversation_is_audited_once(client: Client) -> None:
    contact = make_contact()
    user = signed_in(client, Role.COORDINATOR)

    client.get(conversation_url(contact))

    (event,) = events("channels.conversation_view")
    assert (event.actor_id, event.target_id) == (user.pk, str(contact.pk))


def test_an_unknown_contact_is_a_404(client: Client) -> None:
    signed_in(client, Role.OPERATOR)

    response = client.get(reverse("channels:conversation", args=[uuid.uuid4()]))

    assert response.status_code == 404


def test_the_operator_reveals_the_full_number_with_an_audited_click(client: Client) -> None:
    contact = make_contact("+18605550142")
    user = signed_in(client, Role.OPERATOR)
    assert "+18605550142" not in client.get(conversation_url(contact)).content.decode()

    response = client.post(reveal_url(contact))

    assert response.status_code == 200
    assert "+18605550142" in response.content.decode()
    (event,) = events("channels.phone_reveal")
    assert (event.actor_id, event.target_id) == (user.pk, str(contact.pk))
    # The next view masks it again.
    assert "+18605550142" not in client.get(conversation_url(contact)).content.decode()


def test_the_reveal_cannot_be_done_with_a_get(client: Client) -> None:
    contact = make_contact("+18605550142")
    signed_in(client, Role.OPERATOR)

    response = client.get(reveal_url(contact))

    assert response.status_code == 405
    assert events("channels.phone_reveal") == []


def test_a_coordinator_reads_the_conversation_but_gets_no_reply_form(client: Client) -> None:
    contact = make_contact()
    make_inbound(contact)
    signed_in(client, Role.COORDINATOR)

    html = client.get(conversation_url(contact)).content.decode()

    assert "Only operators reply to texts." in html
    assert reply_url(contact) not in html
    assert reveal_url(contact) not in html


# --- replying ----------------------------------------------------------------------


def test_an_operator_reply_is_queued_in_the_reply_lane_and_answers_the_latest_text(
    client: Client,
) -> None:
    contact = make_contact()
    now = timezone.now()
    make_inbound(contact, "hola", received_at=now - dt.timedelta(minutes=5))
    latest = make_inbound(contact, "hay agentes en la esquina", received_at=now)
    user = signed_in(client, Role.OPERATOR)

    response = client.post(reply_url(contact), {"body": "Vamos para allá"}, follow=True)

    queued = OutboundMessage.objects.get()
    assert (queued.body, queued.lane, queued.status) == (
        "Vamos para allá",
        Lane.REPLY,
        OutboundStatus.PENDING,
    )
    assert (queued.contact, queued.sent_by, queued.in_reply_to) == (contact, user, latest)
    assert response.redirect_chain[-1][0] == conversation_url(contact)
    assert "Your reply is queued and will be sent in a moment." in messages_on(response)
    assert "Vamos para allá" in response.content.decode()


def test_an_empty_reply_is_refused_with_a_clear_message(client: Client) -> None:
    contact = make_contact()
    signed_in(client, Role.OPERATOR)

    response = client.post(reply_url(contact), {"body": "   "})

    assert response.status_code == 400
    assert "Write a reply before sending." in response.content.decode()
    assert not OutboundMessage.objects.exists()


def test_a_reply_that_is_too_long_is_refused_and_the_text_is_kept(client: Client) -> None:
    contact = make_contact()
    signed_in(client, Role.OPERATOR)
    text = "Vamos para allá. " * 70
    assert len(text) > REPLY_MAX_CHARACTERS

    response = client.post(reply_url(contact), {"body": text})

    html = response.content.decode()
    assert response.status_code == 400
    assert f"A reply can have at most 1000 characters; this one has {len(text.strip())}." in html
    assert text.strip() in html
    assert 'aria-invalid="true"' in html
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("language", ["es", "pt", "ht"])
def test_a_refused_reply_is_explained_in_the_operators_language(
    client: Client, language: str
) -> None:
    contact = make_contact()
    signed_in(client, Role.OPERATOR)
    client.post(reverse("core:set_language"), {"language": language, "next": "/"})
    with translation.override(language):
        explained = translation.gettext("Write a reply before sending.")
    assert explained != "Write a reply before sending."

    response = client.post(reply_url(contact), {"body": ""})

    assert escape(explained) in response.content.decode()


def test_an_opted_out_contact_gets_a_banner_and_no_working_reply_form(client: Client) -> None:
    contact = make_contact()
    make_inbound(contact)
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
    signed_in(client, Role.OPERATOR)

    html = client.get(conversation_url(contact)).content.decode()

    assert "This number opted out of texts." in html
    assert "disabled" in html.split('name="body"')[1].split(">")[0]
    assert "Sending is off because this number opted out." in html


def test_a_reply_to_an_opted_out_contact_is_refused_and_kept(client: Client) -> None:
    contact = make_contact()
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
    signed_in(client, Role.OPERATOR)

    response = client.post(reply_url(contact), {"body": "Vamos para allá"})

    assert response.status_code == 400
    assert "Nothing was sent: this number has opted out of texts." in response.content.decode()
    assert not OutboundMessage.objects.exists()


# --- mark handled ------------------------------------------------------------------


def test_marking_a_message_handled_takes_it_out_of_the_inbox(client: Client) -> None:
    contact = make_contact()
    message = make_inbound(contact)
    user = signed_in(client, Role.OPERATOR)

    response = client.post(handled_url(message), follow=True)

    message.refresh_from_db()
    assert message.handled_by == user and message.handled_at is not None
    assert response.redirect_chain[-1][0] == conversation_url(contact)
    assert list(client.get(INBOX).context["page"]) == []


# --- log ---------------------------------------------------------------------------


def test_the_log_shows_states_and_masked_numbers_but_no_bodies(client: Client) -> None:
    contact = make_contact("+18605550142")
    make_outbound(contact, "Vamos para allá", status=OutboundStatus.UNDELIVERED, error_code="30005")
    signed_in(client, Role.COORDINATOR)

    html = client.get(LOG).content.decode()

    assert "•••• 0142" in html and "+18605550142" not in html
    assert "not delivered" in html and "30005" in html
    assert "Vamos para" not in html
    assert events("channels.log_view")


def test_the_log_filters_and_keeps_the_filter_in_its_page_links(client: Client) -> None:
    contact = make_contact()
    for _ in range(51):
        make_outbound(contact, status=OutboundStatus.FAILED, lane=Lane.ALERT)
    make_outbound(contact, status=OutboundStatus.SENT, lane=Lane.ALERT)
    signed_in(client, Role.COORDINATOR)

    response = client.get(LOG, {"status": "failed", "lane": str(Lane.ALERT)})

    assert response.context["page"].paginator.count == 51
    assert "?status=failed&amp;lane=2&amp;page=2" in response.content.decode()


def test_a_bad_log_filter_shows_everything_with_an_error(client: Client) -> None:
    make_outbound(make_contact())
    signed_in(client, Role.COORDINATOR)

    response = client.get(LOG, {"status": "nonsense"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert response.context["form"].errors


def test_the_log_costs_the_same_queries_for_2_or_40_rows(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    for _ in range(2):
        make_outbound(make_contact())
    client.get(LOG)  # the first page after sign-in also starts the session clock
    with django_assert_max_num_queries(20) as few:
        client.get(LOG)
    for _ in range(38):
        make_outbound(make_contact(), status=OutboundStatus.SENT)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LOG)
    assert len(response.context["page"]) == 40


# --- health ------------------------------------------------------------------------


def test_the_health_page_shows_gateway_rate_queue_and_last_error(client: Client) -> None:
    from amparo.channels.models import ChannelHealth

    make_outbound(make_contact(), status=OutboundStatus.PENDING)
    ChannelHealth.objects.create(
        channel="sms", last_error_at=timezone.now(), last_error_code="30007"
    )
    signed_in(client, Role.ADMIN)

    html = client.get(HEALTH).content.decode()

    assert "console" in html
    assert "1 per second" in html
    assert "30007" in html
    assert "waiting to be sent" in html


def test_the_health_page_costs_the_same_queries_whatever_the_queue(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    signed_in(client, Role.COORDINATOR)
    client.get(HEALTH)  # the first page after sign-in also starts the session clock
    with django_assert_max_num_queries(10) as few:
        client.get(HEALTH)
    for lane in Lane:
        make_outbound(make_contact(), lane=lane)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(HEALTH)


# --- simulator ---------------------------------------------------------------------


def test_the_simulator_is_a_404_when_the_sms_channel_has_a_real_gateway(
    client: Client, settings
) -> None:
    settings.AMPARO_CHANNELS = {"sms": {**settings.AMPARO_CHANNELS["sms"], "gateway": TWILIO}}
    signed_in(client, Role.OPERATOR)

    assert client.get(SIMULATOR).status_code == 404
    assert (
        client.post(
            SIMULATOR, {"phone": "+18605550142", "language": "en", "text": "hi"}
        ).status_code
        == 404
    )
    assert not InboundMessage.objects.exists()


def test_the_simulator_is_a_404_in_production(client: Client, settings) -> None:
    signed_in(client, Role.OPERATOR)
    settings.AMPARO_MODE = "production"

    assert client.get(SIMULATOR).status_code == 404


def test_the_simulator_starts_on_a_fictional_555_number(client: Client) -> None:
    signed_in(client, Role.OPERATOR)

    response = client.get(SIMULATOR)

    assert response.status_code == 200
    assert response.context["form"].initial["phone"] == "+18605550142"
    assert "No messages on this phone yet." in response.content.decode()


def test_a_text_from_the_simulator_reaches_the_operators_inbox(client: Client) -> None:
    user = signed_in(client, Role.OPERATOR)

    response = client.post(
        SIMULATOR,
        {"phone": "(860) 555-0142", "language": "es", "text": "hay agentes en la esquina"},
        follow=True,
    )

    message = InboundMessage.objects.get()
    assert message.body == "hay agentes en la esquina"
    assert message.needs_operator
    assert message.provider_id.startswith("sim-")
    assert message.contact.phone == "+18605550142"
    assert message.contact.language == "es"
    assert client.session[SIMULATED_PHONE_KEY] == "+18605550142"
    assert response.redirect_chain[-1][0] == SIMULATOR
    assert "hay agentes en la esquina" in response.content.decode()
    assert list(client.get(INBOX).context["page"]) == [message]
    assert user.pk in {e.actor_id for e in events("channels.simulator_view")}


def test_the_simulated_phone_shows_replies_only_once_they_were_sent(client: Client) -> None:
    signed_in(client, Role.OPERATOR)
    client.post(SIMULATOR, {"phone": "+18605550142", "language": "es", "text": "hola agentes"})
    contact = Contact.objects.matching(phone="+18605550142").get()
    reply = make_outbound(contact, "Vamos para allá", status=OutboundStatus.PENDING)
    assert "Vamos para allá" not in client.get(SIMULATOR).content.decode()

    OutboundMessage.objects.filter(pk=reply.pk).update(
        status=OutboundStatus.SENT, sent_at=timezone.now()
    )

    assert "Vamos para allá" in client.get(SIMULATOR).content.decode()


def test_the_simulator_switches_phones_without_sending(client: Client) -> None:
    signed_in(client, Role.OPERATOR)

    client.post(SIMULATOR, {"phone": "+18605550177", "language": "en", "text": "", "show": ""})

    assert client.session[SIMULATED_PHONE_KEY] == "+18605550177"
    assert not InboundMessage.objects.exists()


def test_the_simulator_refuses_a_number_that_is_not_one_and_keeps_the_text(
    client: Client,
) -> None:
    signed_in(client, Role.OPERATOR)

    response = client.post(SIMULATOR, {"phone": "12", "language": "en", "text": "hola agentes"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "That is not a phone number." in html
    assert "hola agentes" in html
    assert not InboundMessage.objects.exists()


def test_the_simulator_refuses_an_empty_text(client: Client) -> None:
    signed_in(client, Role.OPERATOR)

    response = client.post(SIMULATOR, {"phone": "+18605550142", "language": "en", "text": ""})

    assert response.status_code == 400
    assert "Type a text to send." in response.content.decode()


# --- staff home links --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OPERATOR, {INBOX, SIMULATOR}),
        (Role.COORDINATOR, {INBOX, LOG, HEALTH, SIMULATOR}),
        (Role.ADMIN, {HEALTH}),
        (Role.LEGAL, set()),
        (Role.RESPONDER, set()),
    ],
)
def test_the_staff_home_links_each_role_to_its_messaging_pages(
    client: Client, role: Role, expected: set[str]
) -> None:
    signed_in(client, role)

    html = client.get(reverse("core:home")).content.decode()

    assert {url for url in (INBOX, LOG, HEALTH, SIMULATOR) if f'href="{url}"' in html} == expected


def test_the_staff_home_hides_the_simulator_with_a_real_gateway(client: Client, settings) -> None:
    settings.AMPARO_CHANNELS = {"sms": {**settings.AMPARO_CHANNELS["sms"], "gateway": TWILIO}}
    signed_in(client, Role.COORDINATOR)

    html = client.get(reverse("core:home")).content.decode()

    assert f'href="{SIMULATOR}"' not in html


def test_the_simulator_never_acts_for_or_shows_a_real_number(client: Client) -> None:
    from amparo.contacts.actions import find_or_create_contact
    from amparo.intake.tests.texts import text_in

    text_in("Hay agentes en la calle", phone="+18602220142")  # not a 555-01xx number
    signed_in(client, Role.OPERATOR)

    response = client.post(SIMULATOR, {"phone": "+18602220142", "language": "en", "text": "STOP"})
    assert "Use a fictional 555-01xx number" in response.content.decode()
    assert not find_or_create_contact(phone="+18602220142").is_opted_out
    shown = client.post(
        SIMULATOR, {"phone": "+18602220142", "language": "en", "text": "", "show": ""}, follow=True
    )
    assert "Hay agentes" not in shown.content.decode()


@pytest.mark.parametrize(("verified", "warned"), [(False, True), (True, False)])
def test_a_voicemail_whose_caller_id_was_not_vouched_for_is_flagged(
    client: Client, verified: bool, warned: bool
) -> None:
    contact = make_contact()
    make_inbound(
        contact,
        "",
        kind=InboundKind.VOICEMAIL,
        channel="voice",
        media={
            "recording_url": "https://api.twilio.com/recordings/RE1",
            "duration_seconds": 12,
            "caller_verified": verified,
        },
    )
    signed_in(client, Role.OPERATOR)
    html = client.get(conversation_url(contact)).content.decode()
    assert ("Caller ID not verified" in html) is warned


# --- a message without a number ------------------------------------------------------


def withheld_voicemail() -> InboundMessage:
    return make_inbound(
        None,
        "",
        kind=InboundKind.VOICEMAIL,
        media={
            "recording_url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            "duration_seconds": 30,
            "caller_verified": False,
        },
    )


def test_a_voicemail_from_a_withheld_number_is_listed_and_opens_with_its_recording(
    client: Client,
) -> None:
    message = withheld_voicemail()
    signed_in(client, Role.OPERATOR)
    page_url = reverse("channels:inbound", args=[message.pk])

    inbox_page = client.get(INBOX).content.decode()
    page = client.get(page_url)

    assert page_url in inbox_page and "Number withheld" in inbox_page
    assert page.status_code == 200
    assert "Listen to the recording" in page.content.decode()
    assert AuditEvent.objects.filter(action="channels.inbound_view").count() == 1


def test_a_coordinator_sees_a_withheld_voicemail_but_not_its_recording(client: Client) -> None:
    message = withheld_voicemail()
    signed_in(client, Role.COORDINATOR)

    page = client.get(reverse("channels:inbound", args=[message.pk])).content.decode()

    assert "Listen to the recording" not in page and "operators only" in page


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN])
def test_other_roles_cannot_open_a_message_without_a_number(client: Client, role: Role) -> None:
    message = withheld_voicemail()
    signed_in(client, role)

    assert client.get(reverse("channels:inbound", args=[message.pk])).status_code == 403


def test_a_message_with_a_contact_is_read_in_its_conversation_not_here(client: Client) -> None:
    message = make_inbound(make_contact())
    signed_in(client, Role.OPERATOR)

    assert client.get(reverse("channels:inbound", args=[message.pk])).status_code == 404


def test_marking_a_withheld_voicemail_handled_goes_back_to_the_inbox(client: Client) -> None:
    message = withheld_voicemail()
    signed_in(client, Role.OPERATOR)

    response = client.post(handled_url(message), follow=True)

    assert response.redirect_chain[-1][0] == INBOX
    assert list(response.context["page"]) == []


# --- hearing a recording ----------------------------------------------------------


def test_an_operator_hears_a_voicemail_through_an_audited_page(client: Client, settings) -> None:
    from amparo.channels.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUDIO, FakeTwilio
    from amparo.channels.tests.outbox_helpers import use_fake_twilio

    sid = "RE" + "c" * 32
    url = f"https://api.twilio.com/2010-04-01/Accounts/{FAKE_ACCOUNT_SID}/Recordings/{sid}"
    message = make_inbound(
        make_contact(), "", kind=InboundKind.VOICEMAIL, media={"recording_url": url}
    )
    user = signed_in(client, Role.OPERATOR)

    with FakeTwilio(deadline=60) as fake:
        use_fake_twilio(settings, fake)
        response = client.get(reverse("channels:recording", args=[message.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "audio/mpeg"
    assert response.content.startswith(FAKE_AUDIO)
    assert "no-store" in response["Cache-Control"]
    (event,) = events("channels.recording_listen")
    assert (event.actor_id, event.target_id) == (user.pk, str(message.pk))


def test_a_recording_url_outside_the_account_is_never_fetched(client: Client, settings) -> None:
    from amparo.channels.fake_twilio import FakeTwilio
    from amparo.channels.tests.outbox_helpers import use_fake_twilio

    url = "https://api.twilio.com/2010-04-01/Accounts/ACother/Recordings/RE" + "c" * 32
    message = make_inbound(
        make_contact(), "", kind=InboundKind.VOICEMAIL, media={"recording_url": url}
    )
    signed_in(client, Role.OPERATOR)

    with FakeTwilio(deadline=60) as fake:
        use_fake_twilio(settings, fake)
        response = client.get(reverse("channels:recording", args=[message.pk]))

    assert response.status_code == 410


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN]
)
def test_only_operators_hear_recordings(client: Client, role: Role) -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE" + "c" * 32
    message = make_inbound(
        make_contact(), "", kind=InboundKind.VOICEMAIL, media={"recording_url": url}
    )
    signed_in(client, role)

    assert client.get(reverse("channels:recording", args=[message.pk])).status_code == 403
