"""Done when: a text, a web report and a call about one place and hour make one incident."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.channels.models import InboundMessage
from amparo.incidents.models import Incident, Report, ReportSource
from amparo.intake.tests.test_views import (
    CLIENT_A,
    OPERATOR_URL,
    REPORT_URL,
    operator_data,
    report_data,
)
from amparo.intake.tests.texts import OTHER_PHONE, PHONE, contact_of, text_in
from amparo.places.models import Town

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns() -> dict[str, Town]:
    return {
        name: Town.objects.create(
            name=name, state="CT", latitude=Decimal(latitude), longitude=Decimal(longitude)
        )
        for name, latitude, longitude in [
            ("Hartford", "41.76371", "-72.68509"),
            ("Stamford", "41.05343", "-73.53873"),
        ]
    }


def test_a_text_a_web_report_and_a_call_about_one_place_make_one_incident(
    client: Client, towns: dict[str, Town]
) -> None:
    text_in("Hay agentes de ICE en la calle Park en Hartford ahora", phone=PHONE)
    client.post(REPORT_URL, report_data(towns["Hartford"]), REMOTE_ADDR=CLIENT_A)
    client.force_login(make_staff(Role.OPERATOR))
    client.post(OPERATOR_URL, operator_data(towns["Hartford"]))

    reports = list(Report.objects.order_by("received_at"))
    assert [report.source for report in reports] == [
        ReportSource.SMS,
        ReportSource.WEB,
        ReportSource.OPERATOR,
    ]
    assert len({report.incident_id for report in reports}) == 1
    incident = Incident.objects.get()
    assert incident.town == towns["Hartford"] and incident.report_count == 3
    texted = reports[0]
    assert texted.reporter == contact_of(PHONE) and texted.inbound == InboundMessage.objects.get()


def test_a_text_about_another_town_opens_another_incident(towns: dict[str, Town]) -> None:
    text_in("ICE agents at the corner in Hartford", phone=PHONE)
    text_in("Gen ajan ICE nan Stamford kounye a", phone=OTHER_PHONE)

    assert Incident.objects.count() == 2
    assert {incident.town.name for incident in Incident.objects.all() if incident.town} == {
        "Hartford",
        "Stamford",
    }


def test_a_text_with_no_place_is_a_report_waiting_to_be_placed_and_reaches_operators(
    towns: dict[str, Town],
) -> None:
    message = text_in("Hello, I need help", phone=PHONE)

    report = Report.objects.get()
    assert report.incident is None and report.inbound == message
    assert message is not None and message.needs_operator


def test_a_number_over_its_report_limit_still_reaches_the_operators_but_not_the_board(
    towns: dict[str, Town], settings
) -> None:
    settings.AMPARO_SMS_REPORT_LIMIT = 2
    for n in range(4):
        text_in(f"ICE in Hartford, van number {n}", phone=PHONE)

    assert Report.objects.count() == 2
    assert InboundMessage.objects.filter(needs_operator=True).count() == 4
    text_in("ICE in Hartford too", phone=OTHER_PHONE)  # another number is not limited
    assert Report.objects.count() == 3
