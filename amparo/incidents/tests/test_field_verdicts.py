"""A responder's verdict from the scene waits on the incident page for a coordinator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.dispatch import actions as dispatch
from amparo.dispatch.models import FieldReportKind
from amparo.dispatch.tests.scene_factories import an_incident, going, responder
from amparo.incidents.actions import confirm_incident
from amparo.incidents.models import Incident, IncidentState
from amparo.incidents.queries import field_verdicts_to_decide

pytestmark = pytest.mark.django_db

CONFIRMS = "A responder on site confirms the report: a coordinator decides."
SAYS_FALSE = "A responder on site says it is a false alarm: a coordinator decides."


def page_of(client: Client, incident: Incident) -> str:
    with translation.override("en"):
        return client.get(reverse("incidents:incident", args=[incident.pk])).content.decode()


def test_the_incident_page_flags_a_responders_confirmation_until_a_coordinator_decides(
    client: Client,
) -> None:
    incident = an_incident()
    boss = make_staff(Role.COORDINATOR)
    client.force_login(boss)
    offer = going(responder("Invented Volunteer"), incident, by=boss)
    assert CONFIRMS not in page_of(client, incident)

    dispatch.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM, note="2 vans")

    assert CONFIRMS in page_of(client, incident)
    confirm_incident(incident=incident, by=boss, note="called back", responder_on_site=True)
    assert CONFIRMS not in page_of(client, incident)


def test_a_false_alarm_after_the_confirmation_is_flagged_again(client: Client) -> None:
    incident = an_incident()
    boss = make_staff(Role.COORDINATOR)
    client.force_login(boss)
    offer = going(responder("Invented Volunteer"), incident, by=boss)
    confirm_incident(incident=incident, by=boss, note="seen", responder_on_site=True)
    dispatch.report_from_scene(offer=offer, kind=FieldReportKind.CONFIRM)
    assert field_verdicts_to_decide(Incident.objects.get(pk=incident.pk)) == []

    dispatch.report_from_scene(offer=offer, kind=FieldReportKind.FALSE_ALARM, note="gone")

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.state == IncidentState.CONFIRMED
    assert field_verdicts_to_decide(incident) == ["false-alarm"]
    assert SAYS_FALSE in page_of(client, incident)


def test_an_operator_sees_the_flag_too(client: Client) -> None:
    incident = an_incident()
    offer = going(responder("Invented Volunteer"), incident)
    dispatch.report_from_scene(offer=offer, kind=FieldReportKind.FALSE_ALARM)
    client.force_login(make_staff(Role.OPERATOR))

    assert SAYS_FALSE in page_of(client, incident)
