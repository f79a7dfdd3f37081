"""Done when (issue 5): a whole dispatch, every text through the real routing.

Offers to three responders (two wanted); a decline; an accept; the ring
escalated after the timeout; a second accept; a late accept told it is
covered; an arrival and a confirmation by text reaching the incident as a
report from the scene flagged for the coordinator, who then confirms it on a
responder on site; a missed check-in raising the alert to the coordinator by
text and e-mail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from amparo.channels.models import OutboundMessage
from amparo.contacts.queries import find_contact_by_phone
from amparo.dispatch import actions
from amparo.dispatch import offers as offer_texts
from amparo.dispatch import scene as scene_texts
from amparo.dispatch.models import FieldReport, Offer, OfferStatus, ShiftKind
from amparo.dispatch.sweeps import alert_missed_checkins, escalate_waiting_offers
from amparo.dispatch.tests.factories import once
from amparo.dispatch.tests.scene_factories import (
    an_incident,
    coordinator,
    phone_of,
    responder,
    texts_to,
)
from amparo.incidents.actions import confirm_incident
from amparo.incidents.models import (
    ConfirmationBasis,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
)
from amparo.incidents.queries import access_incident, field_verdicts_to_decide
from amparo.intake.tests.texts import text_in

pytestmark = pytest.mark.django_db

COORDINATOR_PHONE = "+14755550199"


def status(offer: Offer) -> str:
    return Offer.objects.get(pk=offer.pk).status


@override_settings(
    AMPARO_DISPATCH_WANTED=2,
    AMPARO_DISPATCH_ESCALATE_MINUTES=5,
    AMPARO_DISPATCH_CHECKIN_MINUTES=20,
)
def test_a_whole_dispatch(django_capture_on_commit_callbacks: Any) -> None:
    incident = an_incident()
    boss = coordinator(email="coordinator@amparo.example")
    # The coordinator is on the roster (no field skill) and on the hotline now.
    on_roster = actions.add_responder(
        by=None, display_name="Invented Coordinator", user=boss, phone=COORDINATOR_PHONE
    )
    now = timezone.now()
    once(on_roster, now - dt.timedelta(hours=1), now + dt.timedelta(hours=8), ShiftKind.OPERATOR)
    declines = responder("Invented Ana Declines", language="es")
    first = responder("Invented Ben Goes", language="en")
    silent = responder("Invented Carla Silent", language="pt")
    second = responder("Invented Dieula Goes", language="ht")
    late = responder("Invented Eduardo Late", language="es")

    # 1. offers to three responders, two wanted
    ring_one = actions.offer_dispatch(
        incident=incident, responders=[declines, first, silent], by=boss
    )
    code = {offer.responder_id: offer.code for offer in ring_one}
    offer = {offer.responder_id: offer for offer in ring_one}

    # 2. a decline and an accept, by text
    text_in(f"NO {code[declines.pk]}", phone=phone_of(declines))
    text_in(f"1 {code[first.pk]}", phone=phone_of(first))
    assert status(offer[declines.pk]) == OfferStatus.DECLINED
    assert status(offer[first.pk]) == OfferStatus.ACCEPTED
    assert "Text HERE then, OK every 20 min, LEAVING when you go." in texts_to(first)[-1]

    # 3. nobody else answers: after the timeout the next ring is offered, the coordinators told
    assert escalate_waiting_offers(now=now + dt.timedelta(minutes=6)) == 1
    assert status(offer[silent.pk]) == OfferStatus.EXPIRED
    ring_two = {o.responder_id: o for o in Offer.objects.filter(incident=incident, ring=2)}
    assert set(ring_two) == {second.pk, late.pk}
    escalated = IncidentEvent.objects.get(incident=incident, kind=EventKind.NOTE)
    assert "1 of 2 responders accepted" in escalated.note and "ring 2" in escalated.note

    # 4. the second accept goes, the third is told it is covered
    text_in(f"WI {ring_two[second.pk].code}", phone=phone_of(second))
    text_in(f"SÍ {ring_two[late.pk].code}", phone=phone_of(late))
    assert status(ring_two[second.pk]) == OfferStatus.ACCEPTED
    assert status(ring_two[late.pk]) == OfferStatus.COVERED
    assert late.contact is not None
    assert texts_to(late) == [texts_to(late)[0], offer_texts.covered_text(late.contact)]

    # 5. arrivals by text: the incident is being verified
    arrived = text_in("RIVE", phone=phone_of(second))
    text_in(f"HERE {code[first.pk]}", phone=phone_of(first))
    assert arrived is not None and arrived.routed_to == "scene_arrived"
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.VERIFYING

    # 6. a confirmation by text reaches the incident as a report from the scene, flagged
    #    for the coordinator; it decides nothing (one phone must not publish an incident)
    confirmed = text_in("CONFIRM 2 vans, agents at the door", phone=phone_of(first))
    assert confirmed is not None and confirmed.routed_to == "scene_confirm"
    assert texts_to(first)[-1].startswith("Amparo: Your report is noted")
    assert "the coordinators decide" in texts_to(first)[-1]
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == IncidentState.VERIFYING
    assert field_verdicts_to_decide(incident) == ["confirm"]
    first_code = code[first.pk]
    field_notes = [
        e.note for e in IncidentEvent.objects.filter(incident=incident, kind=EventKind.FIELD)
    ]
    assert len(field_notes) == 3  # two arrivals, one confirmation
    assert field_notes[-1].startswith(
        f"Responder 2 (code {first_code}) confirms the report from the scene; "
        "a coordinator decides."
    )
    assert FieldReport.objects.get(kind="confirm").note == "2 vans, agents at the door"
    page = access_incident(boss, incident.pk)
    assert page.field_verdicts == ["confirm"]

    #    the coordinator decides, on a responder on site
    confirm_incident(
        incident=incident, by=boss, note="Called responder 2 back", responder_on_site=True
    )
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == IncidentState.CONFIRMED
    verdict = IncidentEvent.objects.get(
        incident=incident, kind=EventKind.STATE, to_state=IncidentState.CONFIRMED
    )
    assert verdict.basis == ConfirmationBasis.RESPONDER and verdict.by == boss
    assert field_verdicts_to_decide(incident) == []

    # 7. the first responder leaves; the second falls silent: the check-in alert
    text_in("LEAVING", phone=phone_of(first))
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_missed_checkins(now=timezone.now() + dt.timedelta(minutes=21)) == 1

    assert second.contact is not None
    assert texts_to(second)[-1] == scene_texts.check_in_call_text(
        second.contact, code=ring_two[second.pk].code
    )
    coordinator_contact = find_contact_by_phone(COORDINATOR_PHONE)
    (alert,) = OutboundMessage.objects.filter(contact=coordinator_contact)
    assert "a responder missed a check-in" in alert.body
    assert alert.body.endswith(f"/incidents/{incident.pk}/")
    (email,) = mail.outbox
    assert email.to == ["coordinator@amparo.example"]
    assert email.body == alert.body
    safety = IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE).last()
    assert safety is not None and safety.note.startswith("Safety: responder")
    # nobody's name, number or words in what the coordinator was sent
    for body in (alert.body, email.body, email.subject):
        assert "Invented" not in body and "Dieula" not in body and "vans" not in body
        assert phone_of(second) not in body
