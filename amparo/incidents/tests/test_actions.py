from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from amparo.audit.models import AuditEvent
from amparo.incidents import actions
from amparo.incidents.errors import IncidentsError
from amparo.incidents.models import (
    ConfirmationBasis,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
    Outcome,
    Report,
    ReportPhoto,
)
from amparo.incidents.tests.factories import (
    HARTFORD,
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


def fresh(incident: Incident | None) -> Incident:
    assert incident is not None
    return Incident.objects.get(pk=incident.pk)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


def audited(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


# --- submitting reports ------------------------------------------------------------


def test_the_same_number_texting_three_times_counts_as_one_reporter() -> None:
    make_gazetteer()
    contact = new_contact()
    for _ in range(3):
        report = texted(reporter=contact)
    incident = fresh(report.incident)
    assert (incident.report_count, incident.reporter_count) == (3, 1)


def test_a_report_naming_police_flags_the_incident_and_says_so_on_the_timeline() -> None:
    make_gazetteer()
    first = texted(agency="ice")
    second = texted(agency="police")
    texted(agency="police")
    incident = fresh(first.incident)
    assert incident.police_involved and incident.agency == "ice"
    police = IncidentEvent.objects.filter(incident=incident, kind=EventKind.POLICE)
    assert [event.report_id for event in police] == [second.pk]


def test_facts_grow_with_reports_and_never_shrink() -> None:
    make_gazetteer()
    first = texted(place_kind="home", agents_count=4, someone_taken=True)
    texted(place_kind="street", agents_count=2, someone_taken=False, agency="other")
    texted(agents_count=7, agency="police")
    incident = fresh(first.incident)
    assert incident.place_kind == "home"
    assert incident.agents_max == 7
    assert incident.someone_taken is True
    assert incident.agency == "other" and incident.police_involved


def test_an_unverified_incident_expires_a_ttl_after_its_last_report() -> None:
    make_gazetteer()
    now = timezone.now()
    first = texted(received_at=now - dt.timedelta(minutes=30))
    texted(received_at=now)
    incident = fresh(first.incident)
    assert incident.last_report_at == now
    assert incident.expires_at == now + dt.timedelta(hours=6)


def test_photos_are_kept_without_metadata_and_a_non_image_stores_nothing() -> None:
    make_gazetteer()
    report = texted(photos=[jpeg()])
    photo = ReportPhoto.objects.get(report=report)
    assert photo.content_type == "image/jpeg"
    with pytest.raises(IncidentsError):
        texted(photos=[jpeg(), b"%PDF-1.7 not a photo"])
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "field, value",
    [("source", "fax"), ("agency", "fbi"), ("warrant", "maybe"), ("place_kind", "moon")],
)
def test_values_outside_the_choices_are_refused(field: str, value: str) -> None:
    make_gazetteer()
    fields = {"source": "sms", field: value}
    with pytest.raises(IncidentsError):
        actions.submit_report(text="x", place=pin(*SCHOOL), **fields)  # type: ignore[arg-type]


def test_the_words_and_place_of_a_report_are_sealed_in_the_database() -> None:
    make_gazetteer()
    report = texted(text="agents at the blue house on Zebra Lane", where="Zebra Lane")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM incidents_report WHERE id = %s", [report.pk.hex])
        row = cursor.fetchone()
    raw = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    assert b"Zebra" not in raw and b"41.74" not in raw


def test_an_operator_report_is_audited_as_the_operators_act_and_a_text_is_not() -> None:
    make_gazetteer()
    staff = operator()
    report = actions.submit_report(
        source="operator", text="caller saw vans", place=pin(*SCHOOL), taken_by=staff
    )
    texted()
    events = audited("incidents.report_submit")
    assert [(e.actor_id, e.target_id) for e in events] == [(staff.pk, str(report.pk))]
    assert fresh(report.incident).reporter_count == 2


def test_a_report_with_no_place_is_placed_later_by_an_operator_and_joins_the_incident() -> None:
    make_gazetteer()
    first = texted()
    waiting = actions.submit_report(source="sms", text="they are here", reporter=new_contact())
    assert waiting.incident is None
    staff = operator()
    placed = actions.place_report(report=waiting, place=pin(*SCHOOL), by=staff)
    assert placed.incident == first.incident
    assert fresh(first.incident).report_count == 2
    assert audited("incidents.report_place")[0].actor_id == staff.pk
    with pytest.raises(IncidentsError, match="already belongs"):
        actions.place_report(report=placed, place=pin(*STAMFORD), by=staff)


def test_placing_a_report_needs_an_operator_or_coordinator() -> None:
    from amparo.accounts.models import Role
    from amparo.accounts.tests.factories import make_staff

    make_gazetteer()
    waiting = actions.submit_report(source="web", text="somewhere")
    for role in (Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN):
        with pytest.raises(IncidentsError):
            actions.place_report(
                report=waiting, place=pin(*SCHOOL), by=make_staff(role, second_factor=False)
            )


# --- decisions ---------------------------------------------------------------------


def test_confirming_needs_a_responder_or_three_distinct_reporters() -> None:
    make_gazetteer()
    boss = coordinator()
    same = new_contact()
    incident = texted(reporter=same).incident
    texted(reporter=same)
    texted()
    with pytest.raises(IncidentsError, match="at least 3"):
        actions.confirm_incident(
            incident=fresh(incident), by=boss, note="two callers", responder_on_site=False
        )
    texted()
    confirmed = actions.confirm_incident(
        incident=fresh(incident), by=boss, note="three callers agree", responder_on_site=False
    )
    assert confirmed.state == IncidentState.CONFIRMED and confirmed.outcome == Outcome.CONFIRMED
    assert confirmed.decided_at is not None and confirmed.expires_at is None
    event = IncidentEvent.objects.get(incident=incident, kind=EventKind.STATE)
    assert (event.by, event.basis, event.note) == (
        boss,
        ConfirmationBasis.REPORTERS,
        "three callers agree",
    )
    assert (event.from_state, event.to_state) == (IncidentState.REPORTED, IncidentState.CONFIRMED)


@override_settings(AMPARO_CONFIRM_MIN_REPORTERS=2)
def test_the_reporter_threshold_is_a_setting() -> None:
    make_gazetteer()
    incident = texted().incident
    texted()
    done = actions.confirm_incident(
        incident=fresh(incident), by=coordinator(), note="both saw it", responder_on_site=False
    )
    assert done.state == IncidentState.CONFIRMED


def test_a_responder_on_site_confirms_alone_and_the_event_says_so() -> None:
    make_gazetteer()
    boss = coordinator()
    incident = texted().incident
    actions.start_verifying(incident=fresh(incident), by=operator(), note="Ana is on her way")
    actions.confirm_incident(
        incident=fresh(incident), by=boss, note="Ana saw two ICE vans", responder_on_site=True
    )
    kinds = list(
        IncidentEvent.objects.filter(incident=incident, kind=EventKind.STATE).values_list(
            "to_state", "basis"
        )
    )
    assert kinds == [("verifying", ""), ("confirmed", "responder")]
    assert [e.action for e in AuditEvent.objects.filter(target_id=str(incident.pk))] == [
        "incidents.incident_verify",
        "incidents.incident_confirm",
    ]


@pytest.mark.parametrize("note", ["", "   "])
def test_a_verdict_without_a_reason_is_refused(note: str) -> None:
    make_gazetteer()
    incident = fresh(texted().incident)
    with pytest.raises(IncidentsError, match="Say why"):
        actions.mark_false_alarm(incident=incident, by=coordinator(), note=note)
    with pytest.raises(IncidentsError, match="Say why"):
        actions.confirm_incident(
            incident=incident, by=coordinator(), note=note, responder_on_site=True
        )


def test_an_operator_may_verify_and_note_but_not_decide() -> None:
    make_gazetteer()
    staff = operator()
    incident = fresh(texted().incident)
    actions.start_verifying(incident=incident, by=staff)
    actions.add_note(incident=incident, by=staff, note="caller will send a photo")
    with pytest.raises(IncidentsError, match="role"):
        actions.confirm_incident(incident=incident, by=staff, note="sure", responder_on_site=True)
    with pytest.raises(IncidentsError, match="role"):
        actions.mark_false_alarm(incident=incident, by=staff, note="no")
    with pytest.raises(IncidentsError, match="role"):
        actions.close_incident(incident=incident, by=staff)
    assert fresh(incident).state == IncidentState.VERIFYING


def test_a_false_alarm_then_closed_keeps_who_when_and_why() -> None:
    make_gazetteer()
    boss = coordinator()
    incident = fresh(texted().incident)
    actions.mark_false_alarm(incident=incident, by=boss, note="a film crew in costume")
    closed = actions.close_incident(incident=incident, by=boss, note="debunk sent")
    assert closed.outcome == Outcome.FALSE_ALARM
    timeline = list(IncidentEvent.objects.filter(incident=incident).order_by("at"))
    assert [(e.kind, e.to_state) for e in timeline] == [
        ("report", ""),
        ("state", "false-alarm"),
        ("state", "closed"),
    ]
    assert all(e.by == boss for e in timeline[1:])
    assert timeline[1].note == "a film crew in costume"


def test_notes_are_sealed_and_refused_on_a_closed_incident() -> None:
    make_gazetteer()
    boss = coordinator()
    incident = fresh(texted().incident)
    event = actions.add_note(incident=incident, by=boss, note="neighbour Rosa saw the van")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM incidents_incidentevent WHERE id = %s", [event.pk.hex])
        assert b"Rosa" not in bytes(cursor.fetchone()[0])
    actions.mark_false_alarm(incident=incident, by=boss, note="no van")
    actions.close_incident(incident=incident, by=boss)
    with pytest.raises(IncidentsError, match="closed"):
        actions.add_note(incident=incident, by=boss, note="late")


def test_flagging_police_is_recorded_once() -> None:
    make_gazetteer()
    staff = operator()
    incident = fresh(texted().incident)
    actions.flag_police(incident=incident, by=staff, note="a cruiser blocked the street")
    again = actions.flag_police(incident=incident, by=staff)
    assert again.police_involved
    assert IncidentEvent.objects.filter(incident=incident, kind=EventKind.POLICE).count() == 1
    assert len(audited("incidents.incident_police")) == 1


def test_the_expiry_does_not_undo_a_decision_taken_meanwhile() -> None:
    make_gazetteer()
    incident = fresh(texted(received_at=timezone.now() - dt.timedelta(hours=7)).incident)
    actions.mark_false_alarm(incident=incident, by=coordinator(), note="not them")
    assert actions.expire_incident(incident=incident) is False
    assert fresh(incident).state == IncidentState.FALSE_ALARM


# --- merge and split ---------------------------------------------------------------


def test_merging_moves_the_reports_counts_numbers_once_and_closes_the_other() -> None:
    make_gazetteer()
    boss = coordinator()
    shared = new_contact()
    here = texted(reporter=shared, agents_count=3).incident
    texted()
    there = texted(STAMFORD, reporter=shared, someone_taken=True).incident
    texted(STAMFORD)
    merged = actions.merge_incidents(
        into=fresh(here), other=fresh(there), by=boss, note="same raid, two addresses"
    )
    other = fresh(there)
    assert merged.report_count == 4
    assert merged.reporter_count == 3  # the shared number counts once
    assert merged.someone_taken and merged.agents_max == 3
    assert Report.objects.filter(incident=merged).count() == 4
    assert (other.state, other.merged_into, other.outcome) == (IncidentState.CLOSED, merged, "")
    assert IncidentEvent.objects.get(incident=merged, kind=EventKind.MERGED).other == other
    assert IncidentEvent.objects.get(incident=other, kind=EventKind.MERGED).other == merged
    assert audited("incidents.incident_merge")[0].actor_id == boss.pk


def test_opposite_verdicts_are_never_merged() -> None:
    make_gazetteer()
    boss = coordinator()
    here = fresh(texted().incident)
    there = fresh(texted(STAMFORD).incident)
    actions.confirm_incident(incident=here, by=boss, note="seen", responder_on_site=True)
    actions.mark_false_alarm(incident=there, by=boss, note="not seen")
    with pytest.raises(IncidentsError, match="different verdicts"):
        actions.merge_incidents(into=here, other=there, by=boss, note="same?")
    with pytest.raises(IncidentsError, match="open incident"):
        actions.merge_incidents(into=there, other=here, by=boss, note="same?")
    with pytest.raises(IncidentsError, match="itself"):
        actions.merge_incidents(into=here, other=here, by=boss, note="same?")


def test_splitting_moves_reports_to_a_new_incident_and_recounts_both() -> None:
    make_gazetteer()
    boss = coordinator()
    first = texted(agents_count=2)
    second = texted(agency="police", agents_count=9)
    incident = fresh(first.incident)
    assert incident.police_involved and incident.agents_max == 9
    created = actions.split_incident(
        incident=incident,
        reports=[second],
        by=boss,
        note="the second caller meant the other school",
    )
    left = fresh(incident)
    assert created.state == IncidentState.REPORTED and created.expires_at is not None
    assert (left.report_count, left.reporter_count, left.agents_max) == (1, 1, 2)
    assert not left.police_involved
    assert (created.report_count, created.agents_max, created.police_involved) == (1, 9, True)
    assert Report.objects.get(pk=second.pk).incident == created
    assert IncidentEvent.objects.get(incident=left, kind=EventKind.SPLIT).other == created
    assert IncidentEvent.objects.get(incident=created, kind=EventKind.SPLIT).other == left


def test_a_split_must_leave_a_report_and_move_only_the_incidents_own() -> None:
    make_gazetteer()
    boss = coordinator()
    first = texted()
    elsewhere = texted(STAMFORD)
    incident = fresh(first.incident)
    with pytest.raises(IncidentsError, match="at least one"):
        actions.split_incident(incident=incident, reports=[first], by=boss, note="all")
    with pytest.raises(IncidentsError, match="do not all belong"):
        actions.split_incident(incident=incident, reports=[elsewhere], by=boss, note="other")
    with pytest.raises(IncidentsError, match="Choose"):
        actions.split_incident(incident=incident, reports=[], by=boss, note="none")


def test_numbers_on_web_reports_never_count_as_independent_reporters() -> None:
    make_gazetteer()
    reports = [
        actions.submit_report(
            source="web", text="vans", place=pin(*HARTFORD), reporter=new_contact()
        )
        for _ in range(3)
    ]
    incident = reports[0].incident
    assert incident is not None and all(r.incident == incident for r in reports)
    incident.refresh_from_db()
    assert (incident.report_count, incident.reporter_count) == (3, 0)

    with pytest.raises(IncidentsError):
        actions.confirm_incident(
            incident=incident, by=coordinator(), note="three web reports", responder_on_site=False
        )
