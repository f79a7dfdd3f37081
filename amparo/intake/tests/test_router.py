"""Routing: STOP, START and HELP first in every language, then keywords, then the operators."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.utils.translation import override as translation_override
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from amparo.accounts.models import Role, User
from amparo.channels.actions import queue_message
from amparo.channels.models import InboundMessage, Lane, OutboundMessage, OutboundStatus
from amparo.contacts.actions import find_or_create_contact, opt_out, set_language
from amparo.contacts.models import ConsentMethod, ConsentRecord, Contact
from amparo.intake import router
from amparo.intake.keywords import (
    KeywordContext,
    NotForThisKeyword,
    match_keyword,
    register_keyword,
)
from amparo.intake.tests.texts import OTHER_PHONE, PHONE, contact_of, replies_to, text_in
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

# language, a STOP word of it, a word its STOP confirmation must contain
STOP_BY_LANGUAGE = [
    ("en", "STOP", "START"),
    ("es", "BAJA", "ALTA"),
    ("pt", "SAIR", "INICIAR"),
    ("ht", "SISPANN", "KOMANSE"),
]
# language, the words its HELP answer must contain
HELP_BY_LANGUAGE = [
    ("en", "STOP to stop"),
    ("es", "BAJA para parar"),
    ("pt", "SAIR para parar"),
    ("ht", "SISPANN pou kanpe"),
]


def pending_to(contact: Contact) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(contact=contact, status=OutboundStatus.PENDING))


# --- STOP -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "word", "rejoin"), STOP_BY_LANGUAGE)
def test_stop_in_each_language_opts_out_and_confirms_in_that_language(
    language: str, word: str, rejoin: str
) -> None:
    message = text_in(word)

    contact = contact_of()
    assert message is not None and message.routed_to == "stop"
    assert not message.needs_operator
    assert contact.is_opted_out
    assert contact.language == language
    (confirmation,) = replies_to()
    assert rejoin in confirmation
    assert PHONE not in confirmation
    record = ConsentRecord.objects.get(contact=contact)
    assert (record.granted, record.method) == (False, "sms-keyword")


@pytest.mark.parametrize(("language", "word", "rejoin"), STOP_BY_LANGUAGE)
def test_after_stop_nothing_more_is_queued_to_the_contact(
    language: str, word: str, rejoin: str
) -> None:
    text_in("Hello, is this the hotline?")
    text_in(word)
    contact = contact_of()
    before = set(OutboundMessage.objects.filter(contact=contact).values_list("pk", flat=True))

    assert (
        queue_message(contact=contact, body="Invented alert for Hartford", lane=Lane.ALERT) is None
    )
    assert queue_message(contact=contact, body="Invented reply", automatic=False) is None
    text_in("What is happening?")
    text_in("hello?!")

    after = set(OutboundMessage.objects.filter(contact=contact).values_list("pk", flat=True))
    assert after == before


def test_after_stop_the_outbox_sends_the_confirmation_and_nothing_else() -> None:
    from amparo.channels.sweeps import send_due_messages

    text_in("Hay agentes en la calle Main")  # the menu is queued, not yet sent
    text_in("BAJA")
    contact = contact_of()
    queue_message(contact=contact, body="Invented alert", lane=Lane.ALERT)

    while send_due_messages():
        pass

    sent = OutboundMessage.objects.filter(contact=contact).exclude(
        status__in=[OutboundStatus.DROPPED, OutboundStatus.PENDING]
    )
    (confirmation,) = sent
    assert "ALTA" in confirmation.body
    assert not pending_to(contact)


def test_stop_is_answered_in_the_language_the_contact_chose() -> None:
    find_or_create_contact(phone=PHONE, language="pt")

    text_in("STOP")

    (confirmation,) = replies_to()
    assert "INICIAR" in confirmation
    assert contact_of().language == "pt"


def test_stop_with_more_text_also_goes_to_the_operators() -> None:
    message = text_in("PARAR! ICE en la escuela Lincoln")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("stop", True)
    assert contact_of().is_opted_out


def test_a_second_stop_keeps_the_contact_out_and_confirms_again() -> None:
    text_in("STOP")
    text_in("stop")

    contact = contact_of()
    assert contact.is_opted_out
    assert ConsentRecord.objects.filter(contact=contact, granted=False).count() == 2
    assert 1 <= len(replies_to()) <= 2  # the repeat is automatic: the loop guard may hold it


# --- START ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop", "start", "language"),
    [
        ("STOP", "START", "en"),
        ("BAJA", "ALTA", "es"),
        ("SAIR", "VOLTAR", "pt"),
        ("KANPE", "Kòmanse", "ht"),
    ],
)
def test_start_resubscribes_and_confirms(stop: str, start: str, language: str) -> None:
    text_in(stop)

    message = text_in(start)

    contact = contact_of()
    assert message is not None and message.routed_to == "start"
    assert not contact.is_opted_out
    assert contact.language == language
    assert ConsentRecord.objects.filter(
        contact=contact, granted=True, method="sms-keyword"
    ).exists()
    assert len(replies_to()) == 2  # the STOP and the START confirmations
    assert queue_message(contact=contact, body="Invented alert", lane=Lane.ALERT) is not None


def test_start_with_more_words_is_not_an_opt_in() -> None:
    text_in("STOP")

    message = text_in("Start the car, they are coming")

    assert message is not None and message.routed_to == "default"
    assert contact_of().is_opted_out
    assert len(replies_to()) == 1


def test_an_ordinary_yes_does_not_resubscribe() -> None:
    text_in("STOP")

    text_in("YES")

    assert contact_of().is_opted_out


# --- HELP -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), HELP_BY_LANGUAGE)
def test_help_is_answered_in_the_contacts_language(language: str, expected: str) -> None:
    find_or_create_contact(phone=PHONE, language=language)

    message = text_in("HELP")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("help", False)
    (answer,) = replies_to()
    assert expected in answer
    assert "Amparo" in answer


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("AYUDA", "es", "BAJA para parar"),
        ("ajuda", "pt", "SAIR para parar"),
        ("Ede", "ht", "SISPANN"),
    ],
)
def test_help_in_a_language_answers_in_it_and_sets_it_until_chosen(
    word: str, language: str, expected: str
) -> None:
    text_in(word)

    contact = contact_of()
    assert (contact.language, contact.language_chosen) == (language, False)
    (answer,) = replies_to()
    assert expected in answer


def test_a_keyword_in_another_language_never_overrides_a_chosen_language() -> None:
    contact = find_or_create_contact(phone=PHONE)
    set_language(contact=contact, language="ht")

    text_in("AYUDA")

    assert contact_of().language == "ht"
    (answer,) = replies_to()
    assert "SISPANN" in answer


def test_an_english_keyword_keeps_a_guessed_language() -> None:
    text_in("AYUDA")

    text_in("HELP")

    assert contact_of().language == "es"


def test_help_is_answered_even_after_stop() -> None:
    text_in("STOP")

    text_in("HELP")

    assert contact_of().is_opted_out
    assert len(replies_to()) == 2


def test_help_with_more_text_also_goes_to_the_operators() -> None:
    message = text_in("Ayuda, se llevaron a mi esposo")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("help", True)
    assert len(replies_to()) == 1


# --- the default handler -----------------------------------------------------


def test_a_text_without_keyword_goes_to_the_operators_with_one_menu_reply() -> None:
    message = text_in("Hay agentes de ICE en la calle Main")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("default", True)
    (menu,) = OutboundMessage.objects.filter(contact=contact_of())
    assert menu.in_reply_to == message
    assert "AYUDA" in menu.body and "BAJA" in menu.body
    # the report's language is guessed, not chosen: a keyword or a person may change it
    assert (contact_of().language, contact_of().language_chosen) == ("es", False)


@settings(max_examples=40, deadline=None)
@given(body=st.text(max_size=200))
def test_any_text_that_starts_with_no_keyword_is_stored_for_the_operators(body: str) -> None:
    assume(match_keyword(body) is None)

    message = text_in(body)

    assert message is not None
    stored = InboundMessage.objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator, stored.body) == ("default", True, body)
    assert not contact_of().is_opted_out


def test_a_conversation_gets_the_menu_once() -> None:
    text_in("Hay agentes de ICE en la calle Main")
    text_in("Son tres camionetas")
    text_in("Frente a la escuela")

    assert len(replies_to()) == 1
    assert OTHER_PHONE != PHONE
    text_in("Hello", phone=OTHER_PHONE)
    assert len(replies_to(OTHER_PHONE)) == 1


def test_an_operator_conversation_is_not_interrupted_by_the_menu() -> None:
    contact = find_or_create_contact(phone=PHONE)
    operator = User.objects.create_user(
        username="op-invented", password="x" * 20, role=Role.OPERATOR
    )
    queue_message(contact=contact, body="This is the hotline, are you safe?", sent_by=operator)

    message = text_in("Yes, we are inside")

    assert message is not None and message.needs_operator
    assert len(replies_to()) == 1


def test_the_menu_comes_again_after_a_quiet_period(monkeypatch: pytest.MonkeyPatch) -> None:
    text_in("Hello")
    OutboundMessage.objects.filter(contact=contact_of()).update(
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )

    text_in("Hello again")

    assert len(replies_to()) == 2


def test_an_auto_responder_is_answered_once_not_in_a_loop() -> None:
    for _ in range(10):
        text_in("I am away from my phone and will reply later.")

    assert len(replies_to()) == 1
    assert OutboundMessage.objects.get(contact=contact_of()).in_reply_to is not None


def test_the_outbox_also_holds_back_the_menu(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the router's quiet period, the outbox's own guards (automatic replies,
    # identical messages) still keep an auto-responder from getting ten menus.
    monkeypatch.setattr(router, "MENU_QUIET_PERIOD", dt.timedelta(0))

    for _ in range(10):
        text_in("I am away from my phone and will reply later.")

    assert 1 <= len(replies_to()) < 10


def test_an_opted_out_contact_is_stored_for_the_operators_and_gets_no_reply() -> None:
    contact = find_or_create_contact(phone=PHONE)
    opt_out(contact=contact, method=ConsentMethod.PROVIDER)

    message = text_in("Hay agentes de ICE en la calle Main")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("default", True)
    assert message.body == "Hay agentes de ICE en la calle Main"
    assert replies_to() == []


# --- registered keywords ------------------------------------------------------


@pytest.fixture
def alerts(keyword_registry: None) -> list[KeywordContext]:
    """An "alerts" keyword whose handler remembers its calls and replies."""
    calls: list[KeywordContext] = []

    def subscribe(context: KeywordContext) -> None:
        calls.append(context)
        context.reply(f"Alerts for {context.argument}", automatic=False)

    register_keyword(
        "alerts",
        {"en": ["ALERTS"], "es": ["ALERTAS"], "pt": ["ALERTAS"], "ht": ["ALÈT"]},
        subscribe,
        menu="ALERTS + town: alerts",
    )
    return calls


def test_a_registered_keyword_runs_its_handler_with_the_argument(
    alerts: list[KeywordContext],
) -> None:
    message = text_in("Alèt Hartford")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("alerts", False)
    (context,) = alerts
    assert (context.keyword, context.word, context.argument) == ("alerts", "ALET", "Hartford")
    assert context.message == message and context.contact == contact_of()
    assert contact_of().language == "ht"
    (reply,) = OutboundMessage.objects.filter(contact=contact_of())
    assert (reply.body, reply.in_reply_to) == ("Alerts for Hartford", message)


def test_registered_keywords_show_in_the_menu(alerts: list[KeywordContext]) -> None:
    text_in("Hello")

    (menu,) = replies_to()
    assert menu.endswith("\nALERTS + town: alerts")
    assert not alerts


def test_stop_is_handled_before_any_registered_keyword(alerts: list[KeywordContext]) -> None:
    text_in("STOP ALERTS")

    assert contact_of().is_opted_out
    assert not alerts


def test_a_handler_may_hand_the_text_to_the_operators(keyword_registry: None) -> None:
    def unsure(context: KeywordContext) -> None:
        context.message.needs_operator = True

    register_keyword("plan", {"en": ["PLAN"]}, unsure)

    message = text_in("PLAN 1234 my brother was taken")

    assert message is not None
    assert message.needs_operator
    assert type(message).objects.get(pk=message.pk).needs_operator


def test_a_failing_handler_loses_nothing_the_operators_get_the_text(
    keyword_registry: None, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(context: KeywordContext) -> None:
        Town.objects.create(name="Invented Town", state="ZZ", latitude=0, longitude=0)
        raise RuntimeError(f"cannot handle {context.message.body}")

    register_keyword("rights", {"en": ["RIGHTS"]}, broken)

    with caplog.at_level(logging.DEBUG, logger="amparo"):
        message = text_in("RIGHTS at work, they came to 12 Main St")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator) == ("rights", True)
    assert not Town.objects.filter(name="Invented Town").exists()  # the handler's writes are undone
    assert "rights" in caplog.text and "RuntimeError" in caplog.text
    assert "Main St" not in caplog.text


def test_a_text_one_keyword_refuses_goes_to_the_next_keyword_with_the_same_word(
    keyword_registry: None,
) -> None:
    taken: list[str] = []

    def not_mine(context: KeywordContext) -> None:
        Town.objects.create(name="Invented Town", state="ZZ", latitude=0, longitude=0)
        raise NotForThisKeyword

    def mine(context: KeywordContext) -> None:
        taken.append(context.word)
        context.reply("Topic 1", automatic=False)

    register_keyword("first", {"en": ["1"]}, not_mine, priority=50)
    register_keyword("second", {"en": ["1", "ONE"]}, mine)

    message = text_in("1")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator) == ("second", False)
    assert taken == ["1"]
    assert replies_to() == ["Topic 1"]
    assert not Town.objects.filter(name="Invented Town").exists()  # the refusal's writes undone


def test_a_text_every_keyword_refuses_reaches_the_operators(keyword_registry: None) -> None:
    def not_mine(context: KeywordContext) -> None:
        raise NotForThisKeyword

    register_keyword("first", {"en": ["1"]}, not_mine, priority=50)
    register_keyword("second", {"en": ["1"]}, not_mine)

    message = text_in("1")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator) == ("default", True)


def _digits_out(text: str) -> str:
    return "".join("#" if c.isdigit() else c for c in text)


def test_a_refusing_keyword_redacts_its_secrets_before_the_text_reaches_the_operators(
    keyword_registry: None,
) -> None:
    from amparo.incidents.models import Report

    def not_mine(context: KeywordContext) -> None:
        context.message.body = "written by the handler, rolled back"
        raise NotForThisKeyword

    register_keyword("secret", {"en": ["SECRET"]}, not_mine, redact=_digits_out)

    message = text_in("SECRET 4821 9307 then go home")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator) == ("default", True)
    assert stored.body == "SECRET #### #### then go home"
    assert [r.text for r in Report.objects.filter(inbound=stored)] == [stored.body]


def test_a_refused_text_stays_redacted_when_the_next_keyword_with_the_word_takes_it(
    keyword_registry: None,
) -> None:
    seen: list[str] = []

    def not_mine(context: KeywordContext) -> None:
        raise NotForThisKeyword

    def mine(context: KeywordContext) -> None:
        seen.append(context.argument)

    register_keyword("first", {"en": ["CODE"]}, not_mine, priority=50, redact=_digits_out)
    register_keyword("second", {"en": ["CODE"]}, mine)

    message = text_in("CODE 1234")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert stored.routed_to == "second"
    assert stored.body == "CODE ####"
    assert seen == ["1234"]  # the handler still reads the words it was given


def test_a_failing_keyword_with_redact_hands_the_operators_its_text_redacted(
    keyword_registry: None,
) -> None:
    def broken(context: KeywordContext) -> None:
        context.message.body = "changed in memory"
        raise RuntimeError("bug")

    register_keyword("secret", {"en": ["SECRET"]}, broken, redact=_digits_out)

    message = text_in("SECRET 4821 9307 2580")

    assert message is not None
    stored: Any = type(message).objects.get(pk=message.pk)
    assert (stored.routed_to, stored.needs_operator) == ("secret", True)
    assert stored.body == "SECRET #### #### ####"


def test_a_keyword_without_redact_leaves_a_refused_text_as_it_came(keyword_registry: None) -> None:
    def not_mine(context: KeywordContext) -> None:
        raise NotForThisKeyword

    register_keyword("first", {"en": ["NUMBER"]}, not_mine)

    message = text_in("NUMBER 4821 9307")

    assert message is not None
    assert type(message).objects.get(pk=message.pk).body == "NUMBER 4821 9307"


# --- language of a report without a keyword ------------------------------------


@pytest.mark.parametrize(
    ("report", "language"),
    [
        ("Hay agentes de ICE en la calle Park", "es"),
        ("Tem agentes da imigração na minha rua", "pt"),
        ("Gen ajan imigrasyon devan lakay mwen", "ht"),
    ],
)
def test_a_report_without_a_keyword_is_answered_in_its_language(report: str, language: str) -> None:
    text_in(report)
    contact = contact_of()
    assert contact.language == language
    assert not contact.language_chosen
    with translation_override(language):
        from amparo.intake import messages

        expected = messages.menu(contact)
    assert replies_to() == [expected]


def test_a_report_never_overrides_a_language_the_person_chose() -> None:
    contact = find_or_create_contact(phone=PHONE)
    set_language(contact=contact, language="pt")
    text_in("Hay agentes de ICE en la calle Park")
    assert contact_of().language == "pt"


def test_a_text_from_abroad_reaches_the_operators_without_an_automatic_reply() -> None:
    message = text_in("Hay agentes en la calle Main", phone="+525555550142")
    assert message is not None and message.needs_operator
    assert replies_to("+525555550142") == []


def test_the_countries_that_get_automatic_replies_are_configurable(settings) -> None:
    settings.AMPARO_AUTO_REPLY_COUNTRY_CODES = ["1", "52"]
    text_in("HELP", phone="+525555550142")
    assert len(replies_to("+525555550142")) == 1
