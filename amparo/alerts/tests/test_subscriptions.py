"""Subscription actions and queries: double opt-in, towns, stop, forget, who gets an alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.actions.subscriptions import (
    MAX_TOWNS,
    PENDING_LIFETIME,
    add_towns,
    confirm_subscription,
    forget_pending_subscriptions,
    remove_towns,
    request_by_web,
    stop_subscription,
    subscribe,
)
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import Subscription, SubscriptionSource, SubscriptionStatus
from amparo.alerts.queries.subscriptions import access_subscriber_counts, subscribers_of
from amparo.alerts.sweeps import forget_pending
from amparo.alerts.tests.subscription_factories import (
    a_contact,
    make_towns,
    new_phone,
    subscriber,
)
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage
from amparo.contacts.actions import opt_out, record_consent
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import ConsentMethod, ConsentRecord, ConsentScope
from amparo.places.actions import add_town

pytestmark = pytest.mark.django_db

SMS = ConsentMethod.SMS_KEYWORD


def alert_consents(contact: object) -> list[bool]:
    return list(
        ConsentRecord.objects.filter(contact=contact, scope=ConsentScope.ALERTS)
        .order_by("at", "pk")
        .values_list("granted", flat=True)
    )


# --- double opt-in ------------------------------------------------------------------


def test_subscribing_makes_a_pending_subscription_that_gets_no_alert() -> None:
    towns = make_towns()
    contact = a_contact()

    subscription = subscribe(
        contact=contact, towns=[towns["Hartford"]], source=SubscriptionSource.SMS
    )

    assert subscription.status == SubscriptionStatus.PENDING
    assert list(subscription.towns.all()) == [towns["Hartford"]]
    assert list(subscribers_of([towns["Hartford"].pk])) == []
    assert alert_consents(contact) == []


def test_confirming_activates_it_and_records_the_consent() -> None:
    towns = make_towns()
    contact = a_contact()
    subscription = subscribe(
        contact=contact, towns=[towns["Hartford"]], source=SubscriptionSource.WEB
    )

    confirm_subscription(subscription=subscription, method=SMS)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.confirmed_at is not None
    assert list(subscribers_of([towns["Hartford"].pk])) == [{"id": contact.pk, "language": "en"}]
    record = ConsentRecord.objects.get(contact=contact, scope=ConsentScope.ALERTS)
    assert (record.granted, record.method) == (True, SMS)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"alerts.subscription_request", "alerts.subscription_confirm"} <= actions


def test_a_subscription_without_a_town_cannot_be_confirmed() -> None:
    subscription = subscribe(contact=a_contact(), towns=[], source=SubscriptionSource.SMS)

    with pytest.raises(AlertsError):
        confirm_subscription(subscription=subscription, method=SMS)
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING


def test_an_active_subscription_cannot_be_confirmed_twice_or_subscribed_again() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])

    with pytest.raises(AlertsError):
        confirm_subscription(subscription=subscription, method=SMS)
    with pytest.raises(AlertsError):
        subscribe(
            contact=subscription.contact, towns=[towns["Hamden"]], source=SubscriptionSource.WEB
        )
    assert list(subscription.towns.all()) == [towns["Hartford"]]


def test_asking_again_while_pending_adds_the_towns() -> None:
    towns = make_towns()
    contact = a_contact()
    subscribe(contact=contact, towns=[towns["Hartford"]], source=SubscriptionSource.SMS)

    again = subscribe(
        contact=contact, towns=[towns["Hamden"], towns["Hartford"]], source=SubscriptionSource.SMS
    )

    assert Subscription.objects.count() == 1
    assert set(again.towns.all()) == {towns["Hartford"], towns["Hamden"]}


# --- towns and stop ------------------------------------------------------------------


def test_adding_a_town_to_an_active_subscription_needs_no_second_confirmation() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])

    added = add_towns(subscription=subscription, towns=[towns["Hamden"], towns["Hartford"]])

    assert added == 1
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert [row["id"] for row in subscribers_of([towns["Hamden"].pk])] == [subscription.contact_id]


def test_a_subscription_follows_a_limited_number_of_towns() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])
    many = [
        add_town(name=f"Invented Town {n}", state="CT", latitude=41, longitude=-72)  # type: ignore[arg-type]
        for n in range(MAX_TOWNS)
    ]

    with pytest.raises(AlertsError):
        add_towns(subscription=subscription, towns=many)
    assert subscription.towns.count() == 1


def test_stopping_withdraws_the_alerts_consent_but_not_other_messages() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])

    assert stop_subscription(subscription=subscription, method=SMS) is True

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.STOPPED
    assert subscription.stopped_at is not None
    assert alert_consents(subscription.contact) == [True, False]
    assert not subscription.contact.is_opted_out
    assert list(subscribers_of([towns["Hartford"].pk])) == []
    assert stop_subscription(subscription=subscription, method=SMS) is False
    assert alert_consents(subscription.contact) == [True, False]


def test_removing_the_last_town_stops_the_subscription() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"], towns["Hamden"])

    assert remove_towns(subscription=subscription, towns=[towns["Hamden"]], method=SMS) == 1
    assert subscription.status == SubscriptionStatus.ACTIVE
    remove_towns(subscription=subscription, towns=[towns["Hartford"]], method=SMS)

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.STOPPED
    assert alert_consents(subscription.contact) == [True, False]


def test_a_stopped_subscription_starts_again_pending_with_the_new_towns_only() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])
    stop_subscription(subscription=subscription, method=SMS)

    again = subscribe(
        contact=subscription.contact, towns=[towns["Hamden"]], source=SubscriptionSource.SMS
    )

    assert again.pk == subscription.pk
    assert again.status == SubscriptionStatus.PENDING
    assert again.confirmed_at is None and again.stopped_at is None
    assert list(again.towns.all()) == [towns["Hamden"]]
    assert list(subscribers_of([towns["Hamden"].pk])) == []


# --- who gets an alert -----------------------------------------------------------------


def test_subscribers_of_towns_are_each_contact_once_with_its_language() -> None:
    towns = make_towns()
    both = subscriber(towns["Hartford"], towns["Hamden"], language="ht")
    one = subscriber(towns["Hamden"], language="es")
    subscriber(towns["Stamford"], language="pt")  # another town
    subscribe(contact=a_contact(), towns=[towns["Hamden"]], source=SubscriptionSource.SMS)

    rows = list(subscribers_of([towns["Hartford"].pk, towns["Hamden"].pk]))

    assert sorted(rows, key=lambda r: r["id"]) == sorted(
        [
            {"id": both.contact_id, "language": "ht"},
            {"id": one.contact_id, "language": "es"},
        ],
        key=lambda r: r["id"],
    )


def test_a_contact_who_texted_stop_gets_no_alert_though_its_subscription_is_active() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])

    opt_out(contact=subscription.contact, method=SMS)

    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert list(subscribers_of([towns["Hartford"].pk])) == []


def test_the_counts_are_per_town_and_language_and_people_count_once() -> None:
    towns = make_towns()
    subscriber(towns["Hartford"], towns["Hamden"], language="ht")
    subscriber(towns["Hamden"], language="es")
    subscriber(towns["Hamden"], language="es")
    subscribe(contact=a_contact(), towns=[towns["Hartford"]], source=SubscriptionSource.SMS)
    coordinator = make_staff(Role.COORDINATOR, second_factor=False)

    counts = access_subscriber_counts(coordinator)

    assert [code for code, _ in counts.languages] == ["en", "es", "pt", "ht"]
    by_town = {row.town: (row.total, row.by_language) for row in counts.towns}
    assert by_town == {"Hamden": (3, (0, 2, 0, 1)), "Hartford": (1, (0, 0, 0, 1))}
    assert counts.subscribers == 3
    assert counts.by_language == (0, 2, 0, 1)
    assert counts.pending == 1
    assert AuditEvent.objects.filter(
        action="alerts.subscriber_counts_view", actor=coordinator
    ).exists()


def test_the_counts_refuse_an_operator() -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        access_subscriber_counts(make_staff(Role.OPERATOR, second_factor=False))


# --- forgetting pending requests --------------------------------------------------------


def test_pending_subscriptions_older_than_two_days_are_forgotten_by_the_sweep() -> None:
    towns = make_towns()
    old = subscribe(contact=a_contact(), towns=[towns["Hartford"]], source=SubscriptionSource.WEB)
    Subscription.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - PENDING_LIFETIME - dt.timedelta(minutes=1)
    )
    fresh = subscribe(contact=a_contact(), towns=[towns["Hartford"]], source=SubscriptionSource.WEB)
    active = subscriber(towns["Hartford"])
    Subscription.objects.filter(pk=active.pk).update(
        created_at=timezone.now() - 2 * PENDING_LIFETIME
    )

    assert forget_pending() == 1

    assert set(Subscription.objects.values_list("pk", flat=True)) == {fresh.pk, active.pk}
    assert forget_pending_subscriptions(created_before=timezone.now() - PENDING_LIFETIME) == 0


# --- the web request ------------------------------------------------------------------


def test_a_web_request_texts_a_confirmation_request_in_the_chosen_language() -> None:
    towns = make_towns()
    phone = new_phone()

    request_by_web(phone=phone, towns=[towns["Hartford"]], language="es")

    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PENDING
    assert subscription.source == SubscriptionSource.WEB
    assert subscription.contact.language == "es"
    (message,) = OutboundMessage.objects.filter(contact=subscription.contact)
    assert "ACEPTO" in message.body and "Hartford" in message.body
    assert phone not in message.body and phone[2:] not in message.body


def test_a_web_request_changes_nothing_and_texts_nobody_for_an_active_subscriber() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])

    request_by_web(phone=subscription.contact.phone, towns=[towns["Hamden"]], language="es")

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert list(subscription.towns.all()) == [towns["Hartford"]]
    assert subscription.contact.language == "en"
    assert not OutboundMessage.objects.exists()


def test_a_web_request_for_a_number_that_opted_out_does_nothing() -> None:
    towns = make_towns()
    contact = a_contact()
    opt_out(contact=contact, method=SMS)

    request_by_web(phone=contact.phone, towns=[towns["Hartford"]], language="en")

    assert not Subscription.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_a_web_request_texts_nobody_who_stopped_alerts() -> None:
    towns = make_towns()
    subscription = subscriber(towns["Hartford"])
    stop_subscription(subscription=subscription, method=SMS)

    request_by_web(phone=subscription.contact.phone, towns=[towns["Hamden"]], language="en")

    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.STOPPED
    assert list(subscription.towns.all()) == [towns["Hartford"]]
    assert not OutboundMessage.objects.exists()


def test_a_web_request_adds_no_town_to_someone_joining_by_text() -> None:
    towns = make_towns()
    contact = a_contact()
    pending = subscribe(contact=contact, towns=[towns["Hartford"]], source=SubscriptionSource.SMS)

    request_by_web(phone=contact.phone, towns=[towns["Hamden"]], language="en")

    pending.refresh_from_db()
    assert pending.status == SubscriptionStatus.PENDING
    assert pending.source == SubscriptionSource.SMS
    assert list(pending.towns.all()) == [towns["Hartford"]]
    assert not OutboundMessage.objects.exists()


def test_a_second_web_request_for_a_pending_web_subscription_adds_its_towns() -> None:
    towns = make_towns()
    phone = new_phone()
    request_by_web(phone=phone, towns=[towns["Hartford"]], language="en")
    request_by_web(phone=phone, towns=[towns["Hamden"]], language="en")
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PENDING
    assert set(subscription.towns.values_list("name", flat=True)) == {"Hartford", "Hamden"}


# --- contacts.record_consent ------------------------------------------------------------


def test_record_consent_refuses_the_messages_scope_and_unknown_methods() -> None:
    contact = a_contact()
    with pytest.raises(ContactsError):
        record_consent(contact=contact, scope=ConsentScope.MESSAGES, granted=True, method=SMS)
    with pytest.raises(ContactsError):
        record_consent(contact=contact, scope=ConsentScope.ALERTS, granted=True, method="pigeon")
    assert not ConsentRecord.objects.exists()
