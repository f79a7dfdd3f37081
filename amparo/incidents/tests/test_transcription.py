"""A voicemail report: an operator listens, writes down what it says, and it finds its place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.incidents.actions import submit_report, transcribe_report
from amparo.incidents.errors import IncidentsError
from amparo.incidents.models import Report
from amparo.intake.actions import receive_voicemail
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

UNPLACED = "/staff/incidents/unplaced/"


@pytest.fixture
def hartford() -> Town:
    return Town.objects.create(
        name="Hartford", state="CT", latitude=Decimal("41.76371"), longitude=Decimal("-72.68509")
    )


def voicemail_report(phone: str = "+18605550142") -> Report:
    message = receive_voicemail(
        channel="voice",
        provider_id=f"RE{len(phone)}{phone[-4:]}",
        from_phone=phone,
        recording_url="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        duration_seconds=20,
    )
    assert message is not None
    return Report.objects.get(inbound=message)


def test_an_operator_transcribes_a_voicemail_and_it_is_audited() -> None:
    operator = make_staff(Role.OPERATOR)
    report = voicemail_report()

    transcribe_report(report=report, text="  Hay dos camionetas en la calle Park  ", by=operator)

    report.refresh_from_db()
    assert report.text == "Hay dos camionetas en la calle Park"
    assert AuditEvent.objects.filter(action="incidents.report_transcribe").count() == 1


def test_only_a_voicemail_is_transcribed() -> None:
    report = submit_report(source="web", text="agents at the corner")

    with pytest.raises(IncidentsError):
        transcribe_report(report=report, text="something else", by=make_staff(Role.OPERATOR))


def test_a_responder_may_not_transcribe() -> None:
    with pytest.raises(IncidentsError):
        transcribe_report(report=voicemail_report(), text="x", by=make_staff(Role.RESPONDER))


def test_the_unplaced_page_links_the_recording_and_asks_for_a_transcription(
    client: Client,
) -> None:
    report = voicemail_report()
    client.force_login(make_staff(Role.OPERATOR))

    page = client.get(UNPLACED).content.decode()

    assert reverse("channels:conversation", args=[report.reporter_id]) in page
    assert f'name="{report.pk}-transcript"' in page


def test_a_transcription_naming_a_town_places_the_voicemail(client: Client, hartford: Town) -> None:
    report = voicemail_report()
    client.force_login(make_staff(Role.OPERATOR))

    client.post(
        reverse("incidents:place_report", args=[report.pk]),
        {f"{report.pk}-transcript": "ICE agents knocking on doors in Hartford"},
    )

    report.refresh_from_db()
    assert report.text == "ICE agents knocking on doors in Hartford"
    assert report.incident is not None and report.incident.town == hartford


def test_a_transcription_without_a_place_is_kept_and_the_report_waits(client: Client) -> None:
    report = voicemail_report()
    client.force_login(make_staff(Role.OPERATOR))

    response = client.post(
        reverse("incidents:place_report", args=[report.pk]),
        {f"{report.pk}-transcript": "they took my brother, please call me"},
        follow=True,
    )

    report.refresh_from_db()
    assert report.text == "they took my brother, please call me" and report.incident is None
    assert "still needs a place" in response.content.decode()
