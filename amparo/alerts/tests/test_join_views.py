"""The public join form and the coordinators' subscriber counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.actions.subscriptions import stop_subscription
from amparo.alerts.models import Subscription, SubscriptionSource, SubscriptionStatus
from amparo.alerts.tests.subscription_factories import make_towns, new_phone, subscriber
from amparo.alerts.views.subscriptions import JOIN_CLIENT_LIMIT, JOIN_PHONE_LIMIT
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage
from amparo.contacts.models import ConsentMethod, ConsentRecord
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

JOIN = reverse("public_alerts:join")


@pytest.fixture
def towns() -> dict[str, Town]:
    return make_towns()


def form(phone: str = "", **fields: object) -> dict[str, object]:
    return {"phone": phone or new_phone(), "language": "en", "places": "", **fields}


# --- the form ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht"])
def test_the_form_opens_without_an_account_in_each_language(
    client: Client, towns: dict[str, Town], language: str
) -> None:
    response = client.get(JOIN, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert '<label for="id_phone"' in page and '<label for="id_towns"' in page
    assert "Hartford" in page and "<script" not in page
    assert f'value="{language}"' in page and "checked" in page


def test_joining_makes_a_pending_request_and_texts_the_confirmation(
    client: Client, towns: dict[str, Town]
) -> None:
    phone = new_phone()

    response = client.post(
        JOIN,
        form(phone, towns=[towns["Hartford"].pk], places="Hamden, 06511", language="pt"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("public_alerts:join_sent")
    assert phone[2:] not in response["Location"]
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PENDING
    assert subscription.source == SubscriptionSource.WEB
    assert set(subscription.towns.values_list("name", flat=True)) == {
        "Hartford",
        "Hamden",
        "New Haven",
    }
    assert subscription.contact.language == "pt"
    (message,) = OutboundMessage.objects.all()
    assert "ACEITO" in message.body
    assert not ConsentRecord.objects.exists()


def test_the_check_your_phone_page_names_the_confirmation_word(client: Client) -> None:
    with translation.override("en"):
        response = client.get(reverse("public_alerts:join_sent"), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert "JOIN" in page and "ACEPTO" in page and "START" in page


def test_errors_are_listed_and_keep_what_was_typed(client: Client, towns: dict[str, Town]) -> None:
    with translation.override("en"):
        response = client.post(
            JOIN,
            {"phone": "12", "places": "Hartford, Zorbaville", "language": "en"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in page
    assert 'href="#id_phone"' in page and 'href="#id_places"' in page
    assert 'value="Hartford, Zorbaville"' in page and 'value="12"' in page
    assert not Subscription.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_a_town_is_required(client: Client, towns: dict[str, Town]) -> None:
    response = client.post(JOIN, form())

    assert response.status_code == 400
    assert 'href="#id_towns"' in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_number_abroad_is_refused(client: Client, towns: dict[str, Town]) -> None:
    response = client.post(JOIN, form("+447700900123", towns=[towns["Hartford"].pk]))

    assert response.status_code == 400
    assert not OutboundMessage.objects.exists()


def test_the_web_never_activates_nor_changes_an_active_subscription(
    client: Client, towns: dict[str, Town]
) -> None:
    active = subscriber(towns["Hartford"])

    response = client.post(JOIN, form(active.contact.phone, towns=[towns["Hamden"].pk]))

    assert response.status_code == 302  # the same page as anyone else: no one learns who subscribes
    active.refresh_from_db()
    assert active.status == SubscriptionStatus.ACTIVE
    assert list(active.towns.values_list("name", flat=True)) == ["Hartford"]
    assert not OutboundMessage.objects.exists()


def test_the_web_texts_nobody_who_stopped_alerts_and_shows_the_same_page(
    client: Client, towns: dict[str, Town]
) -> None:
    stopped = subscriber(towns["Hartford"])
    stop_subscription(subscription=stopped, method=ConsentMethod.SMS_KEYWORD)
    fresh = client.post(JOIN, form(new_phone(), towns=[towns["Hamden"].pk]))
    OutboundMessage.objects.all().delete()

    response = client.post(JOIN, form(stopped.contact.phone, towns=[towns["Hamden"].pk]))

    assert response.status_code == 302 and response["Location"] == fresh["Location"]
    stopped.refresh_from_db()
    assert stopped.status == SubscriptionStatus.STOPPED
    assert not OutboundMessage.objects.exists()


def test_the_web_adds_no_town_to_a_pending_request_made_by_text(
    client: Client, towns: dict[str, Town]
) -> None:
    contact = subscriber(towns["Hartford"]).contact
    Subscription.objects.filter(contact=contact).update(status=SubscriptionStatus.PENDING)

    response = client.post(JOIN, form(contact.phone, towns=[towns["Hamden"].pk]))

    assert response.status_code == 302
    pending = Subscription.objects.get(contact=contact)
    assert list(pending.towns.values_list("name", flat=True)) == ["Hartford"]
    assert not OutboundMessage.objects.exists()


# --- rate limits --------------------------------------------------------------------------


def test_one_client_is_limited(client: Client, towns: dict[str, Town]) -> None:
    for _ in range(JOIN_CLIENT_LIMIT):
        assert client.post(JOIN, form(towns=[towns["Hartford"].pk])).status_code == 302

    refused = client.post(JOIN, form(towns=[towns["Hartford"].pk]))

    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert OutboundMessage.objects.count() == JOIN_CLIENT_LIMIT


def test_one_number_gets_few_confirmation_requests_whoever_asks(
    towns: dict[str, Town],
) -> None:
    phone = new_phone()
    for n in range(JOIN_PHONE_LIMIT):
        other_client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert other_client.post(JOIN, form(phone, towns=[towns["Hartford"].pk])).status_code == 302

    refused = Client(REMOTE_ADDR="192.0.2.200").post(JOIN, form(phone, towns=[towns["Hamden"].pk]))

    assert refused.status_code == 429
    # The outbox sends one text twice at most a day: the third copy is kept as dropped.
    assert OutboundMessage.objects.exclude(status="dropped").count() <= JOIN_PHONE_LIMIT
    assert set(Subscription.objects.get().towns.values_list("name", flat=True)) == {"Hartford"}


# --- the coordinators' counts ---------------------------------------------------------------


COUNTS = reverse("alerts:subscribers")


def test_a_coordinator_sees_counts_only(client: Client, towns: dict[str, Town]) -> None:
    one = subscriber(towns["Hartford"], towns["Hamden"], language="es")
    subscriber(towns["Hamden"], language="ht")
    coordinator = make_staff(Role.COORDINATOR)
    client.force_login(coordinator)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(COUNTS)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Hamden" in page and "Hartford" in page
    assert one.contact.phone not in page and one.contact.phone[2:] not in page
    assert AuditEvent.objects.filter(action="alerts.subscriber_counts_view").count() == 1
    assert len(queries) <= 15


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LEGAL, Role.TREASURER, Role.ADMIN])
def test_other_roles_are_refused_the_counts(client: Client, role: Role) -> None:
    client.force_login(make_staff(role))

    assert client.get(COUNTS).status_code == 403
    assert not AuditEvent.objects.filter(action="alerts.subscriber_counts_view").exists()


def test_the_counts_need_a_sign_in(client: Client) -> None:
    response = client.get(COUNTS)

    assert response.status_code == 302
    assert "login" in response["Location"]
