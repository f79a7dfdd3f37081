"""The dispatch page of an incident: coordinators send offers, operators follow them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.channels.models import Lane, OutboundMessage
from amparo.dispatch import actions
from amparo.dispatch.models import FieldReportKind, Offer, OfferStatus
from amparo.dispatch.tests.test_offers import an_incident, responder_near
from amparo.incidents.models import Incident

pytestmark = pytest.mark.django_db


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    reauthenticated(client, user)
    return user


def page(incident_id: object) -> str:
    return reverse("dispatch:incident_offers", args=[incident_id])


def rows(incident_id: object) -> str:
    return reverse("dispatch:incident_offers_rows", args=[incident_id])


def send(incident_id: object) -> str:
    return reverse("dispatch:send_offers", args=[incident_id])


def test_a_coordinator_sees_who_to_send_and_sends_offers(client: Client) -> None:
    incident = an_incident()
    near = responder_near("Invented Near Rosa", km_away=1)
    far = responder_near("Invented Far Jean", km_away=4)
    signed_in(client, Role.COORDINATOR)

    shown = client.get(page(incident.pk))
    assert shown.status_code == 200
    body = shown.content.decode()
    assert body.index("Invented Near Rosa") < body.index("Invented Far Jean")
    assert AuditEvent.objects.filter(action="dispatch.offers_view").count() == 1

    sent = client.post(
        send(incident.pk), {"responders": [str(near.pk), str(far.pk)], "wanted": "1"}
    )

    assert sent.status_code == 302
    assert set(Offer.objects.values_list("responder_id", flat=True)) == {near.pk, far.pk}
    assert set(Offer.objects.values_list("wanted", flat=True)) == {1}
    assert OutboundMessage.objects.filter(lane=Lane.DISPATCH).count() == 2
    after = client.get(page(incident.pk)).content.decode()
    assert "offered" in after and "Nobody else on call" in after


def test_an_operator_follows_the_offers_without_names_and_cannot_send(client: Client) -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa Quintero")
    boss = make_staff(Role.COORDINATOR)
    (offer,) = actions.offer_dispatch(incident=incident, responders=[responder], by=boss)
    actions.answer_offer(offer=offer, accept=True)
    signed_in(client, Role.OPERATOR)

    shown = client.get(page(incident.pk))

    assert shown.status_code == 200
    body = shown.content.decode()
    assert "accepted" in body and offer.code in body
    assert "Invented" not in body and "offer-form" not in body
    refused = client.post(send(incident.pk), {"responders": [str(responder.pk)], "wanted": "1"})
    assert refused.status_code == 403
    assert Offer.objects.get().status == OfferStatus.ACCEPTED


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN])
def test_other_roles_are_refused(client: Client, role: Role) -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    signed_in(client, role)

    assert client.get(page(incident.pk)).status_code == 403
    posted = client.post(send(incident.pk), {"responders": [str(responder.pk)], "wanted": "1"})
    assert posted.status_code == 403
    assert client.get(rows(incident.pk)).status_code == 403
    assert not Offer.objects.exists()


def test_the_incident_page_links_to_its_dispatch(client: Client) -> None:
    incident = an_incident()
    signed_in(client, Role.OPERATOR)

    shown = client.get(reverse("incidents:incident", args=[incident.pk]))

    assert page(incident.pk) in shown.content.decode()


def test_a_refused_offer_comes_back_as_a_message(client: Client) -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    boss = signed_in(client, Role.COORDINATOR)
    actions.offer_dispatch(incident=incident, responders=[responder], by=boss)

    again = client.post(
        send(incident.pk), {"responders": [str(responder.pk)], "wanted": "2"}, follow=True
    )

    assert "None of these responders" in again.content.decode()
    assert Offer.objects.count() == 1


def test_the_page_costs_the_same_queries_whatever_the_number_of_offers(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = an_incident()
    boss = signed_in(client, Role.COORDINATOR)
    first = responder_near("Invented 0")
    actions.offer_dispatch(incident=incident, responders=[first], by=boss)
    client.get(page(incident.pk))  # the session's first touch writes it
    with CaptureQueriesContext(connection) as one:
        client.get(page(incident.pk))
    others = [responder_near(f"Invented {n}") for n in range(1, 5)]
    actions.offer_dispatch(incident=incident, responders=others, by=boss)
    with CaptureQueriesContext(connection) as five:
        client.get(page(incident.pk))

    assert len(five) == len(one)


# --- the live page -----------------------------------------------------------------


def on_scene(incident: Incident, boss: User) -> Offer:
    """An accepted offer whose responder arrived, reported, then missed a check-in."""
    responder = responder_near("Invented Rosa Quintero")
    (offer,) = actions.offer_dispatch(incident=incident, responders=[responder], by=boss)
    actions.answer_offer(offer=offer, accept=True)
    arrived = timezone.now() - dt.timedelta(minutes=40)
    actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED, now=arrived)
    actions.report_from_scene(
        offer=offer,
        kind=FieldReportKind.CONFIRM,
        note="two vans, Invented Agent Smith at the door",
        now=arrived + dt.timedelta(minutes=1),
    )
    actions.alert_missed_checkins()
    offer.refresh_from_db()
    assert offer.checkin_alert_at is not None
    return offer


def test_the_rows_alone_come_marked_for_the_script_and_show_a_new_accept(client: Client) -> None:
    incident = an_incident()
    responder = responder_near("Invented Rosa")
    boss = signed_in(client, Role.COORDINATOR)
    (offer,) = actions.offer_dispatch(incident=incident, responders=[responder], by=boss)
    client.get(page(incident.pk))

    before = client.get(rows(incident.pk))
    actions.answer_offer(offer=offer, accept=True)
    after = client.get(rows(incident.pk))

    assert before["X-Live-Rows"] == "1" and after["X-Live-Rows"] == "1"
    assert '<td class="status">offered</td>' in before.content.decode()
    body = after.content.decode()
    assert '<td class="status">accepted</td>' in body and "Invented Rosa" in body
    assert "<html" not in body and "offer-form" not in body


def test_the_live_refresh_is_audited_once_in_a_while_not_every_time(client: Client) -> None:
    incident = an_incident()
    signed_in(client, Role.COORDINATOR)

    for _ in range(3):
        assert client.get(rows(incident.pk)).status_code == 200

    assert AuditEvent.objects.filter(action="dispatch.offers_refresh").count() == 1


def test_a_coordinator_sees_the_scene_the_reports_and_the_missed_check_in(client: Client) -> None:
    incident = an_incident()
    boss = signed_in(client, Role.COORDINATOR)
    offer = on_scene(incident, boss)

    body = client.get(page(incident.pk)).content.decode()

    assert "Missed check-in" in body
    assert "arrived" in body and "confirms the report" in body
    assert "a coordinator decides" in body  # the confirmation waits for them
    assert "Invented Agent Smith at the door" in body  # the note, for coordinators
    assert reverse("dispatch:close_deployment", args=[offer.pk]) in body


def test_an_operator_sees_the_scene_without_names_notes_or_buttons(client: Client) -> None:
    incident = an_incident()
    offer = on_scene(incident, make_staff(Role.COORDINATOR))
    signed_in(client, Role.OPERATOR)

    for response in (client.get(page(incident.pk)), client.get(rows(incident.pk))):
        body = response.content.decode()
        assert "Missed check-in" in body and "confirms the report" in body
        assert "Invented" not in body and "vans" not in body
        assert reverse("dispatch:close_deployment", args=[offer.pk]) not in body


def test_safe_and_left_closes_the_deployment_and_the_button_goes(client: Client) -> None:
    incident = an_incident()
    boss = signed_in(client, Role.COORDINATOR)
    offer = on_scene(incident, boss)
    close = reverse("dispatch:close_deployment", args=[offer.pk])

    done = client.post(close, follow=True)

    offer.refresh_from_db()
    assert offer.left_at is not None
    body = done.content.decode()
    assert close not in body and "Missed check-in" not in body


def test_the_rows_cost_the_same_queries_whatever_the_offers_and_reports(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    incident = an_incident()
    boss = signed_in(client, Role.COORDINATOR)
    on_scene(incident, boss)
    client.get(rows(incident.pk))  # the session's first touch and the refresh's audit
    with CaptureQueriesContext(connection) as one:
        client.get(rows(incident.pk))
    others = [responder_near(f"Invented {n}") for n in range(3)]
    for offer in actions.offer_dispatch(incident=incident, responders=others, by=boss, wanted=4):
        actions.answer_offer(offer=offer, accept=True)
        actions.report_from_scene(offer=offer, kind=FieldReportKind.ARRIVED)
    with CaptureQueriesContext(connection) as four:
        body = client.get(rows(incident.pk)).content.decode()
    assert body.count("<li>") == 2 + 3
    assert len(four) == len(one)
