"""Responders' texts from the scene, in the network's four languages, through the real routing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.dispatch import scene as texts
from amparo.dispatch.models import FieldReport, FieldReportKind, Offer, OfferStatus
from amparo.dispatch.tests.scene_factories import (
    an_incident,
    fresh,
    going,
    offered,
    phone_of,
    responder,
    texts_to,
)
from amparo.incidents.models import Incident, IncidentState
from amparo.incidents.tests.factories import SCHOOL, texted
from amparo.intake.tests.texts import text_in

pytestmark = pytest.mark.django_db


def kinds(offer: Offer) -> list[str]:
    return list(
        FieldReport.objects.filter(offer=offer).order_by("at").values_list("kind", flat=True)
    )


def state_of(incident: Incident) -> str:
    return Incident.objects.get(pk=incident.pk).state


@pytest.mark.parametrize(
    ("language", "arrived", "safe", "confirm", "leaving"),
    [
        ("en", "HERE", "ok", "Confirm", "LEAVING"),
        ("en", "arrived", "SAFE", "CONFIRM", "Leaving."),
        ("es", "Llegué", "bien", "CONFIRMO", "salgo"),
        ("es", "LLEGUE", "Segura", "confirmado", "Salí"),
        ("pt", "Cheguei", "BEM", "confirmo", "Saindo"),
        ("pt", "CHEGUEI", "seguro", "CONFIRMADO", "saí"),
        ("ht", "Rive", "byen", "Konfime", "PATI"),
        ("ht", "RIVE", "Oke", "KONFIME", "Pati"),
    ],
)
def test_a_responders_reports_are_understood_in_each_language(
    language: str, arrived: str, safe: str, confirm: str, leaving: str
) -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer", language=language)
    offer = going(volunteer, incident)
    phone = phone_of(volunteer)

    routed = [text_in(word, phone=phone) for word in (arrived, safe, confirm, leaving)]

    assert [m.routed_to if m else None for m in routed] == [
        "scene_arrived",
        "scene_check_in",
        "scene_confirm",
        "scene_leaving",
    ]
    assert kinds(offer) == ["arrived", "check-in", "confirm", "leaving"]
    # a responder's confirmation is put to a coordinator, it decides nothing
    assert state_of(incident) == IncidentState.VERIFYING
    offer = fresh(offer)
    assert offer.arrived_at is not None and offer.left_at is not None
    acks = texts_to(volunteer)[-4:]
    assert all(offer.code in ack for ack in acks)
    assert not any(m is not None and m.needs_operator for m in routed)


@pytest.mark.parametrize(
    ("language", "word"), [("en", "False"), ("es", "falsa"), ("pt", "FALSO"), ("ht", "Falso")]
)
def test_a_false_alarm_is_understood_in_each_language(language: str, word: str) -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer", language=language)
    offer = going(volunteer, incident)

    message = text_in(f"{word} it was a film crew", phone=phone_of(volunteer))

    assert message is not None and message.routed_to == "scene_false_alarm"
    assert state_of(incident) == IncidentState.VERIFYING  # a coordinator decides
    (report,) = FieldReport.objects.filter(offer=offer)
    assert report.note == "it was a film crew" and report.via == "sms"


def test_the_words_after_the_code_are_the_note_and_reach_the_operators() -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer")
    offer = going(volunteer, incident)

    message = text_in(f"CONFIRM {offer.code} 3 vans at the gate", phone=phone_of(volunteer))

    assert message is not None and message.needs_operator
    (report,) = FieldReport.objects.filter(offer=offer)
    assert (report.kind, report.note) == (FieldReportKind.CONFIRM, "3 vans at the gate")
    assert texts_to(volunteer)[-1] == (
        f"Amparo: Your report is noted (code {offer.code}); the coordinators decide. "
        "Text OK every 20 min, LEAVING when you go."
    )


def test_the_acks_say_what_to_do_next_and_name_no_one() -> None:
    incident = an_incident()
    volunteer = responder("Invented Rosa Quintero")
    offer = going(volunteer, incident)
    phone = phone_of(volunteer)

    for word in ("HERE", "OK", "LEAVING"):
        text_in(word, phone=phone)

    assert texts_to(volunteer)[-3:] == [
        f"Amparo: Arrival noted (code {offer.code}). Text OK every 20 min, LEAVING when you go. "
        "Stay safe.",
        f"Amparo: Thank you, noted that you are safe (code {offer.code}).",
        f"Amparo: Thank you. Noted that you left safely (code {offer.code}).",
    ]


def test_the_same_words_from_anyone_else_are_a_report_for_the_operators() -> None:
    incident = an_incident()
    waiting = responder("Invented Offered")
    offered(waiting, incident)
    gone = responder("Invented Gone")
    offer = going(gone, incident)
    text_in("LEAVING", phone=phone_of(gone))

    community = text_in("Here they are, at the school on Main", phone="+18605550177")
    not_going = text_in("OK", phone=phone_of(waiting))
    after_leaving = text_in("ok all quiet now", phone=phone_of(gone))

    for message in (community, not_going, after_leaving):
        assert message is not None
        assert message.routed_to == "default" and message.needs_operator
    assert kinds(offer) == ["leaving"]


def test_a_responder_on_two_scenes_is_asked_which_one() -> None:
    incident = an_incident()
    other = texted((SCHOOL[0] + 0.2, SCHOOL[1])).incident
    assert other is not None and other != incident
    volunteer = responder("Invented Volunteer")
    first, second = going(volunteer, incident), going(volunteer, other)

    asked = text_in("OK", phone=phone_of(volunteer))
    answered = text_in(f"OK {second.code}", phone=phone_of(volunteer))

    assert asked is not None and not asked.needs_operator
    assert texts_to(volunteer)[-2] == (
        f"Amparo: Which one? Put its code after the word, e.g. OK {first.code}. "
        f"Your codes: {first.code}, {second.code}."
    )
    assert answered is not None and answered.routed_to == "scene_check_in"
    assert kinds(first) == [] and kinds(second) == ["check-in"]


# --- ordinary words decide nothing ----------------------------------------------------


def test_haitian_must_is_no_false_alarm() -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer", language="ht")
    offer = going(volunteer, incident)

    message = text_in("Fò nou rele avoka, ICE ap arete moun", phone=phone_of(volunteer))

    assert message is not None and message.routed_to != "scene_false_alarm"
    assert message.needs_operator
    assert kinds(offer) == []
    assert state_of(incident) == IncidentState.VERIFYING


@pytest.mark.parametrize(
    "words", ["Left side of the building, two vans", "Kite yo antre, pa louvri pòt la"]
)
def test_left_or_kite_at_the_start_of_a_sentence_is_no_leaving(words: str) -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer")
    offer = going(volunteer, incident)

    message = text_in(words, phone=phone_of(volunteer))

    assert message is not None and message.needs_operator
    assert fresh(offer).left_at is None
    assert "leaving" not in kinds(offer)


def test_leaving_with_other_words_is_a_sign_of_life_and_the_watch_goes_on() -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer", language="es")
    offer = going(volunteer, incident)

    message = text_in(f"Salgo {offer.code} cuando se vayan, siguen aquí", phone=phone_of(volunteer))

    offer = fresh(offer)
    assert offer.left_at is None and offer.checked_in_at is not None
    (report,) = FieldReport.objects.filter(offer=offer)
    assert report.kind == FieldReportKind.CHECK_IN
    assert report.note == "SALGO cuando se vayan, siguen aquí"
    assert message is not None and message.needs_operator
    assert volunteer.contact is not None
    assert texts_to(volunteer)[-1] == texts.leaving_alone_text(volunteer.contact, code=offer.code)

    text_in(f"SALGO {offer.code}", phone=phone_of(volunteer))
    assert fresh(offer).left_at is not None


def test_a_check_in_with_words_is_alive_but_does_not_clear_a_missed_check_in_alert() -> None:
    incident = an_incident()
    volunteer = responder("Invented Volunteer")
    offer = going(volunteer, incident)
    text_in("HERE", phone=phone_of(volunteer))
    alerted = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(checkin_alert_at=alerted)

    message = text_in("Ok they grabbed me", phone=phone_of(volunteer))

    offer = fresh(offer)
    assert offer.checkin_alert_at == alerted and offer.checked_in_at > alerted
    assert message is not None and message.needs_operator
    assert texts_to(volunteer)[-1] == (
        f"Amparo: Your message is noted (code {offer.code}); the coordinators read it."
    )

    text_in(f"OK {offer.code}", phone=phone_of(volunteer))
    assert fresh(offer).checkin_alert_at is None


def test_a_closed_staff_account_cannot_report_or_answer_by_text() -> None:
    incident = an_incident()
    user = make_staff(Role.RESPONDER, second_factor=False)
    volunteer = responder("Invented Volunteer", user=user)
    offer = going(volunteer, incident)
    waiting = offered(volunteer, texted((SCHOOL[0] + 0.2, SCHOOL[1])).incident)
    user.is_active = False
    user.save(update_fields=["is_active"])

    report = text_in("CONFIRM", phone=phone_of(volunteer))
    answer = text_in(f"1 {waiting.code}", phone=phone_of(volunteer))

    for message in (report, answer):
        assert message is not None and message.routed_to == "default"
    assert kinds(offer) == []
    assert fresh(waiting).status == OfferStatus.OFFERED
