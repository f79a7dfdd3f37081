"""Answering a drill by text, in four languages; every drill text is marked as practice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.channels.models import Encoding
from amparo.channels.segments import encoding_of
from amparo.contacts.models import Language
from amparo.dispatch import actions, drills
from amparo.dispatch.models import Drill, Offer, OfferStatus, Responder
from amparo.dispatch.tests.factories import next_phone
from amparo.dispatch.tests.test_offers import an_incident, responder_near
from amparo.intake.tests.texts import replies_to, text_in

pytestmark = pytest.mark.django_db

MARKERS = {"en": "DRILL: ", "es": "SIMULACRO: ", "pt": "SIMULADO: ", "ht": "SIMILASYON: "}


def coordinator() -> Any:
    return make_staff(Role.COORDINATOR, second_factor=False)


def volunteer(name: str = "Invented Volunteer", *, language: str = "en") -> Responder:
    return actions.add_responder(
        by=None, display_name=name, phone=next_phone(), language=language, skills=("verifier",)
    )


def phone_of(responder: Responder) -> str:
    assert responder.contact is not None
    return responder.contact.phone


def offer_of(responder: Responder, drill: Drill) -> Offer:
    return Offer.objects.get(responder=responder, drill=drill)


def test_every_language_has_a_gsm7_marker() -> None:
    assert set(drills.MARKERS) == set(Language.values)
    for language, marker in drills.MARKERS.items():
        assert encoding_of(marker) == Encoding.GSM7, language
        assert MARKERS[language] == f"{marker}: "
    assert drills.marker("fr") == "DRILL"


@pytest.mark.parametrize(
    ("language", "yes", "no"),
    [
        ("en", "YES", "NO"),
        ("es", "Sí", "no"),
        ("pt", "SIM", "Não"),
        ("ht", "Wi", "NON"),
    ],
)
def test_answers_are_understood_in_each_language_and_every_text_is_marked(
    language: str, yes: str, no: str
) -> None:
    goes, stays, late = (volunteer(f"Invented {n}", language=language) for n in range(3))
    drill = actions.start_drill(by=coordinator())
    code = {o.responder_id: o.code for o in Offer.objects.filter(drill=drill)}

    going = text_in(f"{yes} {code[goes.pk]}", phone=phone_of(goes))
    staying = text_in(f"{no} {code[stays.pk]}", phone=phone_of(stays))
    actions.end_drill(drill=drill)
    too_late = text_in(f"1 {code[late.pk]}", phone=phone_of(late))

    assert offer_of(goes, drill).status == OfferStatus.ACCEPTED
    assert offer_of(stays, drill).status == OfferStatus.DECLINED
    assert offer_of(late, drill).status == OfferStatus.EXPIRED
    assert going is not None and going.routed_to == "dispatch_yes"
    assert staying is not None and staying.routed_to == "dispatch_no"
    for message in (going, staying, too_late):
        assert message is not None and not message.needs_operator
    marker = MARKERS[language]
    for responder in (goes, stays, late):
        offer_text, answer_text = replies_to(phone_of(responder))
        assert offer_text.startswith(marker) and code[responder.pk] in offer_text
        assert answer_text.startswith(marker)
    # The acks are the same text for yes and no; the late answer gets another.
    assert replies_to(phone_of(goes))[-1] == replies_to(phone_of(stays))[-1]
    assert replies_to(phone_of(late))[-1] != replies_to(phone_of(goes))[-1]


def test_english_texts_say_practice_and_do_not_go() -> None:
    responder = volunteer()
    drill = actions.start_drill(by=coordinator())
    code = offer_of(responder, drill).code

    text_in(f"1 {code}", phone=phone_of(responder))
    actions.end_drill(drill=drill)
    text_in(f"2 {code}", phone=phone_of(responder))

    offer, ack, ended = replies_to(phone_of(responder))
    assert offer == (
        f"DRILL: Amparo practice only, do not go. Would you go to a report near your area? "
        f"Reply 1 {code} or 2 {code}."
    )
    assert ack == "DRILL: Amparo practice: answer recorded, thank you. Do not go."
    assert ended == "DRILL: Amparo practice: this drill has ended. Do not go, thank you."
    # The late "2" did not change the recorded answer.
    assert offer_of(responder, drill).status == OfferStatus.ACCEPTED


def test_a_bare_answer_goes_to_the_only_open_drill_offer_and_may_change_it() -> None:
    responder = volunteer()
    drill = actions.start_drill(by=coordinator())

    text_in("1", phone=phone_of(responder))
    assert offer_of(responder, drill).status == OfferStatus.ACCEPTED
    # no offer open any more: a bare answer still reaches the running drill
    second = text_in("2", phone=phone_of(responder))

    assert second is not None and second.routed_to == "dispatch_no"
    assert offer_of(responder, drill).status == OfferStatus.DECLINED
    assert replies_to(phone_of(responder))[-1].startswith("DRILL: ")


def test_a_bare_late_answer_is_told_the_drill_ended_then_after_a_day_it_is_a_report() -> None:
    responder = volunteer()
    drill = actions.start_drill(by=coordinator())
    actions.end_drill(drill=drill)

    late = text_in("yes", phone=phone_of(responder))
    assert late is not None and not late.needs_operator
    assert replies_to(phone_of(responder))[-1] == (
        "DRILL: Amparo practice: this drill has ended. Do not go, thank you."
    )

    Drill.objects.filter(pk=drill.pk).update(ended_at=timezone.now() - dt.timedelta(days=1))
    much_later = text_in("yes", phone=phone_of(responder))
    assert much_later is not None and much_later.routed_to == "default"
    assert much_later.needs_operator
    assert offer_of(responder, drill).status == OfferStatus.EXPIRED


def test_words_after_the_code_also_go_to_the_operators() -> None:
    responder = volunteer()
    drill = actions.start_drill(by=coordinator())
    code = offer_of(responder, drill).code

    message = text_in(f"1 {code} but my car is in the shop", phone=phone_of(responder))

    assert offer_of(responder, drill).status == OfferStatus.ACCEPTED
    assert message is not None and message.needs_operator


def test_a_drill_and_a_real_offer_open_together_keep_apart() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    (real,) = actions.offer_dispatch(incident=incident, responders=[responder], by=coordinator())
    drill = actions.start_drill(by=coordinator(), responders=[responder])
    practice = offer_of(responder, drill)
    assert practice.code != real.code

    text_in("1", phone=phone_of(responder))
    # Two offers open: asked which, nothing recorded.
    assert "Which offer?" in replies_to(phone_of(responder))[-1]
    assert Offer.objects.get(pk=real.pk).status == OfferStatus.OFFERED

    text_in(f"1 {practice.code}", phone=phone_of(responder))
    assert replies_to(phone_of(responder))[-1].startswith("DRILL: ")
    assert Offer.objects.get(pk=real.pk).status == OfferStatus.OFFERED

    text_in(f"1 {real.code}", phone=phone_of(responder))
    assert Offer.objects.get(pk=real.pk).status == OfferStatus.ACCEPTED
    going = replies_to(phone_of(responder))[-1]
    assert "DRILL" not in going and real.code in going


def test_someone_with_no_drill_offer_saying_yes_reaches_the_operators() -> None:
    volunteer()
    actions.start_drill(by=coordinator())

    message = text_in("YES", phone="+18605550198")

    assert message is not None and message.routed_to == "default" and message.needs_operator
