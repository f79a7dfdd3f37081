"""A responder's own page (answering offers, reporting from the scene) and ending a deployment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.dispatch.models import FieldReport, Offer, OfferStatus, Responder
from amparo.dispatch.tests.factories import once
from amparo.dispatch.tests.scene_factories import (
    an_incident,
    coordinator,
    fresh,
    going,
    offered,
    responder,
)
from amparo.incidents.models import Incident, IncidentState
from amparo.incidents.tests.factories import SCHOOL, texted

pytestmark = pytest.mark.django_db

ME = "/staff/dispatch/me/"


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def signed_in_responder(client: Client, role: Role = Role.RESPONDER) -> tuple[User, Responder]:
    user = make_staff(role)
    on_roster = responder("Invented Staff Volunteer", user=user)
    reauthenticated(client, user)
    return user, on_roster


def answer_url(offer: Offer) -> str:
    return reverse("dispatch:answer_offer", args=[offer.pk])


def report_url(offer: Offer) -> str:
    return reverse("dispatch:scene_report", args=[offer.pk])


def test_the_page_is_at_me_and_linked_from_the_staff_home(client: Client) -> None:
    signed_in_responder(client)

    assert reverse("dispatch:me") == ME
    home = client.get(reverse("core:home")).content.decode()

    assert ME in home and "My dispatches" in home


def test_staff_not_on_the_roster_get_no_link_and_are_told_so(client: Client) -> None:
    reauthenticated(client, make_staff(Role.OPERATOR))

    assert ME not in client.get(reverse("core:home")).content.decode()
    shown = client.get(ME)
    assert shown.status_code == 200
    assert "You are not on the responder roster" in shown.content.decode()


@pytest.mark.parametrize("role", [Role.TREASURER, Role.LEGAL, Role.ADMIN])
def test_other_roles_are_refused(client: Client, role: Role) -> None:
    offer = offered(responder("Invented Volunteer"), an_incident())
    reauthenticated(client, make_staff(role))

    assert client.get(ME).status_code == 403
    assert client.post(answer_url(offer), {"answer": "accept"}).status_code == 403
    assert client.post(report_url(offer), {"kind": "arrived"}).status_code == 403
    assert fresh(offer).status == OfferStatus.OFFERED


def test_a_responder_sees_their_offer_and_accepts_it(client: Client) -> None:
    incident = an_incident()
    _user, mine = signed_in_responder(client)
    offer = offered(mine, incident)

    shown = client.get(ME).content.decode()
    assert "Verify a report near Hartford" in shown and offer.code in shown
    assert AuditEvent.objects.filter(action="dispatch.me_view").count() == 1

    answered = client.post(answer_url(offer), {"answer": "accept"}, follow=True)

    assert fresh(offer).status == OfferStatus.ACCEPTED
    body = answered.content.decode()
    assert "You&#x27;re going" in body and "I have arrived" in body


def test_a_responder_declines_an_offer(client: Client) -> None:
    incident = an_incident()
    _user, mine = signed_in_responder(client)
    offer = offered(mine, incident)

    client.post(answer_url(offer), {"answer": "decline"})

    assert fresh(offer).status == OfferStatus.DECLINED


def test_a_responder_cannot_answer_or_report_on_someone_elses_offer(client: Client) -> None:
    incident = an_incident()
    signed_in_responder(client)
    theirs = going(responder("Invented Other"), incident)
    waiting = offered(responder("Invented Third"), incident)

    assert client.post(answer_url(waiting), {"answer": "accept"}).status_code == 404
    assert client.post(report_url(theirs), {"kind": "arrived"}).status_code == 404
    assert fresh(waiting).status == OfferStatus.OFFERED
    assert not FieldReport.objects.exists()


def test_a_responder_reports_from_the_scene_on_the_web(client: Client) -> None:
    incident = an_incident()
    user, mine = signed_in_responder(client)
    offer = going(mine, incident)

    client.post(report_url(offer), {"kind": "arrived"})
    client.post(report_url(offer), {"kind": "check-in"})
    refused = client.post(report_url(offer), {"kind": "confirm", "note": " "}, follow=True)
    noted = client.post(
        report_url(offer), {"kind": "confirm", "note": "Invented: 4 agents, 2 vans"}, follow=True
    )

    assert "Say what you saw" in refused.content.decode()
    assert "Your report is recorded; the coordinators decide." in noted.content.decode()
    reports = list(FieldReport.objects.filter(offer=offer).order_by("at"))
    assert [r.kind for r in reports] == ["arrived", "check-in", "confirm"]
    assert {r.via for r in reports} == {"web"}
    assert reports[-1].note == "Invented: 4 agents, 2 vans"
    incident = Incident.objects.get(pk=incident.pk)
    # put to the coordinators, not decided
    assert incident.state == IncidentState.VERIFYING
    assert incident.events.filter(by=user, note__isnull=False, kind="field").count() == 3

    client.post(report_url(offer), {"kind": "leaving"})
    assert fresh(offer).left_at is not None
    after = client.get(ME).content.decode()
    assert "You are not on the way anywhere" in after


def test_the_page_lists_the_shifts_of_the_next_week(client: Client) -> None:
    _user, mine = signed_in_responder(client)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    once(mine, tomorrow, tomorrow + dt.timedelta(hours=4))
    once(mine, tomorrow + dt.timedelta(days=9), tomorrow + dt.timedelta(days=9, hours=2))

    shown = client.get(ME).content.decode()

    assert shown.count("field responder:") == 2  # the shift on now and tomorrow's


def test_the_page_costs_the_same_queries_for_one_deployment_or_four(client: Client) -> None:
    _user, mine = signed_in_responder(client)
    going(mine, an_incident())
    client.get(ME)  # the session and the language settle on the first visit

    def queries_of_the_page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(ME).content.decode()
        return len(captured), body

    one, _body = queries_of_the_page()
    for n in range(1, 4):
        other = texted((SCHOOL[0] + 0.2 * n, SCHOOL[1])).incident
        assert other is not None
        going(mine, other)
    four, body = queries_of_the_page()

    assert body.count('class="deployment"') == 4
    assert four == one


# --- a coordinator ends a deployment -------------------------------------------------


def test_a_coordinator_records_a_responder_safe_and_gone(client: Client) -> None:
    incident = an_incident()
    offer = going(responder("Invented Volunteer"), incident)
    boss = make_staff(Role.COORDINATOR)
    reauthenticated(client, boss)

    done = client.post(reverse("dispatch:close_deployment", args=[offer.pk]))

    assert done.status_code == 302
    assert done["Location"] == reverse("dispatch:incident_offers", args=[incident.pk])
    assert fresh(offer).left_at is not None
    assert AuditEvent.objects.filter(action="dispatch.scene_close", actor_id=boss.pk).exists()


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONDER, Role.TREASURER])
def test_only_a_coordinator_ends_a_deployment(client: Client, role: Role) -> None:
    incident = an_incident()
    offer = going(responder("Invented Volunteer"), incident, by=coordinator())
    reauthenticated(client, make_staff(role))

    refused = client.post(reverse("dispatch:close_deployment", args=[offer.pk]))

    assert refused.status_code == 403
    assert fresh(offer).left_at is None
