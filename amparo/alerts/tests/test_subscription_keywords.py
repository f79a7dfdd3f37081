"""Joining alerts by text in four languages: double opt-in, towns, stop alerts only, invite."""

from __future__ import annotations

import pytest
from django.utils import translation

from amparo.alerts import subscription_texts as texts
from amparo.alerts.models import Subscription, SubscriptionSource, SubscriptionStatus
from amparo.alerts.queries.subscriptions import subscribers_of
from amparo.alerts.subscription_keywords import (
    ALERTS,
    ALERTS_WORDS,
    INVITE,
    INVITE_WORDS,
    JOIN,
    JOIN_WORDS,
)
from amparo.alerts.tests.subscription_factories import make_towns
from amparo.channels.models import InboundMessage, OutboundMessage
from amparo.contacts.models import ConsentRecord, ConsentScope
from amparo.intake.keywords import match_keyword
from amparo.intake.tests.texts import OTHER_PHONE, PHONE, contact_of, replies_to, text_in
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

# language, a first text in it ("" for none), the keyword, the confirmation word
LANGUAGES = [
    ("en", "", "ALERTS", "JOIN"),
    ("es", "Hay agentes en la calle", "ALERTAS", "ACEPTO"),
    ("pt", "Tem ICE na rua, estão na porta", "ALERTAS", "ACEITO"),
    ("ht", "", "ALÈT", "DAKO"),
]
OTHER_CONFIRM_WORDS = {"JOIN", "ACEPTO", "ACEITO", "DAKO"}


@pytest.fixture
def towns() -> dict[str, Town]:
    return make_towns()


def subscription() -> Subscription:
    return Subscription.objects.get(contact=contact_of())


def town_names(sub: Subscription) -> set[str]:
    return set(sub.towns.values_list("name", flat=True))


def alert_consents() -> list[bool]:
    return list(
        ConsentRecord.objects.filter(contact=contact_of(), scope=ConsentScope.ALERTS)
        .order_by("at", "pk")
        .values_list("granted", flat=True)
    )


# --- the words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table"), [(ALERTS, ALERTS_WORDS), (JOIN, JOIN_WORDS), (INVITE, INVITE_WORDS)]
)
def test_every_word_reaches_its_keyword_in_each_language(name: str, table: dict) -> None:
    assert set(table) == {"en", "es", "pt", "ht"}
    for words in table.values():
        for word in words:
            match = match_keyword(f"{word.lower()} Hartford")
            assert match is not None and match.name == name, word


def test_the_words_a_text_asks_for_are_the_registered_ones() -> None:
    for language in ("en", "es", "pt", "ht"):
        for word, name in (
            (texts.KEYWORD[language], ALERTS),
            (texts.CONFIRM[language], JOIN),
            (texts.INVITE[language], INVITE),
        ):
            match = match_keyword(word)
            assert match is not None and match.name == name


def test_the_menu_tells_how_to_get_alerts() -> None:
    with translation.override("en"):
        text_in("Hello, who is this?")

    assert "ALERTS + town or ZIP" in replies_to()[-1]


# --- double opt-in in each language ------------------------------------------------------


@pytest.mark.parametrize(("language", "first", "keyword", "confirm"), LANGUAGES)
def test_joining_by_text_needs_the_confirmation_word_in_each_language(
    towns: dict[str, Town], language: str, first: str, keyword: str, confirm: str
) -> None:
    if first:
        text_in(first)  # ALERTAS is Spanish and Portuguese: an earlier text tells which
    text_in(f"{keyword} Hartford")

    pending = subscription()
    assert pending.status == SubscriptionStatus.PENDING
    assert pending.source == SubscriptionSource.SMS
    assert town_names(pending) == {"Hartford"}
    assert list(subscribers_of([towns["Hartford"].pk])) == []
    assert alert_consents() == []
    request = replies_to()[-1]
    assert confirm in request and "Hartford" in request
    assert not (OTHER_CONFIRM_WORDS - {confirm}) & set(request.split())
    assert PHONE not in request

    text_in(confirm.lower())

    active = subscription()
    assert active.status == SubscriptionStatus.ACTIVE
    assert alert_consents() == [True]
    assert [row["id"] for row in subscribers_of([towns["Hartford"].pk])] == [contact_of().pk]
    assert contact_of().language == language
    assert "Hartford" in replies_to()[-1]


def test_a_shared_word_from_a_contact_of_unknown_language_is_answered_in_both(
    towns: dict[str, Town],
) -> None:
    text_in("ALERTAS 06106")

    (request,) = replies_to()
    assert "ACEPTO" in request and "ACEITO" in request and "JOIN" not in request
    text_in("Aceito")
    assert subscription().status == SubscriptionStatus.ACTIVE
    assert contact_of().language == "pt"


def test_a_zip_code_and_several_towns_are_understood(towns: dict[str, Town]) -> None:
    text_in("ALERTS 06106")
    text_in("ALERTS NEW HAVEN, HAMDEN")
    text_in("alerts E Hartford y stamford")

    assert town_names(subscription()) == {
        "Hartford",
        "New Haven",
        "Hamden",
        "East Hartford",
        "Stamford",
    }
    assert subscription().status == SubscriptionStatus.PENDING


def test_towns_without_commas_are_read_from_the_left(towns: dict[str, Town]) -> None:
    text_in("ALERTAS new haven hamden ct")

    assert town_names(subscription()) == {"New Haven", "Hamden"}


def test_a_lower_case_e_joins_towns_and_a_capital_e_is_east(towns: dict[str, Town]) -> None:
    text_in("ALERTAS Hamden e Hartford")
    text_in("ALERTS W. Hartford, E HARTFORD")

    assert town_names(subscription()) == {"Hamden", "Hartford", "East Hartford"}


# --- an unknown place ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "first", "keyword", "confirm"), LANGUAGES)
def test_an_unknown_place_is_asked_for_in_the_contacts_language(
    towns: dict[str, Town], language: str, first: str, keyword: str, confirm: str
) -> None:
    if first:
        text_in(first)

    text_in(f"{keyword} Zorbaville")

    assert not Subscription.objects.exists()
    reply = replies_to()[-1]
    assert texts.KEYWORD[language] in reply and "ZIP" in reply
    assert "Zorbaville" not in reply
    assert contact_of().language == language


def test_what_was_understood_is_kept_when_a_place_is_not(towns: dict[str, Town]) -> None:
    with translation.override("en"):
        text_in("ALERTS Hartford, Zorbaville")

        assert town_names(subscription()) == {"Hartford"}
        reply = replies_to()[-1]
        assert "JOIN" in reply and "could not find one place" in reply

        text_in("ALERTS Hamden")
        text_in("JOIN")

    assert subscription().status == SubscriptionStatus.ACTIVE
    assert town_names(subscription()) == {"Hartford", "Hamden"}


def test_a_pending_request_without_a_town_is_not_confirmed(towns: dict[str, Town]) -> None:
    text_in("ALERTS Zorbaville")
    text_in("JOIN")

    assert not Subscription.objects.exists()
    message = InboundMessage.objects.order_by("-received_at", "-pk").first()
    assert message is not None and message.routed_to == "default"


# --- the confirmation and invite words are ordinary words for everyone else -------------


def test_the_confirmation_word_from_someone_without_a_request_goes_to_the_operators(
    towns: dict[str, Town],
) -> None:
    message = text_in("Join us, ICE is at the church on Main St")

    assert message is not None
    message.refresh_from_db()
    assert (message.routed_to, message.needs_operator) == ("default", True)
    assert not Subscription.objects.exists()


def test_invite_from_someone_not_subscribed_goes_to_the_operators(towns: dict[str, Town]) -> None:
    message = text_in("INVITAR a todos a la reunion")

    assert message is not None
    message.refresh_from_db()
    assert message.routed_to == "default"


# --- status, adding towns, stop alerts only ----------------------------------------------


def test_the_keyword_alone_tells_the_towns_and_how_to_change(towns: dict[str, Town]) -> None:
    with translation.override("en"):
        text_in("ALERTS")
        assert "ALERTS and your town" in replies_to()[-1]
        text_in("ALERTS Hartford")
        text_in("ALERTS")
        assert "JOIN" in replies_to()[-1]
        text_in("JOIN")
        text_in("ALERTS")

    status = replies_to()[-1]
    assert "Hartford" in status and "ALERTS OFF" in status


def test_adding_a_town_when_active_needs_no_second_confirmation(towns: dict[str, Town]) -> None:
    text_in("ALERTAS Hartford")
    text_in("ACEPTO")

    text_in("ALERTAS Hamden")

    assert subscription().status == SubscriptionStatus.ACTIVE
    assert [row["id"] for row in subscribers_of([towns["Hamden"].pk])] == [contact_of().pk]
    assert "Hamden" in replies_to()[-1] and "ACEPTO" not in replies_to()[-1]
    assert alert_consents() == [True]


@pytest.mark.parametrize("off", ["OFF", "stop", "NO", "PARAR", "pare", "KANPE", "não"])
def test_the_keyword_and_an_off_word_stops_alerts_only(towns: dict[str, Town], off: str) -> None:
    text_in("ALERTS Hartford")
    text_in("JOIN")

    message = text_in(f"ALERTS {off}")

    assert message is not None and message.routed_to == ALERTS
    assert subscription().status == SubscriptionStatus.STOPPED
    assert alert_consents() == [True, False]
    assert not contact_of().is_opted_out
    assert list(subscribers_of([towns["Hartford"].pk])) == []
    with translation.override("en"):
        assert "Alerts stopped" in replies_to()[-1]


def test_off_with_a_town_stops_that_town_only(towns: dict[str, Town]) -> None:
    text_in("ALERTS Hartford, Hamden")
    text_in("JOIN")

    text_in("ALERTS OFF Hamden")

    assert subscription().status == SubscriptionStatus.ACTIVE
    assert town_names(subscription()) == {"Hartford"}


def test_stop_as_the_first_word_is_still_the_routers_and_stops_everything(
    towns: dict[str, Town],
) -> None:
    text_in("ALERTS Hartford")
    text_in("JOIN")

    text_in("STOP")

    assert contact_of().is_opted_out
    assert list(subscribers_of([towns["Hartford"].pk])) == []


def test_the_keyword_and_a_language_chooses_the_language_of_the_alerts(
    towns: dict[str, Town],
) -> None:
    text_in("ALERTAS Hartford")
    text_in("ACEPTO")
    assert contact_of().language == "es"

    text_in("ALERTAS pt")

    contact = contact_of()
    assert (contact.language, contact.language_chosen) == ("pt", True)
    assert subscription().status == SubscriptionStatus.ACTIVE
    assert list(subscribers_of([towns["Hartford"].pk])) == [{"id": contact.pk, "language": "pt"}]
    assert "Hartford" in replies_to()[-1]


# --- invite --------------------------------------------------------------------------------


def test_an_active_subscriber_gets_an_invitation_to_forward(towns: dict[str, Town]) -> None:
    text_in("ALERTAS Hartford")
    text_in("ACEPTO")

    text_in("INVITAR")
    in_spanish = replies_to()[-1]
    text_in("INVITE HT")
    in_creole = replies_to()[-1]

    assert "ALERTAS HARTFORD" in in_spanish and "(860) 555-0100" in in_spanish
    assert "ALET HARTFORD" in in_creole
    assert PHONE not in in_spanish


def test_a_number_written_after_invite_is_never_texted(towns: dict[str, Town]) -> None:
    text_in("ALERTS Hartford")
    text_in("JOIN")
    before = OutboundMessage.objects.count()

    text_in(f"INVITE {OTHER_PHONE}")

    assert OutboundMessage.objects.count() == before + 1
    assert OutboundMessage.objects.order_by("-pk").first().contact == contact_of()  # type: ignore[union-attr]
    assert not OutboundMessage.objects.filter(contact__phone_index__isnull=True).exists()
    with translation.override("en"):
        assert replies_to()[-1].startswith("Get ")
