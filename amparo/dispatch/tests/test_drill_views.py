"""The drill pages: coordinators start one, read its report and end it; others are refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage
from amparo.dispatch import actions
from amparo.dispatch.models import Drill, Offer, OfferStatus, Responder, Skill
from amparo.dispatch.tests.factories import next_phone
from amparo.dispatch.views.drills import duration
from amparo.incidents.tests.factories import make_gazetteer
from amparo.places.models import Town

pytestmark = pytest.mark.django_db


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    reauthenticated(client, user)
    return user


def volunteer(name: str, town: Town | None = None, *skills: str) -> Responder:
    return actions.add_responder(
        by=None, display_name=name, phone=next_phone(), skills=skills, home_town=town
    )


def urls(drill_id: uuid.UUID) -> list[tuple[str, str]]:
    return [
        ("get", reverse("dispatch:drills")),
        ("post", reverse("dispatch:start_drill")),
        ("get", reverse("dispatch:drill", args=[drill_id])),
        ("post", reverse("dispatch:end_drill", args=[drill_id])),
    ]


@pytest.mark.parametrize(
    "role", [Role.OPERATOR, Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN]
)
def test_other_roles_are_refused_every_drill_page(client: Client, role: Role) -> None:
    volunteer("Invented Rosa")
    drill = actions.start_drill(by=make_staff(Role.COORDINATOR))
    signed_in(client, role)

    for method, url in urls(drill.pk):
        assert getattr(client, method)(url).status_code == 403, url

    drill.refresh_from_db()
    assert drill.ended_at is None and Drill.objects.count() == 1
    assert not AuditEvent.objects.filter(action__in=["dispatch.drills_view", "dispatch.drill_view"])


def test_someone_signed_out_is_sent_to_sign_in(client: Client) -> None:
    volunteer("Invented Rosa")
    drill = actions.start_drill(by=make_staff(Role.COORDINATOR))

    for method, url in urls(drill.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert Drill.objects.count() == 1


def test_a_coordinator_starts_a_drill_reads_its_report_and_ends_it(client: Client) -> None:
    towns = make_gazetteer()
    goes = volunteer("Invented Rosa Quintero", towns["Hartford"], Skill.VERIFIER)
    silent = volunteer("Invented Jean Baptiste", towns["Hartford"], Skill.VERIFIER)
    volunteer("Invented Far Away", towns["Stamford"], Skill.VERIFIER)
    volunteer("Invented Driver", towns["Hartford"], Skill.DRIVER)
    signed_in(client, Role.COORDINATOR)

    with translation.override("en"):
        listed = client.get(reverse("dispatch:drills"))
        assert listed.status_code == 200
        assert "No drill yet." in listed.content.decode()

        started = client.post(
            reverse("dispatch:start_drill"),
            {"town": str(towns["Hartford"].pk), "skill": Skill.VERIFIER},
        )

        drill = Drill.objects.get()
        assert started.status_code == 302
        assert started["Location"] == reverse("dispatch:drill", args=[drill.pk])
        assert drill.town == towns["Hartford"] and drill.skill == Skill.VERIFIER
        offers = Offer.objects.filter(drill=drill)
        assert {o.responder_id for o in offers} == {goes.pk, silent.pk}
        assert OutboundMessage.objects.count() == 2
        actions.answer_drill_offer(offer=offers.get(responder=goes), accept=True)

        report = client.get(started["Location"])
        body = report.content.decode()
        assert report.status_code == 200
        assert "Invented Rosa Quintero" in body and "Invented Jean Baptiste" in body
        assert "Invented Far Away" not in body
        assert "would go" in body and "no answer yet" in body and "End the drill" in body
        assert AuditEvent.objects.filter(action="dispatch.drill_view").count() == 1

        ended = client.post(reverse("dispatch:end_drill", args=[drill.pk]), follow=True)

        drill.refresh_from_db()
        assert drill.ended_at is not None
        assert offers.get(responder=silent).status == OfferStatus.EXPIRED
        assert "Drill ended." in ended.content.decode()
        assert "End the drill" not in ended.content.decode()
        after = client.get(reverse("dispatch:drills")).content.decode()
        assert reverse("dispatch:drill", args=[drill.pk]) in after and "ended" in after


def test_a_drill_nobody_can_be_texted_comes_back_as_an_error(client: Client) -> None:
    volunteer("Invented Rosa", None, Skill.VERIFIER)
    signed_in(client, Role.COORDINATOR)

    with translation.override("en"):
        nobody = client.post(reverse("dispatch:start_drill"), {"skill": Skill.ATTORNEY})
        unknown = client.post(reverse("dispatch:start_drill"), {"skill": "astronaut"})

    assert nobody.status_code == 400 and "Nobody on the roster" in nobody.content.decode()
    assert unknown.status_code == 400
    assert not Drill.objects.exists() and not OutboundMessage.objects.exists()


def test_the_roster_links_to_the_drills(client: Client) -> None:
    signed_in(client, Role.COORDINATOR)

    roster = client.get(reverse("dispatch:roster"))

    assert reverse("dispatch:drills") in roster.content.decode()


def test_the_pages_cost_the_same_queries_whatever_the_number_of_drills_and_offers(
    client: Client,
) -> None:
    make_gazetteer()
    boss = signed_in(client, Role.COORDINATOR)
    volunteer("Invented 0", None, Skill.VERIFIER)
    first = actions.start_drill(by=boss)
    client.get(reverse("dispatch:drills"))  # the session's first touch writes it
    with CaptureQueriesContext(connection) as one_list:
        client.get(reverse("dispatch:drills"))
    with CaptureQueriesContext(connection) as one_report:
        client.get(reverse("dispatch:drill", args=[first.pk]))
    for n in range(1, 5):
        volunteer(f"Invented {n}", None, Skill.VERIFIER, Skill.DRIVER)
    latest = actions.start_drill(by=boss)
    actions.start_drill(by=boss)
    with CaptureQueriesContext(connection) as three_lists:
        client.get(reverse("dispatch:drills"))
    with CaptureQueriesContext(connection) as five_report:
        client.get(reverse("dispatch:drill", args=[latest.pk]))

    assert len(three_lists) == len(one_list)
    assert len(five_report) == len(one_report)


def test_answer_times_read_as_minutes_and_seconds() -> None:
    with translation.override("en"):
        assert duration(dt.timedelta(seconds=125)) == "2 min 05 s"
        assert duration(dt.timedelta(minutes=12)) == "12 min 00 s"
        assert duration(None) == ""
