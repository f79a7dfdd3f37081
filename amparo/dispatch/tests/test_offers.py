"""Offering an incident to responders by text, their answers, the first K, escalation."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels.models import Lane, OutboundMessage
from amparo.dispatch import actions
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import Offer, OfferStatus, Responder, Skill
from amparo.dispatch.offers import propose_responders
from amparo.dispatch.sweeps import auto_offer_new_incidents, escalate_waiting_offers
from amparo.dispatch.tests.factories import once
from amparo.incidents.actions import mark_false_alarm, submit_report
from amparo.incidents.models import EventKind, Incident, IncidentEvent, IncidentState
from amparo.incidents.tests.factories import SCHOOL, make_gazetteer, texted
from amparo.intake.tests.texts import text_in
from amparo.places.lookup import locate
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

_phones = itertools.count(10)


def responder_near(
    name: str,
    *,
    km_away: float = 1.0,
    language: str = "en",
    skills: tuple[str, ...] = (Skill.VERIFIER,),
    on_call: bool = True,
    home: bool = True,
) -> Responder:
    """A responder ``km_away`` north of the school (about), on a field shift now."""
    responder = actions.add_responder(
        by=None,
        display_name=name,
        phone=f"+12035550{100 + next(_phones) % 90:03d}",
        language=language,
        skills=skills,
        home_point={"lat": SCHOOL[0] + km_away / 111.2, "lon": SCHOOL[1]} if home else None,
        travel_radius_km=15,
    )
    if on_call:
        now = timezone.now()
        once(responder, now - dt.timedelta(hours=1), now + dt.timedelta(hours=3))
    return responder


def an_incident() -> Incident:
    make_gazetteer()
    incident = texted(SCHOOL).incident
    assert incident is not None
    return incident


def a_corroborated_incident() -> Incident:
    """An incident two people texted about: one the system may offer on its own."""
    incident = an_incident()
    again = texted(SCHOOL).incident
    assert again == incident
    incident.refresh_from_db()
    assert incident.reporter_count == 2
    return incident


def coordinator() -> Any:
    return make_staff(Role.COORDINATOR, second_factor=False)


def texts_to(responder: Responder) -> list[str]:
    return [
        m.body
        for m in OutboundMessage.objects.filter(contact=responder.contact).order_by("created_at")
    ]


def phone_of(responder: Responder) -> str:
    assert responder.contact is not None
    return responder.contact.phone


def offer_of(responder: Responder) -> Offer:
    return Offer.objects.get(responder=responder)


# --- who is proposed ---------------------------------------------------------------


def test_it_proposes_the_verifiers_on_call_within_their_radius_nearest_first(
    django_assert_num_queries: Any,
) -> None:
    incident = an_incident()
    far = responder_near("Invented Far", km_away=9)
    near = responder_near("Invented Near", km_away=0.5)
    observer = responder_near("Invented Observer", km_away=3, skills=(Skill.LEGAL_OBSERVER,))
    unplaced = responder_near("Invented Unplaced", home=False)
    responder_near("Invented Too Far", km_away=40)
    responder_near("Invented Driver", skills=(Skill.DRIVER,))
    responder_near("Invented Off Shift", on_call=False)
    incident = Incident.objects.get(pk=incident.pk)

    with django_assert_num_queries(3):
        proposed = propose_responders(incident)

    assert proposed == [near, observer, far, unplaced]
    assert propose_responders(incident, limit=2) == [near, observer]
    assert propose_responders(incident, exclude={near.pk}) == [observer, far, unplaced]


def test_a_home_town_far_beyond_the_radius_rules_a_responder_out_unopened() -> None:
    incident = an_incident()
    near = responder_near("Invented Near", km_away=1)
    # Home point near the school, home town about 100 km away: data that
    # disagree by more than any town's reach; the town decides, unopened.
    misfiled = responder_near("Invented Misfiled", km_away=1)
    far_town = Town.objects.create(
        name="Invented Faraway", state="CT", latitude=SCHOOL[0] + 0.9, longitude=SCHOOL[1]
    )
    actions.update_responder(
        responder=misfiled,
        by=None,
        display_name="Invented Misfiled",
        phone=phone_of(misfiled),
        skills=(Skill.VERIFIER,),
        home_town=far_town,
        home_point={"lat": SCHOOL[0] + 1 / 111.2, "lon": SCHOOL[1]},
    )
    incident = Incident.objects.get(pk=incident.pk)

    assert propose_responders(incident) == [near]


def test_a_home_town_east_or_west_just_within_the_radius_is_proposed() -> None:
    incident = an_incident()
    # A degree of longitude here is about 83 km: 14 km east and west, radius 15.
    within = []
    for sign, name in ((1, "East"), (-1, "West")):
        town = Town.objects.create(
            name=f"Invented {name}",
            state="CT",
            latitude=SCHOOL[0],
            longitude=SCHOOL[1] + sign * 14 / 83.2,
        )
        responder = responder_near(f"Invented {name}", home=False)
        actions.update_responder(
            responder=responder,
            by=None,
            display_name=f"Invented {name}",
            phone=phone_of(responder),
            skills=(Skill.VERIFIER,),
            home_town=town,
            travel_radius_km=15,
        )
        within.append(responder)
    beyond = responder_near("Invented Beyond", home=False)
    actions.update_responder(
        responder=beyond,
        by=None,
        display_name="Invented Beyond",
        phone=phone_of(beyond),
        skills=(Skill.VERIFIER,),
        home_town=Town.objects.create(
            name="Invented Beyond", state="CT", latitude=SCHOOL[0], longitude=SCHOOL[1] + 0.3
        ),
        travel_radius_km=15,
    )
    incident = Incident.objects.get(pk=incident.pk)

    assert set(propose_responders(incident)) == set(within)


def test_the_number_of_queries_does_not_grow_with_the_roster(
    django_assert_num_queries: Any,
) -> None:
    incident = an_incident()
    for n in range(12):
        responder_near(f"Invented {n}", km_away=n)
    incident = Incident.objects.get(pk=incident.pk)

    with django_assert_num_queries(3):
        assert len(propose_responders(incident)) == 10


# --- offers ------------------------------------------------------------------------


def test_an_offer_text_holds_only_the_town_and_the_code() -> None:
    incident = an_incident()
    names = ["Invented Rosa Quintero", "Invented Jean Baptiste"]
    responders = [responder_near(name) for name in names]

    offers = actions.offer_dispatch(incident=incident, responders=responders, by=coordinator())

    assert [o.ring for o in offers] == [1, 1]
    assert len({o.code for o in offers}) == 2
    outbox = OutboundMessage.objects.filter(lane=Lane.DISPATCH)
    assert outbox.count() == 2
    for offer in offers:
        (body,) = texts_to(offer.responder)
        assert body == (
            f"Amparo: verify a report near Hartford. Reply 1 {offer.code} to go, "
            f"2 {offer.code} if you can't."
        )
        assert offer.message is not None and offer.message.body == body
        # no name, no phone number, no other number than the choices and the code
        assert not any(part in body for name in names for part in name.split())
        assert set(re.findall(r"\d+", body)) == {"1", "2", offer.code}


def test_only_a_coordinator_sends_offers() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")

    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.offer_dispatch(
            incident=incident, responders=[responder], by=make_staff(Role.OPERATOR)
        )
    assert not Offer.objects.exists()


def test_a_false_alarm_is_not_offered() -> None:
    incident = an_incident()
    boss = coordinator()
    mark_false_alarm(incident=incident, by=boss, note="the vans were a utility crew")

    with pytest.raises(DispatchError, match="no longer open"):
        actions.offer_dispatch(incident=incident, responders=[responder_near("X")], by=boss)
    assert not OutboundMessage.objects.filter(lane=Lane.DISPATCH).exists()


def test_a_responder_is_offered_an_incident_once() -> None:
    incident = an_incident()
    boss = coordinator()
    responder = responder_near("Invented Rosa")
    actions.offer_dispatch(incident=incident, responders=[responder], by=boss)

    with pytest.raises(DispatchError, match="None of these"):
        actions.offer_dispatch(incident=incident, responders=[responder], by=boss)
    assert len(texts_to(responder)) == 1


# --- answers -----------------------------------------------------------------------


def test_the_first_two_accepts_go_and_the_third_is_told_it_is_covered() -> None:
    incident = an_incident()
    first, second, third = (responder_near(f"Invented {n}") for n in range(3))
    offers = actions.offer_dispatch(
        incident=incident, responders=[first, second, third], by=coordinator(), wanted=2
    )
    code = {o.responder_id: o.code for o in offers}

    text_in(f"1 {code[first.pk]}", phone=phone_of(first))
    text_in(f"yes {code[second.pk]}", phone=phone_of(second))
    text_in(f"1 {code[third.pk]}", phone=phone_of(third))

    assert offer_of(first).status == OfferStatus.ACCEPTED
    assert offer_of(second).status == OfferStatus.ACCEPTED
    assert offer_of(third).status == OfferStatus.COVERED
    assert texts_to(first)[-1].startswith(
        f"Amparo: You're going. Code {code[first.pk]}. Check in when you arrive."
    )
    assert texts_to(third)[-1] == "Amparo: Covered, thank you. No need to go."


def test_a_decline_is_recorded_and_the_code_may_be_left_out() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    actions.offer_dispatch(incident=incident, responders=[responder], by=coordinator())

    message = text_in("2", phone=phone_of(responder))

    offer = offer_of(responder)
    assert offer.status == OfferStatus.DECLINED and offer.answered_at is not None
    assert message is not None and message.routed_to == "dispatch_no"
    assert not message.needs_operator
    assert texts_to(responder)[-1] == "Amparo: Thank you, noted that you can't go."


@pytest.mark.parametrize(
    ("language", "yes", "no", "going"),
    [
        ("en", "YES", "NO", "You're going"),
        ("es", "Sí", "no", "Vas"),
        ("pt", "SIM", "Não", "Você vai"),
        ("ht", "Wi", "NON", "W ap ale"),
    ],
)
def test_answers_are_understood_in_each_language(
    language: str, yes: str, no: str, going: str
) -> None:
    incident = an_incident()
    goes = responder_near("Invented A", language=language)
    stays = responder_near("Invented B", language=language)
    offers = actions.offer_dispatch(incident=incident, responders=[goes, stays], by=coordinator())
    code = {o.responder_id: o.code for o in offers}
    if language != "en":
        assert "verify a report" not in texts_to(goes)[0]

    text_in(f"{yes} {code[goes.pk]}", phone=phone_of(goes))
    text_in(f"{no} {code[stays.pk]}", phone=phone_of(stays))

    assert offer_of(goes).status == OfferStatus.ACCEPTED
    assert offer_of(stays).status == OfferStatus.DECLINED
    assert going in texts_to(goes)[-1]


def test_a_no_from_someone_with_no_offer_still_reaches_the_operators() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    actions.offer_dispatch(incident=incident, responders=[responder], by=coordinator())

    community = text_in("No hay nadie en la escuela, ya se fueron", phone="+18605550198")
    bare = text_in("NO", phone="+18605550197")
    # a responder whose words after "no" are not a code: a message, not an answer
    talking = text_in("no they left, all clear", phone=phone_of(responder))

    for message in (community, bare, talking):
        assert message is not None
        assert message.routed_to == "default" and message.needs_operator
    assert offer_of(responder).status == OfferStatus.OFFERED
    assert community is not None and community.reports.count() == 1


def test_a_bare_answer_with_two_offers_open_is_asked_for_the_code() -> None:
    make_gazetteer()
    boss = coordinator()
    responder = responder_near("Invented Rosa")
    first, second = (texted((SCHOOL[0] + 0.2 * n, SCHOOL[1])).incident for n in range(2))
    assert first is not None and second is not None and first != second
    codes = [
        actions.offer_dispatch(incident=incident, responders=[responder], by=boss)[0].code
        for incident in (first, second)
    ]

    message = text_in("1", phone=phone_of(responder))

    assert message is not None and not message.needs_operator
    assert set(Offer.objects.values_list("status", flat=True)) == {OfferStatus.OFFERED}
    assert texts_to(responder)[-1] == (
        f"Amparo: Which offer? Put its code after your answer, e.g. 1 {codes[0]}. "
        f"Your open codes: {codes[0]}, {codes[1]}."
    )


def test_words_after_the_code_also_go_to_the_operators() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    (offer,) = actions.offer_dispatch(incident=incident, responders=[responder], by=coordinator())

    message = text_in(f"1 {offer.code} there in 10 min, 2 vans already", phone=phone_of(responder))

    assert offer_of(responder).status == OfferStatus.ACCEPTED
    assert message is not None and message.needs_operator


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_two_accepts_racing_for_the_last_place_do_not_both_win() -> None:
    incident = an_incident()
    responders = [responder_near(f"Invented {n}") for n in range(2)]
    offers = actions.offer_dispatch(
        incident=incident, responders=responders, by=coordinator(), wanted=1
    )
    barrier = threading.Barrier(2)

    def answer(offer: Offer) -> None:
        try:
            barrier.wait()
            actions.answer_offer(offer=offer, accept=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(Offer.objects.values_list("status", flat=True))
    assert statuses == [OfferStatus.ACCEPTED, OfferStatus.COVERED]


# --- escalation --------------------------------------------------------------------


def test_an_unanswered_ring_is_escalated_to_the_next_responders_once() -> None:
    incident = an_incident()
    accepts, declines, silent = (responder_near(f"Invented {n}", km_away=n) for n in range(3))
    later = responder_near("Invented Later", km_away=5)
    offers = actions.offer_dispatch(
        incident=incident, responders=[accepts, declines, silent], by=coordinator(), wanted=2
    )
    code = {o.responder_id: o.code for o in offers}
    text_in(f"SI {code[accepts.pk]}", phone=phone_of(accepts))
    text_in(f"NO {code[declines.pk]}", phone=phone_of(declines))

    assert escalate_waiting_offers() == 0  # not yet
    after = timezone.now() + dt.timedelta(minutes=6)
    assert escalate_waiting_offers(now=after) == 1
    assert escalate_waiting_offers(now=after) == 0  # idempotent

    assert offer_of(silent).status == OfferStatus.EXPIRED
    ring_two = offer_of(later)
    assert ring_two.ring == 2 and ring_two.status == OfferStatus.OFFERED
    assert ring_two.code in texts_to(later)[0]
    (note,) = IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE)
    assert note.by is None
    assert "1 of 2 responders accepted" in note.note and "ring 2" in note.note
    assert "Invented" not in note.note

    # a late yes of the expired offer still counts: a place is free
    text_in(f"1 {code[silent.pk]}", phone=phone_of(silent))
    assert offer_of(silent).status == OfferStatus.ACCEPTED
    text_in("1", phone=phone_of(later))
    assert offer_of(later).status == OfferStatus.COVERED


def test_offers_left_open_once_enough_accepted_become_covered_without_a_text() -> None:
    incident = an_incident()
    goes, silent = (responder_near(f"Invented {n}") for n in range(2))
    responder_near("Invented Spare")
    offers = actions.offer_dispatch(
        incident=incident, responders=[goes, silent], by=coordinator(), wanted=1
    )
    text_in(f"1 {offers[0].code}", phone=phone_of(goes))

    escalate_waiting_offers(now=timezone.now() + dt.timedelta(minutes=6))

    assert offer_of(silent).status == OfferStatus.COVERED
    assert len(texts_to(silent)) == 1
    assert Offer.objects.count() == 2
    assert not IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE).exists()


def test_a_ring_that_everybody_declined_is_escalated_at_once() -> None:
    incident = an_incident()
    first, second = (responder_near(f"Invented {n}", km_away=n) for n in range(2))
    later = responder_near("Invented Later", km_away=5)
    offers = actions.offer_dispatch(
        incident=incident, responders=[first, second], by=coordinator(), wanted=1
    )
    code = {o.responder_id: o.code for o in offers}

    text_in(f"2 {code[first.pk]}", phone=phone_of(first))
    assert not Offer.objects.filter(responder=later).exists()  # the second may still say yes
    text_in(f"NO {code[second.pk]}", phone=phone_of(second))

    ring_two = offer_of(later)
    assert ring_two.ring == 2 and ring_two.status == OfferStatus.OFFERED
    assert ring_two.code in texts_to(later)[0]
    (note,) = IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE)
    assert note.by is None
    assert "nobody offered in ring 1 can go" in note.note and "ring 2" in note.note
    assert "Invented" not in note.note
    # the timeout finds nothing more to do: the new ring is not due yet
    assert escalate_waiting_offers(now=timezone.now() + dt.timedelta(minutes=1)) == 0


def test_a_responder_who_can_no_longer_go_is_replaced_when_nobody_else_is_asked() -> None:
    incident = an_incident()
    goes = responder_near("Invented Goes", km_away=1)
    spare = responder_near("Invented Spare", km_away=2)
    (offer,) = actions.offer_dispatch(incident=incident, responders=[goes], by=coordinator())
    text_in(f"1 {offer.code}", phone=phone_of(goes))
    assert not Offer.objects.filter(responder=spare).exists()

    text_in(f"2 {offer.code}", phone=phone_of(goes))

    assert offer_of(goes).status == OfferStatus.DECLINED
    assert offer_of(spare).ring == 2


def test_when_everybody_declined_and_nobody_else_is_on_call_the_note_says_so() -> None:
    incident = an_incident()
    only = responder_near("Invented Only")
    (offer,) = actions.offer_dispatch(incident=incident, responders=[only], by=coordinator())

    text_in(f"2 {offer.code}", phone=phone_of(only))

    (note,) = IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE)
    assert "No other responder on call" in note.note
    assert Offer.objects.count() == 1


def test_the_system_may_send_offers_without_a_coordinator() -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")

    (offer,) = actions.offer_dispatch(incident=incident, responders=[responder], by=None)

    assert offer.status == OfferStatus.OFFERED and len(texts_to(responder)) == 1
    (event,) = AuditEvent.objects.filter(action="dispatch.offer_send")
    assert event.actor is None


# --- automatic offers --------------------------------------------------------------


def test_new_incidents_are_not_offered_automatically_unless_the_network_wants_it() -> None:
    an_incident()
    responder_near("Invented Rosa")

    assert auto_offer_new_incidents() == 0
    assert not Offer.objects.exists()


def test_a_new_incident_is_offered_to_the_nearest_ring_once(settings: Any) -> None:
    settings.AMPARO_DISPATCH_AUTO_OFFER = True
    settings.AMPARO_DISPATCH_RING_SIZE = 2
    settings.AMPARO_DISPATCH_WANTED = 1
    incident = a_corroborated_incident()
    far, near, middle = (responder_near(f"Invented {n}", km_away=n) for n in (6, 1, 3))

    assert auto_offer_new_incidents() == 1
    assert auto_offer_new_incidents() == 0  # idempotent

    offers = list(Offer.objects.order_by("sent_at", "pk"))
    assert {o.responder_id for o in offers} == {near.pk, middle.pk}
    assert {(o.ring, o.wanted) for o in offers} == {(1, 1)}
    assert not texts_to(far)
    (note,) = IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE)
    assert note.by is None and "automatically to the 2 nearest" in note.note
    assert "Invented" not in note.note


def test_auto_offer_leaves_old_incidents_and_those_already_offered_alone(settings: Any) -> None:
    settings.AMPARO_DISPATCH_AUTO_OFFER = True
    incident = a_corroborated_incident()
    responder = responder_near("Invented Rosa")
    spare = responder_near("Invented Spare")

    assert auto_offer_new_incidents(now=timezone.now() + dt.timedelta(minutes=61)) == 0
    actions.offer_dispatch(incident=incident, responders=[responder], by=coordinator())
    assert auto_offer_new_incidents() == 0
    assert actions.auto_offer(incident=incident) == []
    assert not Offer.objects.filter(responder=spare).exists()


def test_auto_offer_with_nobody_on_call_writes_nothing_and_tries_again(settings: Any) -> None:
    settings.AMPARO_DISPATCH_AUTO_OFFER = True
    incident = a_corroborated_incident()
    responder_near("Invented Off Shift", on_call=False)

    assert auto_offer_new_incidents() == 0
    assert not IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE).exists()
    responder_near("Invented Now On Call")
    assert auto_offer_new_incidents() == 1


def test_a_single_untrusted_text_is_not_offered_automatically(settings: Any) -> None:
    settings.AMPARO_DISPATCH_AUTO_OFFER = True
    incident = an_incident()
    assert incident.reporter_count == 1
    responder_near("Invented Rosa")

    assert auto_offer_new_incidents() == 0
    assert actions.auto_offer(incident=incident) == []
    assert not Offer.objects.exists()

    texted(SCHOOL)  # a second, independent reporter
    assert auto_offer_new_incidents() == 1


def test_a_report_an_operator_took_is_offered_automatically(settings: Any) -> None:
    settings.AMPARO_DISPATCH_AUTO_OFFER = True
    make_gazetteer()
    report = submit_report(
        source="operator",
        text="caller saw vans",
        place=locate(pin=SCHOOL),
        taken_by=make_staff(Role.OPERATOR, second_factor=False),
    )
    assert report.incident is not None and report.incident.reporter_count <= 1
    responder_near("Invented Rosa")

    assert auto_offer_new_incidents() == 1
    assert Offer.objects.filter(incident=report.incident).count() == 1


def test_the_first_accept_moves_a_reported_incident_to_being_verified() -> None:
    incident = an_incident()
    first, second = (responder_near(f"Invented {n}") for n in range(2))
    offers = actions.offer_dispatch(
        incident=incident, responders=[first, second], by=coordinator(), wanted=2
    )
    code = {o.responder_id: o.code for o in offers}
    assert incident.state == IncidentState.REPORTED

    text_in(f"1 {code[first.pk]}", phone=phone_of(first))
    text_in(f"1 {code[second.pk]}", phone=phone_of(second))

    incident.refresh_from_db()
    assert incident.state == IncidentState.VERIFYING
    (moved,) = IncidentEvent.objects.filter(incident=incident, kind=EventKind.STATE)
    assert moved.by is None and moved.to_state == IncidentState.VERIFYING
    assert f"code {code[first.pk]}" in moved.note and "Invented" not in moved.note


def test_a_declined_ring_waits_for_the_timeout_while_an_earlier_offer_is_still_open() -> None:
    incident = an_incident()
    boss = coordinator()
    early, late, spare = (responder_near(f"Invented {n}", km_away=n) for n in range(3))
    actions.offer_dispatch(incident=incident, responders=[early], by=boss, wanted=1)
    (second,) = actions.offer_dispatch(incident=incident, responders=[late], by=boss, wanted=1)

    text_in(f"2 {second.code}", phone=phone_of(late))

    assert offer_of(early).status == OfferStatus.OFFERED
    assert not Offer.objects.filter(responder=spare).exists()
