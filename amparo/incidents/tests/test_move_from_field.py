"""A responder's word from the scene moving an incident (move_from_field, add_field_note)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.incidents import actions
from amparo.incidents.models import (
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
)
from amparo.incidents.tests.factories import coordinator, make_gazetteer, texted

pytestmark = pytest.mark.django_db


def an_incident() -> Incident:
    make_gazetteer()
    incident = texted().incident
    assert incident is not None
    return incident


def fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def events(incident: Incident, kind: str) -> list[IncidentEvent]:
    return list(IncidentEvent.objects.filter(incident=incident, kind=kind).order_by("at", "pk"))


def test_a_responder_on_the_way_moves_a_reported_incident_to_verifying_by_the_system() -> None:
    incident = an_incident()

    moved = actions.move_from_field(
        incident=incident, to_state=IncidentState.VERIFYING, note="Responder 1 (code 4821): going."
    )

    assert moved
    incident = fresh(incident)
    assert incident.state == IncidentState.VERIFYING
    assert incident.expires_at is not None
    (event,) = events(incident, EventKind.STATE)
    assert (event.from_state, event.to_state, event.by) == ("reported", "verifying", None)
    assert event.note == "Responder 1 (code 4821): going."
    audit = AuditEvent.objects.get(action="incidents.incident_field_verify")
    assert audit.actor_id is None and audit.target_id == str(incident.pk)


def test_a_responders_word_never_decides_an_incident() -> None:
    incident = an_incident()
    responder = make_staff(Role.RESPONDER, second_factor=False)

    for verdict in (IncidentState.CONFIRMED, IncidentState.FALSE_ALARM):
        with pytest.raises(ValueError, match="cannot move"):
            actions.move_from_field(incident=incident, to_state=verdict, note="x", by=responder)

    incident = fresh(incident)
    assert (incident.state, incident.outcome) == (IncidentState.REPORTED, "")
    assert not events(incident, EventKind.STATE)


def test_a_responder_arriving_at_a_confirmed_incident_changes_and_adds_nothing() -> None:
    incident = an_incident()
    actions.confirm_incident(
        incident=incident, by=coordinator(), note="seen", responder_on_site=True
    )
    before = IncidentEvent.objects.filter(incident=incident).count()

    assert not actions.move_from_field(
        incident=incident, to_state=IncidentState.VERIFYING, note="arrived"
    )

    assert fresh(incident).state == IncidentState.CONFIRMED
    assert IncidentEvent.objects.filter(incident=incident).count() == before


def test_an_expired_incident_is_picked_up_again_for_a_full_time_to_live() -> None:
    incident = an_incident()
    later = timezone.now() + dt.timedelta(days=2)
    Incident.objects.filter(pk=incident.pk).update(expires_at=timezone.now())
    assert actions.expire_incident(incident=incident, now=later)

    assert actions.move_from_field(
        incident=incident, to_state=IncidentState.VERIFYING, note="arrived late"
    )

    incident = fresh(incident)
    assert incident.state == IncidentState.VERIFYING and incident.outcome == ""
    assert incident.expires_at is not None
    assert incident.expires_at > timezone.now() + dt.timedelta(hours=1)


def test_a_closed_incident_is_left_as_it_is() -> None:
    incident = an_incident()
    boss = coordinator()
    actions.mark_false_alarm(incident=incident, by=boss, note="a utility crew")
    actions.close_incident(incident=incident, by=boss)
    before = IncidentEvent.objects.filter(incident=incident).count()

    assert not actions.move_from_field(
        incident=incident, to_state=IncidentState.VERIFYING, note="arrived late"
    )
    assert actions.add_field_note(incident=incident, note="Responder 1: safe, leaving.") is None

    assert fresh(incident).state == IncidentState.CLOSED
    assert IncidentEvent.objects.filter(incident=incident).count() == before


def test_only_the_move_to_verifying_is_accepted() -> None:
    incident = an_incident()

    with pytest.raises(ValueError, match="cannot move"):
        actions.move_from_field(incident=incident, to_state=IncidentState.CLOSED, note="done")
    assert fresh(incident).state == IncidentState.REPORTED


def test_a_field_note_goes_on_the_timeline_audited_by_ids_only() -> None:
    incident = an_incident()
    at = timezone.now() - dt.timedelta(minutes=3)

    event = actions.add_field_note(
        incident=incident, note="Responder 1 (code 4821): arrived.", at=at
    )

    assert event is not None
    assert (event.kind, event.by, event.at) == (EventKind.FIELD, None, at)
    assert IncidentEvent.objects.get(pk=event.pk).note == "Responder 1 (code 4821): arrived."
    audit = AuditEvent.objects.get(action="incidents.incident_field_note")
    assert audit.target_type == "incidents.incident" and audit.target_id == str(incident.pk)
