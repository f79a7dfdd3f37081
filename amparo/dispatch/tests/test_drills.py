"""Readiness drills: who is offered one, answers, the end (by hand and by the sweep)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.db import connection

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels.models import Encoding, Lane, OutboundMessage
from amparo.contacts.actions import opt_out
from amparo.core.worker import registered_sweeps
from amparo.dispatch import actions
from amparo.dispatch.actions.drills import drill_responders, end_overdue_drills
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import Drill, Offer, OfferStatus, Responder, Skill
from amparo.dispatch.tests.factories import next_phone
from amparo.incidents.tests.factories import HARTFORD, make_gazetteer
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 4, 18, 0, tzinfo=dt.UTC)


def coordinator() -> Any:
    return make_staff(Role.COORDINATOR, second_factor=False)


def volunteer(
    name: str,
    *,
    town: Town | None = None,
    skills: tuple[str, ...] = (Skill.VERIFIER,),
    language: str = "en",
    home: tuple[float, float] | None = None,
    radius_km: int = 15,
) -> Responder:
    """A responder with no shift at all: drills reach people off call too."""
    return actions.add_responder(
        by=None,
        display_name=name,
        phone=next_phone(),
        language=language,
        skills=skills,
        home_town=town,
        home_point={"lat": home[0], "lon": home[1]} if home else None,
        travel_radius_km=radius_km,
    )


def texts_to(responder: Responder) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(contact=responder.contact).order_by("created_at"))


def offer_of(responder: Responder) -> Offer:
    return Offer.objects.get(responder=responder)


# --- who is offered a drill -------------------------------------------------------


def test_a_drill_of_a_town_reaches_its_responders_off_call_and_those_who_would_travel() -> None:
    towns = make_gazetteer()
    hartford, stamford = towns["Hartford"], towns["Stamford"]
    lives_there = volunteer("Invented Hartford", town=hartford)
    # Home point 5 km from Hartford's centre, home town recorded elsewhere.
    nearby = volunteer("Invented Nearby", town=stamford, home=(HARTFORD[0] + 0.045, HARTFORD[1]))
    unplaced = volunteer("Invented Unplaced")
    volunteer("Invented Stamford", town=stamford)
    volunteer("Invented Stays Home", home=(HARTFORD[0] + 0.045, HARTFORD[1]), radius_km=2)

    assert drill_responders(town=hartford, skill="") == [lives_there, nearby, unplaced]


def test_a_drill_of_a_skill_reaches_only_responders_with_it() -> None:
    driver = volunteer("Invented Driver", skills=(Skill.DRIVER, Skill.VERIFIER))
    volunteer("Invented Observer", skills=(Skill.LEGAL_OBSERVER,))
    nothing_yet = volunteer("Invented New", skills=())

    assert drill_responders(town=None, skill=Skill.DRIVER) == [driver]
    assert nothing_yet in drill_responders(town=None, skill="")


def test_inactive_opted_out_and_closed_accounts_are_left_out() -> None:
    kept = volunteer("Invented Kept")
    gone = volunteer("Invented Gone")
    actions.deactivate_responder(responder=gone, by=None)
    stopped = volunteer("Invented Stopped")
    assert stopped.contact is not None
    opt_out(contact=stopped.contact, method="sms-keyword")
    staff = make_staff(Role.RESPONDER, second_factor=False)
    closed = actions.add_responder(
        by=None, display_name="Invented Closed", user=staff, phone=next_phone()
    )
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    without_phone = actions.add_responder(
        by=None, display_name="Invented No Phone", user=make_staff(Role.RESPONDER)
    )

    assert drill_responders(town=None, skill="") == [kept]
    drill = actions.start_drill(
        by=coordinator(), responders=[kept, gone, stopped, closed, without_phone]
    )
    assert list(Offer.objects.filter(drill=drill).values_list("responder", flat=True)) == [kept.pk]


# --- starting ------------------------------------------------------------------------


def test_starting_a_drill_texts_each_responder_a_marked_offer_with_a_code() -> None:
    towns = make_gazetteer()
    names = ["Invented Rosa Quintero", "Invented Jean Baptiste"]
    responders = [volunteer(name, town=towns["Hartford"]) for name in names]
    boss = coordinator()

    drill = actions.start_drill(by=boss, town=towns["Hartford"], now=START)

    assert drill.started_by == boss and drill.started_at == START and drill.ended_at is None
    offers = list(Offer.objects.filter(drill=drill).order_by("pk"))
    assert [o.responder for o in offers] == responders
    assert all(o.incident is None and o.status == OfferStatus.OFFERED for o in offers)
    assert len({o.code for o in offers}) == 2
    for offer in offers:
        (message,) = texts_to(offer.responder)
        assert message.lane == Lane.BULK and offer.message == message
        assert message.body == (
            f"DRILL: Amparo practice only, do not go. Would you go to a report near Hartford? "
            f"Reply 1 {offer.code} or 2 {offer.code}."
        )
        assert message.encoding == Encoding.GSM7 and message.segments == 1
        assert not any(part in message.body for name in names for part in name.split())
        assert set(re.findall(r"\d+", message.body)) == {"1", "2", offer.code}
    event = AuditEvent.objects.get(action="dispatch.drill_start")
    assert event.target_id == str(drill.pk) and event.actor_id == boss.pk


def test_a_drill_everywhere_says_your_area() -> None:
    responder = volunteer("Invented Rosa")

    actions.start_drill(by=coordinator())

    assert "near your area?" in texts_to(responder)[0].body


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONDER, Role.ADMIN])
def test_only_a_coordinator_starts_a_drill(role: Role) -> None:
    volunteer("Invented Rosa")

    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.start_drill(by=make_staff(role, second_factor=False))
    assert not Drill.objects.exists() and not OutboundMessage.objects.exists()


def test_a_drill_nobody_can_be_texted_is_refused() -> None:
    volunteer("Invented Rosa", skills=(Skill.VERIFIER,))

    with pytest.raises(DispatchError, match="Nobody"):
        actions.start_drill(by=coordinator(), skill=Skill.ATTORNEY)
    with pytest.raises(DispatchError, match="not a skill"):
        actions.start_drill(by=coordinator(), skill="astronaut")
    assert not Drill.objects.exists()


def test_drill_codes_never_clash_with_open_offers() -> None:
    responders = [volunteer(f"Invented {n}") for n in range(20)]
    first = actions.start_drill(by=coordinator(), responders=responders[:10])
    second = actions.start_drill(by=coordinator(), responders=responders)

    codes = list(Offer.objects.filter(drill__in=[first, second]).values_list("code", flat=True))
    assert len(codes) == 30 and len(set(codes)) == 30


# --- answers -------------------------------------------------------------------------


def test_every_accept_counts_and_keeps_its_first_answer_time() -> None:
    responders = [volunteer(f"Invented {n}") for n in range(3)]
    drill = actions.start_drill(by=coordinator(), now=START)
    offers = {o.responder_id: o for o in Offer.objects.filter(drill=drill)}

    for n, responder in enumerate(responders):
        actions.answer_drill_offer(
            offer=offers[responder.pk], accept=True, now=START + dt.timedelta(minutes=n + 1)
        )

    assert [offer_of(r).status for r in responders] == [OfferStatus.ACCEPTED] * 3
    assert offer_of(responders[2]).answered_at == START + dt.timedelta(minutes=3)
    # A change of mind is recorded; the time the first answer took stays.
    changed = actions.answer_drill_offer(
        offer=offers[responders[0].pk], accept=False, now=START + dt.timedelta(minutes=9)
    )
    assert changed.status == OfferStatus.DECLINED
    assert changed.answered_at == START + dt.timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="dispatch.drill_accepted").count() == 3
    assert AuditEvent.objects.filter(action="dispatch.drill_declined").count() == 1


def test_a_real_offer_cannot_be_answered_as_a_drill_and_the_other_way_round() -> None:
    volunteer("Invented Rosa")
    drill = actions.start_drill(by=coordinator())
    offer = Offer.objects.get(drill=drill)

    with pytest.raises(ValueError, match="answer_drill_offer"):
        actions.answer_offer(offer=offer, accept=True)
    offer.drill_id = None
    with pytest.raises(ValueError, match="answer_offer"):
        actions.answer_drill_offer(offer=offer, accept=True)


# --- the end -------------------------------------------------------------------------


def test_ending_a_drill_expires_its_open_offers_once() -> None:
    answers, silent = volunteer("Invented A"), volunteer("Invented B")
    boss = coordinator()
    drill = actions.start_drill(by=boss, now=START)
    actions.answer_drill_offer(offer=offer_of(answers), accept=True, now=START)

    ended = actions.end_drill(drill=drill, by=boss, now=START + dt.timedelta(minutes=10))
    again = actions.end_drill(drill=drill, by=boss, now=START + dt.timedelta(minutes=20))

    assert ended.ended_at == START + dt.timedelta(minutes=10) == again.ended_at
    assert offer_of(answers).status == OfferStatus.ACCEPTED
    assert offer_of(silent).status == OfferStatus.EXPIRED
    assert AuditEvent.objects.filter(action="dispatch.drill_end").count() == 1
    # Nobody is texted that it ended: the drill was practice.
    assert len(texts_to(silent)) == 1


def test_an_answer_after_the_end_is_not_recorded() -> None:
    responder = volunteer("Invented Late")
    drill = actions.start_drill(by=coordinator(), now=START)
    actions.end_drill(drill=drill, now=START + dt.timedelta(minutes=5))

    late = actions.answer_drill_offer(
        offer=offer_of(responder), accept=True, now=START + dt.timedelta(minutes=6)
    )

    assert late.status == OfferStatus.EXPIRED and late.answered_at is None
    assert late.drill is not None and late.drill.ended_at is not None


def test_an_answer_past_the_deadline_ends_the_drill_at_its_deadline(settings: Any) -> None:
    settings.AMPARO_DRILL_MINUTES = 30
    responder = volunteer("Invented Late")
    drill = actions.start_drill(by=coordinator(), now=START)

    late = actions.answer_drill_offer(
        offer=offer_of(responder), accept=True, now=START + dt.timedelta(minutes=31)
    )

    assert late.status == OfferStatus.EXPIRED
    drill.refresh_from_db()
    assert drill.ended_at == START + dt.timedelta(minutes=30)


def test_only_a_coordinator_ends_a_drill() -> None:
    volunteer("Invented Rosa")
    drill = actions.start_drill(by=coordinator())

    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.end_drill(drill=drill, by=make_staff(Role.OPERATOR, second_factor=False))
    drill.refresh_from_db()
    assert drill.ended_at is None


def test_the_sweep_ends_drills_past_their_time_once(settings: Any) -> None:
    settings.AMPARO_DRILL_MINUTES = 30
    volunteer("Invented Rosa")
    old = actions.start_drill(by=coordinator(), now=START)
    new = actions.start_drill(by=coordinator(), now=START + dt.timedelta(minutes=20))
    (sweep,) = [s for s in registered_sweeps() if s.name == "dispatch.drills"]

    assert sweep.function(now=START + dt.timedelta(minutes=29)) == 0
    assert sweep.function(now=START + dt.timedelta(minutes=45)) == 1
    assert end_overdue_drills(now=START + dt.timedelta(minutes=45)) == 0

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ended_at == START + dt.timedelta(minutes=30)
    assert new.ended_at is None
    assert Offer.objects.get(drill=old).status == OfferStatus.EXPIRED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_an_answer_racing_the_end_is_either_counted_or_refused() -> None:
    responders = [volunteer(f"Invented {n}") for n in range(6)]
    drill = actions.start_drill(by=coordinator())
    offers = list(Offer.objects.filter(drill=drill))
    barrier = threading.Barrier(len(offers) + 1)

    def run(work: Any) -> None:
        try:
            barrier.wait()
            work()
        finally:
            connection.close()

    jobs = [lambda: actions.end_drill(drill=drill)] + [
        (lambda o=o: actions.answer_drill_offer(offer=o, accept=True)) for o in offers
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    drill.refresh_from_db()
    assert drill.ended_at is not None
    for offer in Offer.objects.filter(drill=drill):
        if offer.status == OfferStatus.ACCEPTED:
            assert offer.answered_at is not None and offer.answered_at <= drill.ended_at
        else:
            assert offer.status == OfferStatus.EXPIRED and offer.answered_at is None
    assert len(responders) == Offer.objects.filter(drill=drill).count()
