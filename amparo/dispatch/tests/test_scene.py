"""A responder's reports from the scene, a coordinator ending a deployment, missed check-ins."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage
from amparo.contacts.queries import find_contact_by_phone
from amparo.dispatch import actions
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import (
    Drill,
    FieldReport,
    FieldReportKind,
    Offer,
    OfferStatus,
)
from amparo.dispatch.sweeps import purge_old_field_notes
from amparo.dispatch.tests.scene_factories import (
    an_incident,
    coordinator,
    fresh,
    going,
    offered,
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
from amparo.incidents.queries import field_verdicts_to_decide

pytestmark = pytest.mark.django_db

NAME = "Invented Rosa Quintero"
WORDS = "Invented Marisol is inside, two vans at the gate"


def timeline(incident: Incident, kind: str) -> list[IncidentEvent]:
    return list(IncidentEvent.objects.filter(incident=incident, kind=kind).order_by("at", "pk"))


def sent_to(phone: str) -> list[OutboundMessage]:
    contact = find_contact_by_phone(phone)
    assert contact is not None
    return list(OutboundMessage.objects.filter(contact=contact).order_by("created_at"))


def state_of(incident: Incident) -> str:
    return Incident.objects.get(pk=incident.pk).state


# --- reports -----------------------------------------------------------------------


def test_an_arrival_is_a_sign_of_life_and_puts_the_incident_under_verification() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    at = timezone.now()

    report = actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED, now=at)

    assert (report.kind, report.via, report.at, report.note) == ("arrived", "sms", at, "")
    offer = fresh(offer)
    assert offer.arrived_at == at and offer.checked_in_at == at and offer.left_at is None
    assert state_of(incident) == IncidentState.VERIFYING
    (line,) = timeline(incident, EventKind.FIELD)
    assert line.note == f"Responder 1 (code {offer.code}): arrived."
    assert line.by is None
    audit = AuditEvent.objects.get(action="dispatch.scene_arrived")
    assert (audit.actor_id, audit.target_type, audit.target_id) == (
        None,
        "dispatch.offer",
        str(offer.pk),
    )


def test_a_confirmation_decides_nothing_it_is_put_to_the_coordinators() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    assert field_verdicts_to_decide(incident) == []

    actions.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM)

    incident = Incident.objects.get(pk=incident.pk)
    # one phone, seized or spoofed, must not put an incident on the public map
    assert incident.state == IncidentState.VERIFYING  # since the accept
    assert [e.to_state for e in timeline(incident, EventKind.STATE)] == ["verifying"]
    (line,) = timeline(incident, EventKind.FIELD)
    assert line.note == (
        f"Responder 1 (code {offer.code}) confirms the report from the scene; "
        "a coordinator decides."
    )
    assert field_verdicts_to_decide(incident) == ["confirm"]
    # a verdict is given on site: it is an arrival too
    assert fresh(offer).arrived_at is not None


def test_a_coordinator_decides_on_a_responder_on_site_and_the_flag_goes() -> None:
    incident = an_incident()
    boss = coordinator()
    offer = going(responder(NAME), incident, by=boss)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM, note=WORDS)

    confirm_incident(incident=incident, by=boss, note="called them", responder_on_site=True)

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == IncidentState.CONFIRMED
    assert timeline(incident, EventKind.STATE)[-1].basis == ConfirmationBasis.RESPONDER
    assert field_verdicts_to_decide(incident) == []


def test_a_false_alarm_from_the_scene_leaves_the_incident_as_it_is() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)

    actions.report_from_scene(offer=offer, kind=FieldReportKind.FALSE_ALARM, note="a film crew")

    assert state_of(incident) == IncidentState.VERIFYING
    assert timeline(incident, EventKind.FIELD)[-1].note == (
        f"Responder 1 (code {offer.code}) says it is a false alarm; a coordinator decides. "
        "Their words are on the dispatch page."
    )
    assert field_verdicts_to_decide(incident) == ["false-alarm"]


def test_the_responders_words_stay_sealed_in_the_report_and_off_the_timeline() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)

    report = actions.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM, note=WORDS)

    assert FieldReport.objects.get(pk=report.pk).note == WORDS
    for event in IncidentEvent.objects.filter(incident=incident):
        assert "Marisol" not in event.note and "Invented" not in event.note
    (line,) = timeline(incident, EventKind.FIELD)
    assert line.note.endswith("Their words are on the dispatch page.")
    assert not AuditEvent.objects.filter(action__contains="Marisol").exists()


def test_on_the_web_a_confirmation_or_a_false_alarm_must_say_what_was_seen() -> None:
    incident = an_incident()
    user = make_staff(Role.RESPONDER, second_factor=False)
    offer = going(responder(NAME, user=user), incident)

    for kind in (FieldReportKind.CONFIRM, FieldReportKind.FALSE_ALARM):
        with pytest.raises(DispatchError, match="Say what you saw"):
            actions.report_from_scene(offer=offer, kind=kind, note="  ", via="web", by=user)
    assert not FieldReport.objects.exists()

    actions.report_from_scene(
        offer=offer, kind=FieldReportKind.FALSE_ALARM, note="a film crew", via="web", by=user
    )
    assert state_of(incident) == IncidentState.VERIFYING
    assert timeline(incident, EventKind.FIELD)[-1].by == user


def test_a_false_alarm_on_a_confirmed_incident_is_left_to_a_coordinator() -> None:
    incident = an_incident()
    boss = coordinator()
    offer = going(responder(NAME), incident, by=boss)
    confirm_incident(incident=incident, by=boss, note="seen", responder_on_site=True)

    actions.report_from_scene(offer=offer, kind=FieldReportKind.FALSE_ALARM, note="gone now")

    assert state_of(incident) == IncidentState.CONFIRMED
    (line,) = timeline(incident, EventKind.FIELD)
    assert line.note == (
        f"Responder 1 (code {offer.code}) says it is a false alarm; a coordinator decides. "
        "Their words are on the dispatch page."
    )
    assert field_verdicts_to_decide(Incident.objects.get(pk=incident.pk)) == ["false-alarm"]


def test_only_a_bare_check_in_or_leaving_clears_a_check_in_alert() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)
    alerted = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(checkin_alert_at=alerted)
    later = alerted + dt.timedelta(minutes=25)

    # "Ok they grabbed me": alive, not safe
    actions.report_from_scene(
        offer=offer, kind=FieldReportKind.CHECK_IN, note="they grabbed me", now=later
    )
    actions.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM, now=later)
    offer = fresh(offer)
    assert offer.checkin_alert_at == alerted and offer.checked_in_at == later

    actions.report_from_scene(
        offer=offer, kind=FieldReportKind.CHECK_IN, now=later + dt.timedelta(minutes=1)
    )
    assert fresh(offer).checkin_alert_at is None


def test_leaving_clears_a_check_in_alert() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    Offer.objects.filter(pk=offer.pk).update(checkin_alert_at=timezone.now())

    actions.report_from_scene(offer=offer, kind=FieldReportKind.LEAVING)

    offer = fresh(offer)
    assert offer.checkin_alert_at is None and offer.left_at is not None


def test_after_leaving_no_more_reports_are_taken() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)

    actions.report_from_scene(offer=offer, kind=FieldReportKind.LEAVING)

    assert fresh(offer).left_at is not None
    with pytest.raises(DispatchError, match="already left"):
        actions.report_from_scene(offer=offer, kind=FieldReportKind.CHECK_IN)
    assert FieldReport.objects.count() == 2


def test_only_a_responder_who_is_going_reports_from_the_scene() -> None:
    incident = an_incident()
    waiting = offered(responder("Invented A"), incident)
    declined = actions.answer_offer(offer=offered(responder("Invented B"), incident), accept=False)
    drill = Drill.objects.create(started_at=timezone.now())
    practice = Offer.objects.create(
        drill=drill, responder=responder("Invented C"), code="9999", sent_at=timezone.now()
    )
    Offer.objects.filter(pk=practice.pk).update(status=OfferStatus.ACCEPTED)

    for offer in (waiting, declined):
        with pytest.raises(DispatchError, match="who is going"):
            actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)
    with pytest.raises(DispatchError, match="drill"):
        actions.report_from_scene(offer=practice, kind=FieldReportKind.ARRIVED)
    assert not FieldReport.objects.exists()
    assert state_of(incident) != IncidentState.CONFIRMED


def test_a_staff_member_reports_only_for_their_own_dispatch() -> None:
    incident = an_incident()
    owner = make_staff(Role.RESPONDER, second_factor=False)
    other = make_staff(Role.RESPONDER, second_factor=False)
    offer = going(responder(NAME, user=owner), incident)

    with pytest.raises(DispatchError, match="not your dispatch"):
        actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED, via="web", by=other)
    assert fresh(offer).arrived_at is None


def test_a_responder_taken_off_the_roster_moves_nothing() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    actions.deactivate_responder(responder=offer.responder, by=coordinator())

    with pytest.raises(DispatchError, match="no longer on the roster"):
        actions.report_from_scene(offer=offer, kind=FieldReportKind.FALSE_ALARM)
    assert state_of(incident) != IncidentState.FALSE_ALARM
    assert not FieldReport.objects.exists()


def test_a_responder_whose_staff_account_was_closed_moves_nothing() -> None:
    incident = an_incident()
    user = make_staff(Role.RESPONDER, second_factor=False)
    offer = going(responder(NAME, user=user), incident)
    user.is_active = False
    user.save(update_fields=["is_active"])

    with pytest.raises(DispatchError, match="no longer on the roster"):
        actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)
    assert not FieldReport.objects.exists()


# --- retention -----------------------------------------------------------------------


@override_settings(AMPARO_REPORT_RETENTION_DAYS=30)
def test_responders_words_are_blanked_after_the_retention_kind_and_time_kept() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)
    old_at = timezone.now() - dt.timedelta(days=31)
    old = actions.report_from_scene(
        offer=offer, kind=FieldReportKind.CONFIRM, note=WORDS, now=old_at
    )
    recent = actions.report_from_scene(offer=offer, kind=FieldReportKind.CHECK_IN, note="fine")

    assert purge_old_field_notes() == 1
    assert purge_old_field_notes() == 0  # idempotent

    old = FieldReport.objects.get(pk=old.pk)
    assert (old.note, old.kind, old.at) == ("", FieldReportKind.CONFIRM, old_at)
    assert FieldReport.objects.get(pk=recent.pk).note == "fine"


# --- a coordinator ends a deployment -------------------------------------------------


def test_a_coordinator_records_a_responder_safe_and_gone_once() -> None:
    incident = an_incident()
    boss = coordinator()
    offer = going(responder(NAME), incident, by=boss)
    Offer.objects.filter(pk=offer.pk).update(checkin_alert_at=timezone.now())

    closed = actions.close_deployment(offer=offer, by=boss)
    again = actions.close_deployment(offer=offer, by=boss)

    assert closed.left_at is not None and closed.checkin_alert_at is None
    assert again.left_at == closed.left_at
    (line,) = timeline(incident, EventKind.FIELD)
    assert line.by == boss
    assert line.note == f"A coordinator recorded responder 1 (code {offer.code}) safe and gone."
    assert AuditEvent.objects.filter(action="dispatch.scene_close").count() == 1


def test_only_a_coordinator_ends_a_deployment() -> None:
    incident = an_incident()
    offer = going(responder(NAME), incident)

    for role in (Role.OPERATOR, Role.RESPONDER):
        with pytest.raises(DispatchError, match="Only a coordinator"):
            actions.close_deployment(offer=offer, by=make_staff(role, second_factor=False))
    assert fresh(offer).left_at is None


# --- missed check-ins ----------------------------------------------------------------


def on_scene(incident: Incident, *, name: str = NAME) -> Offer:
    offer = going(responder(name), incident)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)
    return fresh(offer)


def on_shift_coordinator(*, phone: str, email: str = "", on_call: bool = True) -> Any:
    user = coordinator(email=email)
    responder(f"Invented Coordinator {phone[-3:]}", user=user, phone=phone, on_call=on_call)
    return user


@override_settings(AMPARO_DISPATCH_CHECKIN_MINUTES=20)
def test_a_missed_check_in_alerts_the_responder_the_coordinators_and_the_incident(
    django_capture_on_commit_callbacks: Any,
) -> None:
    incident = an_incident()
    on_shift_coordinator(phone="+14755550190", email="coordinator@amparo.example")
    off_shift = on_shift_coordinator(phone="+14755550191", on_call=False)
    offer = on_scene(incident)
    assert actions.alert_missed_checkins(now=timezone.now() + dt.timedelta(minutes=19)) == 0

    later = timezone.now() + dt.timedelta(minutes=21)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.alert_missed_checkins(now=later) == 1
    assert actions.alert_missed_checkins(now=later + dt.timedelta(minutes=5)) == 0

    assert fresh(offer).checkin_alert_at == later
    assert texts_to(offer.responder)[-1] == (
        f"Amparo: Please check in (code {offer.code}): reply OK if you are safe, "
        "LEAVING if you left."
    )
    (sms,) = sent_to("+14755550190")
    assert sms.body.startswith("Amparo: a responder missed a check-in (last sign of life ")
    assert sms.body.endswith(f"/incidents/{incident.pk}/")
    assert sent_to(off_shift.responder.contact.phone) == []
    (email,) = mail.outbox
    assert email.to == ["coordinator@amparo.example"]
    assert email.subject == "Amparo: a responder missed a check-in"
    assert email.body == sms.body
    for body in (sms.body, email.body, email.subject):
        assert "Invented" not in body and "Rosa" not in body
        assert phone_of(offer.responder) not in body and offer.code not in body
    (note,) = timeline(incident, EventKind.NOTE)
    assert note.by is None
    assert note.note.startswith(f"Safety: responder 1 (code {offer.code}) has not checked in")


@override_settings(AMPARO_DISPATCH_CHECKIN_MINUTES=20)
def test_a_new_silence_after_a_check_in_alerts_again() -> None:
    incident = an_incident()
    offer = on_scene(incident)
    first = timezone.now() + dt.timedelta(minutes=21)
    assert actions.alert_missed_checkins(now=first) == 1

    actions.report_from_scene(offer=offer, kind=FieldReportKind.CHECK_IN, now=first)

    assert actions.alert_missed_checkins(now=first + dt.timedelta(minutes=10)) == 0
    assert actions.alert_missed_checkins(now=first + dt.timedelta(minutes=21)) == 1


@override_settings(AMPARO_DISPATCH_CHECKIN_MINUTES=20)
def test_with_no_coordinator_on_shift_every_active_one_with_a_number_is_texted() -> None:
    incident = an_incident()
    on_shift_coordinator(phone="+14755550192", on_call=False)
    on_shift_coordinator(phone="+14755550193", on_call=False)
    closed = on_shift_coordinator(phone="+14755550194", on_call=False)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    operator = make_staff(Role.OPERATOR, second_factor=False)
    responder("Invented Operator", user=operator, phone="+14755550195")
    on_scene(incident)

    actions.alert_missed_checkins(now=timezone.now() + dt.timedelta(minutes=21))

    texted = {
        message.contact.phone
        for message in OutboundMessage.objects.select_related("contact")
        if "missed a check-in" in message.body
    }
    assert texted == {"+14755550192", "+14755550193"}


@override_settings(AMPARO_DISPATCH_CHECKIN_MINUTES=20)
def test_responders_on_the_way_or_gone_are_not_waited_for() -> None:
    incident = an_incident()
    going(responder("Invented On The Way"), incident)
    gone = on_scene(incident, name="Invented Gone")
    actions.report_from_scene(offer=gone, kind=FieldReportKind.LEAVING)

    assert actions.alert_missed_checkins(now=timezone.now() + dt.timedelta(hours=2)) == 0
    assert not IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE).exists()


def test_alerts_name_no_number_in_the_coordinator_text() -> None:
    incident = an_incident()
    on_shift_coordinator(phone="+14755550196")
    on_scene(incident)

    actions.alert_missed_checkins(now=timezone.now() + dt.timedelta(hours=1))

    (sms,) = sent_to("+14755550196")
    numbers = re.findall(r"\d+", sms.body.split("http")[0])
    assert len(numbers) == 2  # the time of day, hours and minutes


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
@override_settings(AMPARO_DISPATCH_CHECKIN_MINUTES=20)
def test_two_sweeps_at_once_alert_a_missed_check_in_once() -> None:
    incident = an_incident()
    offer = on_scene(incident)
    later = timezone.now() + dt.timedelta(minutes=21)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(actions.alert_missed_checkins(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == [0, 1]
    calls = [body for body in texts_to(offer.responder) if "Please check in" in body]
    assert len(calls) == 1
    assert IncidentEvent.objects.filter(incident=incident, kind=EventKind.NOTE).count() == 1
