"""Family plans by text, in four languages: activate, status, new PIN, delete."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from amparo.channels.models import InboundMessage, OutboundMessage
from amparo.contacts.actions import find_or_create_contact, opt_out
from amparo.contacts.models import ConsentMethod
from amparo.crypto import plan_keys
from amparo.incidents.models import Report
from amparo.intake.keywords import match_keyword
from amparo.intake.tests.texts import PHONE, contact_of, replies_to, text_in
from amparo.plans import sms
from amparo.plans import sms_texts as texts
from amparo.plans.actions import contact_notice
from amparo.plans.contents import PlanContents
from amparo.plans.models import ActivatedBy, Activation, NoticeStatus, Plan
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents
from amparo.plans.tests.factories import PIN, make_contents, make_plan

pytestmark = pytest.mark.django_db

# language, activation word, status word, new PIN word, delete word
LANGUAGES = [
    ("en", "DETAINED", "PLAN", "NEWPIN", "DELETE"),
    ("es", "detenido", "Plan", "NUEVOPIN", "borrar"),
    ("pt", "Detida", "PLANO", "novopin", "APAGAR"),
    ("ht", "ARETE", "plan", "NOUVOPIN", "Efase"),
]
WORDS = [pytest.param(*row, id=row[0]) for row in LANGUAGES]
# What no text may ever carry, whatever the language (the plan's own words are added per test).
FORBIDDEN = re.compile(
    r"detain|detenid|detid|\barrest|\barete|\bdetni|immigra|inmigra|deport|\bICE\b|\bA-?\d{8,9}\b",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _nothing_personal_in_any_text(db: Any) -> Iterator[None]:
    """After each test: no outbound body holds a name, an A-number or a status word."""
    yield
    personal = _personal_words(make_contents(contacts=6))
    for body in [m.body for m in OutboundMessage.objects.all()]:
        assert not FORBIDDEN.search(body), body
        for word in personal:
            assert word not in body, (word, body)


def _personal_words(contents: PlanContents) -> list[str]:
    words = [m.name for m in contents.members] + [c.name for c in contents.contacts]
    words += [m.a_number for m in contents.members if m.a_number]
    people = (contents.caregiver, contents.backup_caregiver, contents.attorney)
    words += [p.name for p in people]
    words += [contents.attorney_organization, contents.documents_location, contents.medical_needs]
    return [w for w in words if w]


def answers_to(phone: str = PHONE) -> list[str]:
    """Every body queued to ``phone``, also those the outbox's cap on repeats dropped."""
    rows = OutboundMessage.objects.filter(contact=contact_of(phone)).order_by("created_at")
    return [m.body for m in rows]


def spoken_by(phone: str, language: str) -> None:
    """``phone`` is a contact who chose ``language``."""
    find_or_create_contact(phone=phone, language=language)


def spaced(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def in_language(language: str, render: Any, **kwargs: Any) -> str:
    with translation.override(language):
        return str(render(**kwargs))


# --- the words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "table"),
    [
        (sms.ACTIVATE, sms.ACTIVATE_WORDS),
        (sms.STATUS, sms.STATUS_WORDS),
        (sms.NEW_PIN, sms.NEW_PIN_WORDS),
        (sms.DELETE, sms.DELETE_WORDS),
    ],
)
def test_every_word_reaches_its_keyword_in_each_language(name: str, table: dict) -> None:
    assert set(table) == {"en", "es", "pt", "ht"}
    for words in table.values():
        for word in words:
            match = match_keyword(f"{word.lower()} 4821 9307 2580")
            assert match is not None and match.name == name, word


def test_the_words_on_the_wallet_card_activate_a_plan() -> None:
    from amparo.plans.cards import ACTIVATION_WORDS

    for word in ACTIVATION_WORDS.values():
        match = match_keyword(f"{word} 4821 9307 2580")
        assert match is not None and match.name == sms.ACTIVATE, word


@pytest.mark.parametrize(
    "spelling",
    ["{a} {b} 2580", "{a}{b} 2580", "{a}-{b}, 2580", "{a}.{b}: 2580.", " {a} {b}  2580 "],
)
def test_the_code_may_be_written_whole_or_in_two_groups(spelling: str) -> None:
    plan, code = make_plan()

    text_in("DETAINED " + spelling.format(a=code[:4], b=code[4:]))

    assert Activation.objects.get().plan == plan


@pytest.mark.parametrize(
    "text",
    [
        "Detenido en la calle Main",
        "DETAINED",
        "Detained at the corner of Main and Park, 3 vans",
        "Plan for tonight: meet at 7",
        "Arete la 2 machin",
    ],
)
def test_a_text_without_a_code_reaches_the_operators_as_it_came(text: str) -> None:
    _plan, _code = make_plan()

    message = text_in(text)

    assert message is not None
    message.refresh_from_db()
    assert message.routed_to == "default" and message.needs_operator
    assert message.body == text  # nothing blanked: it had nothing to blank
    assert Report.objects.get(inbound=message).text == text
    assert not Activation.objects.exists()
    assert Plan.objects.get().failed_pin_attempts == 0


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("detenido 4821 2580", "detenido ***"),
        ("DETAINED 4821 9307", "DETAINED ***"),
        ("Borrar 123456789 2580", "Borrar ***"),
        ("NEWPIN 48219307 pin 2580", "NEWPIN *** pin ***"),
        ("Detenido en 1234 Main St, 3 vans", "Detenido en *** Main St, 3 vans"),
        ("DETAINED 48 21 93 07 pin 2 5 8 0", "DETAINED *** pin ***"),
    ],
)
def test_a_text_the_plan_words_cannot_read_reaches_the_operators_without_its_numbers(
    text: str, kept: str
) -> None:
    _plan, _code = make_plan()

    message = text_in(text)

    assert message is not None
    message.refresh_from_db()
    assert message.routed_to == "default" and message.needs_operator
    assert message.body == kept
    assert Report.objects.get(inbound=message).text == kept
    assert not Activation.objects.exists()
    assert Plan.objects.get().failed_pin_attempts == 0


# The ways people actually write it ({w}: the word, {a} {b}: the code's halves, {p}: the PIN).
READABLE_SHAPES = [
    "{w} {a} {b} PIN {p}",
    "{w} {a} {b} {p} ayuda",
    "{w}: code {a} {b} pin {p}",
    "{w} {a}{b} {p} please",
    "{w} my code is {a}-{b} and my pin is {p}",
    "{w} CÓDIGO {a}.{b} NIP #{p}",
    "{w} kod {a} {b}, pin: {p}.",
    "{w} {a} {b} {p} {p}",
]
# Shapes that give no code and PIN we can read: refused, and their numbers never stored.
UNREADABLE_SHAPES = [
    "{w} {a} pin {p}",
    "{w} {a}{b}{p}",
    "{w} code {a} {b}",
    "{w} pin {p} code {a} {b}",
    "{w} {a} / {b} {p}",
    "{w} {a0} {a1} {b0} {b1} {p0} {p1}",
]


def _secrets_stored(code: str) -> list[str]:
    """Every stored inbound body and report text that holds a piece of the code or the PIN."""
    stored = [m.body for m in InboundMessage.objects.all()]
    stored += [r.text for r in Report.objects.all()]
    digits_of = {t: "".join(c for c in t if c.isdigit()) for t in stored}
    return [t for t, d in digits_of.items() if code[:4] in d or code[4:] in d or PIN in d]


@pytest.mark.parametrize("shape", READABLE_SHAPES)
@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_a_code_and_pin_among_other_words_activate_the_plan(
    language: str, activate: str, _s: str, _n: str, _d: str, shape: str
) -> None:
    plan, code = make_plan()

    text_in(shape.format(w=activate, a=code[:4], b=code[4:], p=PIN))

    assert Activation.objects.get().plan == plan
    assert _secrets_stored(code) == []


@pytest.mark.parametrize("shape", UNREADABLE_SHAPES)
@pytest.mark.parametrize(("language", "activate", "status", "newpin", "delete"), WORDS)
def test_a_code_or_pin_we_cannot_read_never_reaches_the_operators(
    language: str, activate: str, status: str, newpin: str, delete: str, shape: str
) -> None:
    _plan, code = make_plan()

    pieces = {"a0": code[:2], "a1": code[2:4], "b0": code[4:6], "b1": code[6:]}
    pieces |= {"p0": PIN[:2], "p1": PIN[2:]}
    for word in (activate, status, newpin, delete):
        message = text_in(shape.format(w=word, a=code[:4], b=code[4:], p=PIN, **pieces))
        assert message is not None
        assert InboundMessage.objects.get(pk=message.pk).routed_to == "default"

    assert not Activation.objects.exists()
    assert Plan.objects.count() == 1
    assert Report.objects.count() >= 1
    assert _secrets_stored(code) == []


@pytest.mark.parametrize(("language", "_a", "status", "_n", "_d"), WORDS)
def test_plan_with_code_pin_and_a_word_after_answers_the_status(
    language: str, _a: str, status: str, _n: str, _d: str
) -> None:
    _plan, code = make_plan()
    spoken_by(PHONE, language)

    text_in(f"{status} {spaced(code)} {PIN} please")

    assert answers_to(PHONE) == [
        in_language(language, texts.status, contacts=3, people=2, lockouts=0)
    ]
    assert _secrets_stored(code) == []


@pytest.mark.parametrize(("language", "_a", "_s", "newpin", "_d"), WORDS)
def test_newpin_reads_old_and_new_pin_among_other_words(
    language: str, _a: str, _s: str, newpin: str, _d: str
) -> None:
    plan, code = make_plan()

    text_in(f"{newpin} code {code[:4]}-{code[4:]} old {PIN} new 4826 thanks")

    plan.refresh_from_db()
    from amparo.plans.actions import PinCheck, check_pin

    assert check_pin(plan=plan, pin="4826") is PinCheck.OK
    assert _secrets_stored(code) == []


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht"])
def test_the_wallet_card_text_with_the_pin_activates_the_plan(language: str) -> None:
    from amparo.plans.cards import activation_text

    plan, code = make_plan(language=language)

    text_in(f"{activation_text(code=code, language=language)} {PIN}")

    assert Activation.objects.get().plan == plan


FULL_WIDTH = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in "4821 9307 2580")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4821 9307 2580", ("48219307", ["2580"])),
        ("my 2 kids code 4821-9307 pin 2580 now", ("48219307", ["2580"])),
        (FULL_WIDTH, ("48219307", ["2580"])),
        ("48219307 12 2580 99", ("48219307", ["2580"])),
        ("4821 9307", None),
        ("4821 x 9307 2580", None),
        ("482193071 2580", None),
    ],
)
def test_read_code_and_pins_finds_them_among_words(text: str, expected: Any) -> None:
    assert sms.read_code_and_pins(text, pins=1) == expected


# --- activating ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_anyone_activates_a_plan_and_every_contact_is_texted_once_in_their_language(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    contents = make_contents(contacts=5)
    plan, code = make_plan(contents=contents)
    spoken_by(PHONE, language)

    message = text_in(f"{activate} {spaced(code)} {PIN}")

    activation = Activation.objects.get()
    reference = activation.case.reference
    assert activation.plan == plan and activation.by == ActivatedBy.PERSON
    assert replies_to(PHONE) == [in_language(language, texts.activated, reference=reference)]
    for person in contents.contacts:
        expected = contact_notice(language=person.language, reference=reference)
        assert replies_to(person.phone) == [expected], person.language
    assert OutboundMessage.objects.count() == 1 + len(contents.contacts)
    assert [n.status for n in activation.notices.all()] == [NoticeStatus.QUEUED] * 5
    # The stored text keeps the keyword only: no code, no PIN.
    assert message is not None
    message.refresh_from_db()
    assert code[:4] not in message.body and PIN not in message.body
    assert message.body.endswith(sms.REDACTED) and not message.needs_operator


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_a_contact_who_activates_gets_the_reply_only(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    contents = make_contents(contacts=4)
    _plan, code = make_plan(contents=contents)
    activator = contents.contacts[1].phone
    spoken_by(activator, language)

    text_in(f"{activate} {code} {PIN}", phone=activator)

    activation = Activation.objects.get()
    reference = activation.case.reference
    assert activation.by == ActivatedBy.CONTACT
    assert replies_to(activator) == [in_language(language, texts.activated, reference=reference)]
    statuses = {n.contact.phone: n.status for n in activation.notices.select_related("contact")}
    assert statuses[activator] == NoticeStatus.ACTIVATOR
    for person in contents.contacts:
        if person.phone != activator:
            assert statuses[person.phone] == NoticeStatus.QUEUED
            expected = contact_notice(language=person.language, reference=reference)
            assert replies_to(person.phone) == [expected]


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_an_opted_out_contact_is_not_texted_and_shown_as_such(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    contents = make_contents(contacts=3)
    _plan, code = make_plan(contents=contents)
    stopped = contents.contacts[0]
    opt_out(contact=find_or_create_contact(phone=stopped.phone), method=ConsentMethod.SMS_KEYWORD)
    spoken_by(PHONE, language)

    text_in(f"{activate} {code[:4]}-{code[4:]} {PIN}")

    activation = Activation.objects.get()
    notices = list(activation.notices.select_related("contact"))
    assert [n.status for n in notices] == [
        NoticeStatus.OPTED_OUT,
        NoticeStatus.QUEUED,
        NoticeStatus.QUEUED,
    ]
    assert notices[0].message is None
    assert not OutboundMessage.objects.filter(contact__pk=notices[0].contact.pk).exists()


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_a_second_activation_within_half_an_hour_texts_nobody_again(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    contents = make_contents(contacts=4)
    _plan, code = make_plan(contents=contents)
    spoken_by(PHONE, language)
    text_in(f"{activate} {code} {PIN}")
    sent = OutboundMessage.objects.count()

    later = timezone.now() + dt.timedelta(minutes=20)
    with _at(later):
        text_in(f"{activate} {spaced(code)} {PIN}")

    reference = Activation.objects.get().case.reference
    assert OutboundMessage.objects.count() == sent + 1
    assert replies_to(PHONE) == [
        in_language(language, texts.activated, reference=reference),
        in_language(language, texts.already_active, reference=reference),
    ]
    for person in contents.contacts:
        assert len(replies_to(person.phone)) == 1


def _at(moment: dt.datetime) -> Any:
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_a_third_activation_by_text_in_a_day_texts_nobody_and_says_the_team_will_call(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    _plan, code = make_plan(contents=make_contents(contacts=3))
    spoken_by(PHONE, language)
    for hours_ago in (3, 1):  # two activations, at distinct times, out of the repeat window
        text_in(f"{activate} {code} {PIN}")
        Activation.objects.filter(activated_at__gt=timezone.now() - dt.timedelta(minutes=5)).update(
            activated_at=timezone.now() - dt.timedelta(hours=hours_ago)
        )
    texted = OutboundMessage.objects.exclude(contact=contact_of(PHONE)).count()

    text_in(f"{activate} {code} {PIN}")

    reference = Activation.objects.order_by("-activated_at").first().case.reference  # type: ignore[union-attr]
    assert answers_to(PHONE)[-1] == in_language(language, texts.capped, reference=reference)
    assert OutboundMessage.objects.exclude(contact=contact_of(PHONE)).count() == texted == 6
    assert Activation.objects.count() == 2
    assert Activation.objects.filter(capped_attempts=1).count() == 1


# --- guarding code and PIN --------------------------------------------------------


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_five_wrong_pins_lock_the_plan_even_against_the_right_pin_until_the_lock_ends(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    plan, code = make_plan()
    spoken_by(PHONE, language)

    for _ in range(4):
        text_in(f"{activate} {code} 9999")
    text_in(f"{activate} {code} 9998")
    text_in(f"{activate} {code} {PIN}")

    # Locked answers like wrong: a different answer would tell that the code is a plan's.
    assert answers_to(PHONE) == [in_language(language, texts.no_match)] * 6
    assert not Activation.objects.exists()
    plan.refresh_from_db()
    assert plan.locked_until is not None and plan.locked_until > timezone.now()

    Plan.objects.filter(pk=plan.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    text_in(f"{activate} {code} {PIN}")

    assert Activation.objects.count() == 1
    assert replies_to(PHONE)[-1].startswith(
        in_language(language, texts.activated, reference="")[:20]
    )


@pytest.mark.parametrize(("language", "activate", "_s", "_n", "_d"), WORDS)
def test_an_unknown_code_gets_the_same_answer_as_a_wrong_pin_and_a_locked_plan(
    language: str, activate: str, _s: str, _n: str, _d: str
) -> None:
    plan, code = make_plan()
    unknown = "99999999" if code != "99999999" else "88888888"
    spoken_by(PHONE, language)

    text_in(f"{activate} {code} 9999")
    text_in(f"{activate} {unknown} {PIN}")
    Plan.objects.filter(pk=plan.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=15))
    text_in(f"{activate} {code} {PIN}")  # locked
    for _ in range(4):
        text_in(f"{activate} {unknown} {PIN}")  # the unknown code "locks" too

    wrong_pin, unknown_code, locked, *unknown_after = answers_to(PHONE)
    assert wrong_pin == unknown_code == locked == in_language(language, texts.no_match)
    assert set(unknown_after) == {locked}
    with translation.override("en"):
        assert texts._hotline() in texts.no_match()
    assert not Activation.objects.exists()


def test_an_unknown_code_locks_after_the_attempts_less_one_and_survives_one_attempt(
    settings: Any,
) -> None:
    from amparo.plans.actions import UNKNOWN_CODE_SCOPE, PinCheck, check_unknown_code

    assert UNKNOWN_CODE_SCOPE == "plan-unknown-code"
    settings.AMPARO_PLAN_PIN_ATTEMPTS = 1
    assert check_unknown_code(code="9999 9999") is PinCheck.LOCKED  # no ValueError
    settings.AMPARO_PLAN_PIN_ATTEMPTS = 3
    assert check_unknown_code(code="8888 8888") is PinCheck.WRONG
    assert check_unknown_code(code="88888888") is PinCheck.WRONG
    assert check_unknown_code(code="88888888") is PinCheck.LOCKED


def test_one_pin_attempt_setting_answers_an_unknown_code_by_text(settings: Any) -> None:
    settings.AMPARO_PLAN_PIN_ATTEMPTS = 1
    _plan, code = make_plan()
    unknown = "99999999" if code != "99999999" else "88888888"

    text_in(f"DETAINED {code} 9999")
    text_in(f"DETAINED {unknown} {PIN}")

    with translation.override("en"):
        assert answers_to(PHONE) == [texts.no_match()] * 2


def test_a_phone_gets_ten_tries_an_hour_whatever_the_codes() -> None:
    plan, code = make_plan()
    spoken_by(PHONE, "es")

    for n in range(sms.ATTEMPTS_PER_HOUR):
        text_in(f"DETENIDO {10000000 + n} 2468")
    text_in(f"DETENIDO {code} {PIN}")

    assert answers_to(PHONE)[-1] == in_language("es", texts.too_many_from_this_phone)
    assert not Activation.objects.exists()
    plan.refresh_from_db()
    assert plan.failed_pin_attempts == 0  # the refused try never reached the plan


def test_the_code_and_pin_are_blanked_from_the_stored_text_even_when_wrong() -> None:
    _plan, code = make_plan()

    message = text_in(f"NEWPIN {code} 9999 4826")

    assert message is not None
    stored = InboundMessage.objects.get(pk=message.pk)
    assert stored.body == f"NEWPIN {sms.REDACTED}"


def test_a_failure_reaches_an_operator_without_the_code_or_pin(monkeypatch: Any) -> None:
    _plan, code = make_plan()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("invented failure with a secret 2580")

    monkeypatch.setattr(sms.actions, "activate_plan", broken)
    message = text_in(f"DETAINED {code} {PIN}")

    assert message is not None
    stored = InboundMessage.objects.get(pk=message.pk)
    assert stored.needs_operator and stored.body == f"DETAINED {sms.REDACTED}"
    with translation.override("en"):
        assert replies_to(PHONE) == [texts.failed()]


# --- status, new PIN, delete -------------------------------------------------------


@pytest.mark.parametrize(("language", "_a", "status", "_n", "_d"), WORDS)
def test_plan_with_code_and_pin_answers_counts_and_the_manage_link(
    language: str, _a: str, status: str, _n: str, _d: str
) -> None:
    _plan, code = make_plan(contents=make_contents(contacts=4))
    spoken_by(PHONE, language)

    with override_settings(AMPARO_PUBLIC_URL="https://amparo.example.org"):
        text_in(f"{status} {code} {PIN}")
        expected = in_language(language, texts.status, contacts=4, people=2, lockouts=0)

    (answer,) = replies_to(PHONE)
    assert answer == expected
    assert "https://amparo.example.org/plan/manage/" in answer
    assert code not in answer and code[:4] not in answer and PIN not in answer
    assert not Activation.objects.exists()


@pytest.mark.parametrize(("language", "_a", "_s", "new_pin", "_d"), WORDS)
def test_newpin_changes_the_pin_and_the_old_one_stops_working(
    language: str, _a: str, _s: str, new_pin: str, _d: str
) -> None:
    _plan, code = make_plan()
    spoken_by(PHONE, language)

    text_in(f"{new_pin} {code} {PIN} 4826")

    assert replies_to(PHONE) == [in_language(language, texts.pin_changed)]
    text_in(f"DETAINED {code} {PIN}")
    assert not Activation.objects.exists()
    text_in(f"DETAINED {code} 4826")
    assert Activation.objects.count() == 1


@pytest.mark.parametrize(("language", "_a", "_s", "new_pin", "_d"), WORDS)
def test_newpin_refuses_an_easy_pin_in_the_contacts_language_without_counting_a_try(
    language: str, _a: str, _s: str, new_pin: str, _d: str
) -> None:
    from amparo.plans.codes import check_new_pin
    from amparo.plans.errors import PlansError

    plan, code = make_plan()
    spoken_by(PHONE, language)

    text_in(f"{new_pin} {code} 9999 1234")

    with translation.override(language), pytest.raises(PlansError) as refusal:
        check_new_pin("1234")
    assert replies_to(PHONE) == [str(refusal.value)]
    plan.refresh_from_db()
    assert plan.failed_pin_attempts == 0


@pytest.mark.parametrize(("language", "_a", "_s", "_n", "delete"), WORDS)
def test_delete_by_text_removes_the_plan_and_destroys_its_key_at_once(
    language: str, _a: str, _s: str, _n: str, delete: str
) -> None:
    plan, code = make_plan()
    spoken_by(PHONE, language)

    text_in(f"{delete} {spaced(code)} {PIN}")

    assert not Plan.objects.exists()
    assert not plan_keys.has_plan_key(plan.pk)
    assert find_plan(code) is None
    assert replies_to(PHONE) == [in_language(language, texts.deleted)]
    with translation.override("en"):
        assert "cannot be undone" in texts.deleted()


def test_delete_with_a_wrong_pin_keeps_the_plan() -> None:
    plan, code = make_plan()

    text_in(f"DELETE {code} 9999")

    assert Plan.objects.filter(pk=plan.pk).exists() and plan_keys.has_plan_key(plan.pk)
    assert open_contents(plan).members


def test_an_activated_plan_deleted_by_text_keeps_its_case() -> None:
    plan, code = make_plan()
    text_in(f"DETAINED {code} {PIN}")

    text_in(f"BORRAR {code} {PIN}")

    activation = Activation.objects.get()
    assert activation.plan is None and activation.case.reference
    assert not plan_keys.has_plan_key(plan.pk)


def test_a_new_number_is_answered_in_the_language_of_its_word() -> None:
    _plan, code = make_plan()

    text_in(f"DETIDA {code} {PIN}")

    contact = contact_of(PHONE)
    assert contact.language == "pt"
    reference = Activation.objects.get().case.reference
    assert replies_to(PHONE) == [in_language("pt", texts.activated, reference=reference)]


def test_no_log_line_holds_the_code_or_the_pin(caplog: pytest.LogCaptureFixture) -> None:
    _plan, code = make_plan()
    caplog.set_level(logging.DEBUG)

    text_in(f"DETAINED {code} 9999")
    text_in(f"PLAN {code} {PIN}")
    text_in(f"DETAINED {code} {PIN}")
    text_in(f"NEWPIN {code} {PIN} 4826")
    text_in(f"DELETE {code} 4826")

    assert caplog.records  # the router logs each text (by id)
    for record in caplog.records:
        line = record.getMessage()
        assert code not in line and " 4826" not in line and f" {PIN}" not in line, line


def test_every_answer_is_one_gsm7_segment_in_english() -> None:
    from amparo.channels.models import Encoding
    from amparo.channels.segments import count_segments

    with translation.override("en"), override_settings(AMPARO_HOTLINE_NUMBER="+18605550100"):
        answers = [
            texts.activated(reference="123456"),
            texts.already_active(reference="123456"),
            texts.capped(reference="123456"),
            texts.no_match(),
            texts.too_many_from_this_phone(),
            texts.pin_changed(),
            texts.deleted(),
            texts.failed(),
        ]
        with override_settings(AMPARO_PUBLIC_URL="https://amparo.example.org"):
            answers.append(texts.status(contacts=6, people=12, lockouts=3))
    for answer in answers:
        assert count_segments(answer) == (Encoding.GSM7, 1), answer
