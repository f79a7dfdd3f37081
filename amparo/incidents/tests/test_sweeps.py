from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from amparo.channels.tests.inbox_factories import make_inbound
from amparo.core.worker import registered_sweeps
from amparo.incidents.actions import confirm_incident, start_verifying, submit_report
from amparo.incidents.models import (
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
    Outcome,
    Report,
    ReportPhoto,
)
from amparo.incidents.sweeps import expire_unverified, purge_old_reports
from amparo.incidents.tests.factories import (
    SCHOOL,
    STAMFORD,
    coordinator,
    make_gazetteer,
    new_contact,
    operator,
    pin,
    texted,
)

pytestmark = pytest.mark.django_db

HOURS = dt.timedelta(hours=1)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_both_sweeps_are_registered_with_the_worker() -> None:
    names = {sweep.name for sweep in registered_sweeps()}
    assert {"incidents.expire", "incidents.purge_reports"} <= names


# --- expiry --------------------------------------------------------------------------


def test_unverified_incidents_expire_on_schedule_and_the_system_says_so() -> None:
    make_gazetteer()
    now = timezone.now()
    stale = texted(received_at=now - 6 * HOURS - dt.timedelta(minutes=1)).incident
    recent = texted(STAMFORD, received_at=now - 5 * HOURS).incident
    assert stale is not None and recent is not None

    assert expire_unverified() == 1
    expired = Incident.objects.get(pk=stale.pk)
    assert (expired.state, expired.outcome, expired.expires_at) == (
        IncidentState.UNCONFIRMED,
        Outcome.UNCONFIRMED,
        None,
    )
    event = IncidentEvent.objects.get(incident=stale, kind=EventKind.STATE)
    assert (event.by, event.from_state, event.to_state) == (None, "reported", "unconfirmed")
    assert Incident.objects.get(pk=recent.pk).state == IncidentState.REPORTED
    assert expire_unverified() == 0  # idempotent


def test_an_incident_being_verified_expires_too_but_a_verdict_never_does() -> None:
    make_gazetteer()
    boss = coordinator()
    long_ago = timezone.now() - 7 * HOURS
    checking = texted(received_at=long_ago).incident
    decided = texted(STAMFORD, received_at=long_ago).incident
    assert checking is not None and decided is not None
    start_verifying(incident=checking, by=operator())
    confirm_incident(incident=decided, by=boss, note="seen", responder_on_site=True)
    assert expire_unverified() == 1
    assert Incident.objects.get(pk=checking.pk).state == IncidentState.UNCONFIRMED
    assert Incident.objects.get(pk=decided.pk).state == IncidentState.CONFIRMED


@override_settings(AMPARO_INCIDENT_TTL_HOURS=2)
def test_the_ttl_is_a_setting() -> None:
    make_gazetteer()
    texted(received_at=timezone.now() - 3 * HOURS)
    assert expire_unverified() == 1


def test_a_new_report_pushes_the_expiry_back() -> None:
    make_gazetteer()
    now = timezone.now()
    incident = texted(received_at=now - 6 * HOURS - dt.timedelta(minutes=5)).incident
    Incident.objects.filter(pk=incident.pk).update(
        last_report_at=now - 90 * dt.timedelta(minutes=1)
    )
    texted(received_at=now - HOURS)  # joins: its last report is within the window
    assert expire_unverified() == 0


def test_expiry_works_in_batches_until_nothing_is_due() -> None:
    from amparo.incidents import sweeps

    make_gazetteer()
    long_ago = timezone.now() - 7 * HOURS
    for n in range(3):
        texted((SCHOOL[0] + 0.05 * n, SCHOOL[1]), received_at=long_ago)
    original, sweeps.BATCH = sweeps.BATCH, 2
    try:
        assert [expire_unverified() for _ in range(3)] == [2, 1, 0]
    finally:
        sweeps.BATCH = original


def test_after_the_retention_sweep_the_tables_hold_no_words_place_photo_or_number() -> None:
    make_gazetteer()
    contact = new_contact()
    month_ago = timezone.now() - dt.timedelta(days=31)
    old = submit_report(
        source="sms",
        text="hay agentes en la casa azul de la calle Zebra",
        where="calle Zebra 12",
        place=pin(*SCHOOL),
        details={"plates": "INV 123"},
        photos=[jpeg()],
        reporter=contact,
        inbound=make_inbound(contact, "hay agentes en la casa azul", received_at=month_ago),
        agency="ice",
        agents_count=5,
        received_at=month_ago,
    )
    young = texted(
        STAMFORD,
        text="agents near the Zebra bakery",
        received_at=timezone.now() - dt.timedelta(days=29),
    )
    incident_before = Incident.objects.get(pk=old.incident_id)

    assert purge_old_reports() == 1
    assert purge_old_reports() == 0  # idempotent

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_id, inbound_id, location, details, purged_at FROM incidents_report"
            " WHERE id = %s",
            [old.pk.hex],
        )
        reporter_id, inbound_id, location, details, purged_at = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM incidents_reportphoto")
        (photos,) = cursor.fetchone()
    assert (reporter_id, inbound_id, location, details) == (None, None, None, None)
    assert purged_at is not None
    assert photos == 0
    purged = Report.objects.get(pk=old.pk)
    assert (purged.text, purged.where, purged.location, purged.details) == ("", "", None, None)
    assert not ReportPhoto.objects.filter(report=old).exists()
    # the anonymous facts stay, on the report and on the incident
    assert (purged.agency, purged.agents_count, purged.incident_id) == ("ice", 5, old.incident_id)
    incident = Incident.objects.get(pk=old.incident_id)
    assert (incident.agency, incident.agents_max, incident.town_id) == (
        incident_before.agency,
        5,
        incident_before.town_id,
    )
    assert Report.objects.get(pk=young.pk).text == "agents near the Zebra bakery"


@override_settings(AMPARO_REPORT_RETENTION_DAYS=7)
def test_the_retention_is_a_setting_and_the_timeline_keeps_staff_notes() -> None:
    from amparo.incidents.actions import add_note

    make_gazetteer()
    report = texted(received_at=timezone.now() - dt.timedelta(days=8))
    assert report.incident is not None
    add_note(incident=report.incident, by=operator(), note="responder Ana called back")
    assert purge_old_reports() == 1
    note = IncidentEvent.objects.get(incident=report.incident, kind=EventKind.NOTE)
    assert note.note == "responder Ana called back"
    assert (
        IncidentEvent.objects.get(incident=report.incident, kind=EventKind.REPORT).report_id
        == report.pk
    )


def test_the_purge_works_in_batches() -> None:
    from amparo.incidents import sweeps

    make_gazetteer()
    for _ in range(3):
        texted(received_at=timezone.now() - dt.timedelta(days=40))
    original, sweeps.BATCH = sweeps.BATCH, 2
    try:
        assert [purge_old_reports() for _ in range(3)] == [2, 1, 0]
    finally:
        sweeps.BATCH = original
    assert Report.objects.filter(purged_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_two_workers_sweeping_at_once_expire_and_purge_each_row_once() -> None:
    make_gazetteer()
    long_ago = timezone.now() - dt.timedelta(days=40)
    for n in range(12):
        texted((SCHOOL[0] + 0.05 * n, SCHOOL[1]), received_at=long_ago)
    handled: list[tuple[int, int]] = []

    def worker() -> None:
        try:
            handled.append((expire_unverified(), purge_old_reports()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(expired for expired, _ in handled) == 12
    assert sum(purged for _, purged in handled) == 12
    assert IncidentEvent.objects.filter(kind=EventKind.STATE).count() == 12
    assert not Report.objects.filter(purged_at=None).exists()


def test_an_incident_keeps_its_exact_point_until_its_last_report_is_purged() -> None:
    make_gazetteer()
    month_ago = timezone.now() - dt.timedelta(days=31)
    home = (41.75123, -72.70456)  # a pin at a house: private
    old = submit_report(source="operator", text="at a house", place=pin(*home))
    young = submit_report(source="operator", text="still there", place=pin(*home))
    incident = old.incident
    assert incident is not None and incident.location is not None
    assert young.incident == incident
    Report.objects.filter(pk=old.pk).update(received_at=month_ago)

    purge_old_reports()
    incident.refresh_from_db()
    assert incident.location is not None  # the young report still needs it

    Report.objects.filter(pk=young.pk).update(received_at=month_ago)
    purge_old_reports()
    incident.refresh_from_db()
    assert incident.location is None
    assert incident.coarse_latitude is not None and incident.coarse_longitude is not None
