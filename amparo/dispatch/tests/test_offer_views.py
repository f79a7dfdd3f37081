"""The dispatch page of an incident: coordinators send offers, operators follow them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.channels.models import Lane, OutboundMessage
from amparo.dispatch import actions
from amparo.dispatch.models import Offer, OfferStatus
from amparo.dispatch.tests.test_offers import an_incident, responder_near

pytestmark = pytest.mark.django_db


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    reauthenticated(client, user)
    return user


def page(incident_id: object) -> str:
    return reverse("dispatch:incident_offers", args=[incident_id])


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
