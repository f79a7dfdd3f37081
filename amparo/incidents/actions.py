"""Writes of the incidents app: reports in, incidents out, and every decision on them.

Every decision records who, when and why twice: as an :class:`IncidentEvent`
on the incident's timeline (staff's words sealed in its note) and in the audit
chain (ids and a code only). A report that arrives by itself (a text, the web
form) is on the timeline as added by nobody (the system) and is not audited:
the audit chain records what staff do.

Rules this module keeps (decisions documented here and in ``states.py``):

- **Reporters count once per number.** ``reporter_count`` counts distinct
  phone numbers (contacts), plus reports taken by staff (an operator on a
  call, a responder on site) that carry no number: a person spoke to someone
  we trust. Web reports count in ``report_count`` only, even with a number
  typed in, so a flood through the public form can never reach the
  confirmation threshold.
- **Confirming needs evidence**: a responder on site, or at least
  ``AMPARO_CONFIRM_MIN_REPORTERS`` distinct reporters. The event says which.
- **Facts grow with reports**: the strongest agency named (ICE or CBP over
  "other" over local police; police also set ``police_involved``, for Trust Act
  follow-up), the largest agent count, whether anyone was taken (once yes,
  stays yes), the first known kind of place and town, and the exact centroid
  of the most precise places given (a pin beats a landmark beats a ZIP beats a
  town; equals are averaged). The centroid is sealed; the coarse cell is not.
- **Unverified incidents expire** ``AMPARO_INCIDENT_TTL_HOURS`` after their last
  report (``sweeps.expire_unverified``); a verdict clears the expiry.
- **A report that names no place** is kept with no incident ("needs a place")
  until an operator places it (:func:`place_report`).
- **Merges and splits** need a coordinator and a reason. A merge closes the
  absorbed incident (``merged_into`` set) and moves its reports; two opposite
  verdicts are never merged. A split moves reports into a new incident and
  recounts both; it is refused once any report of the incident was purged,
  since purged reports no longer say where they were.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.accounts.models import Role
from amparo.audit.actions import record_event
from amparo.incidents import clustering
from amparo.incidents.errors import IncidentsError
from amparo.incidents.models import (
    OPEN_STATES,
    Agency,
    ConfirmationBasis,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentState,
    Outcome,
    PlaceKind,
    Report,
    ReportPhoto,
    ReportSource,
    Warrant,
)
from amparo.incidents.photos import strip_metadata
from amparo.incidents.states import MERGEABLE, UNVERIFIED_STATES, allowed
from amparo.places import geo
from amparo.places.lookup import PlaceMatch, locate

if TYPE_CHECKING:
    from amparo.accounts.models import User
    from amparo.channels.models import InboundMessage
    from amparo.contacts.models import Contact
    from amparo.places.models import Town

__all__ = [
    "DECIDE_ROLES",
    "TRIAGE_ROLES",
    "IncidentsError",
    "add_field_note",
    "add_note",
    "add_system_note",
    "close_incident",
    "confirm_incident",
    "expire_incident",
    "flag_police",
    "mark_false_alarm",
    "merge_incidents",
    "move_from_field",
    "place_report",
    "split_incident",
    "start_verifying",
    "submit_report",
]

# Who may work an incident (verify, note, flag police, place a report) and who may decide it.
TRIAGE_ROLES = (Role.OPERATOR, Role.COORDINATOR)
DECIDE_ROLES = (Role.COORDINATOR,)

# Reports taken by staff count as a reporter even without a number.
STAFF_SOURCES = frozenset({ReportSource.OPERATOR, ReportSource.RESPONDER})
PRECISION_RANK = {"pin": 4, "landmark": 3, "zip": 2, "town": 1}
AGENCY_RANK: dict[str, int] = {
    Agency.ICE: 3,
    Agency.CBP: 3,
    Agency.OTHER: 2,
    Agency.POLICE: 1,
    Agency.UNKNOWN: 0,
}
SOURCES = frozenset(ReportSource.values)
PLACE_KINDS = frozenset(PlaceKind.values)
AGENCIES = frozenset(Agency.values)
WARRANTS = frozenset(Warrant.values)
MAX_AGENTS = 10_000
SAME_REPORTER_SQL = (
    "SELECT 1 FROM incidents_report WHERE incident_id = %s AND reporter_id = %s"
    " AND source <> %s LIMIT 1"
)
MAX_NOTE = 4000


# --- reports -------------------------------------------------------------------


def submit_report(
    *,
    source: str,
    text: str = "",
    where: str = "",
    place: PlaceMatch | None = None,
    town: Town | None = None,
    place_kind: str = PlaceKind.UNKNOWN,
    agency: str = Agency.UNKNOWN,
    agents_count: int | None = None,
    warrant: str = Warrant.UNKNOWN,
    someone_taken: bool | None = None,
    details: dict[str, Any] | None = None,
    photos: Sequence[bytes] = (),
    reporter: Contact | None = None,
    inbound: InboundMessage | None = None,
    taken_by: User | None = None,
    language: str = "",
    received_at: dt.datetime | None = None,
) -> Report:
    """Store a report from any door and cluster it into an incident; return the report.

    Without ``place`` the place is looked up in ``where``, ``text`` and
    ``town``; a report whose place is still unknown is stored with no incident
    (an operator places it later). Photos are re-encoded without metadata; a
    file that is not a photo raises :class:`IncidentsError` and nothing is
    stored. Rate limits are the doors' job, not this function's.
    """
    _check_choice(source, SOURCES)
    _check_choice(place_kind, PLACE_KINDS)
    _check_choice(agency, AGENCIES)
    _check_choice(warrant, WARRANTS)
    if agents_count is not None and not 0 <= agents_count <= MAX_AGENTS:
        raise IncidentsError(_("The number of agents is not plausible."))
    cleaned_photos = [strip_metadata(photo) for photo in photos]  # before any write
    if place is None:
        words = " ".join(part for part in (where, text) if part).strip()
        place = locate(text=words, town=town.name if town is not None else "")
    now = timezone.now()
    with transaction.atomic():
        report = Report(
            source=source,
            received_at=received_at or now,
            reporter=reporter,
            inbound=inbound,
            taken_by=taken_by,
            language=language[:8],
            text=text,
            where=where,
            details=details or None,
            town=town or (place.town if place is not None else None),
            place_kind=place_kind,
            agency=agency,
            agents_count=agents_count,
            warrant=warrant,
            someone_taken=someone_taken,
        )
        events: list[IncidentEvent] = []
        if place is not None:
            report.location = _place_json(place)
            events = _cluster(report, place, by=taken_by, now=now)
        report.save()
        IncidentEvent.objects.bulk_create(events)
        ReportPhoto.objects.bulk_create(
            ReportPhoto(
                report=report,
                content_type=content_type,
                data=base64.b64encode(data).decode("ascii"),
                added_at=now,
            )
            for data, content_type in cleaned_photos
        )
        if taken_by is not None:
            # Staff wrote it: audited. A text or a web report is no staff act; its
            # row and the incident's timeline already say when it came and where it went.
            record_event(actor=taken_by, action="incidents.report_submit", target=report)
    return report


def place_report(*, report: Report, place: PlaceMatch, by: User) -> Report:
    """An operator gives a "needs a place" report its place; it then joins or opens an incident."""
    _require(by, TRIAGE_ROLES)
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.purged_at is not None:
            raise IncidentsError(_("This report was purged."))
        if report.incident_id is not None:
            raise IncidentsError(_("This report already belongs to an incident."))
        report.location = _place_json(place)
        if report.town_id is None and place.town is not None:
            report.town = place.town
        events = _cluster(report, place, by=by, now=now)
        report.save(update_fields=["location", "town", "incident"])
        IncidentEvent.objects.bulk_create(events)
        record_event(actor=by, action="incidents.report_place", target=report)
    return report


def transcribe_report(*, report: Report, text: str, by: User) -> Report:
    """An operator writes down what a voicemail says; the words are sealed like a text's.

    Only a voicemail report is transcribed, and only until it is purged. The
    transcript is not used to place the report here: the operator's place form
    does that (it may look for the place in these words).
    """
    _require(by, TRIAGE_ROLES)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.purged_at is not None:
            raise IncidentsError(_("This report was purged."))
        if report.source != ReportSource.VOICEMAIL:
            raise IncidentsError(_("Only a voicemail is transcribed."))
        report.text = text.strip()[:MAX_NOTE]
        report.save(update_fields=["text"])
        record_event(actor=by, action="incidents.report_transcribe", target=report)
    return report


def _place_json(place: PlaceMatch) -> dict[str, Any]:
    return {
        "lat": float(place.latitude),
        "lon": float(place.longitude),
        "precision": place.precision,
    }


def _cluster(
    report: Report, place: PlaceMatch, *, by: User | None, now: dt.datetime
) -> list[IncidentEvent]:
    """Join ``report`` to the nearest open incident, or open one, and save that incident.

    Sets ``report.incident`` (the caller saves the report) and returns the
    timeline events to create once the report is saved.
    """
    latitude, longitude = float(place.latitude), float(place.longitude)
    incident = clustering.nearest_open_incident(
        latitude=latitude, longitude=longitude, at=report.received_at
    )
    if incident is None:
        incident = Incident(
            state=IncidentState.REPORTED,
            opened_at=report.received_at,
            last_report_at=report.received_at,
        )
        new_reporter = _counts_as_reporter(report)
    else:
        new_reporter = _is_new_reporter(incident, report)
    report.incident = incident
    police_before = incident.police_involved
    _fold_report(incident, report, place, new_reporter=new_reporter)
    _refresh_expiry(incident)
    incident.save()
    events = [IncidentEvent(incident=incident, at=now, kind=EventKind.REPORT, by=by, report=report)]
    if incident.police_involved and not police_before:
        events.append(
            IncidentEvent(incident=incident, at=now, kind=EventKind.POLICE, by=by, report=report)
        )
    return events


def _counts_as_reporter(report: Report) -> bool:
    """A number the carrier gave us, or a person staff spoke to; never a web form's.

    A number typed into a form proves nothing (anyone may type anyone's).
    """
    if report.source == ReportSource.WEB:
        return False
    return report.reporter_id is not None or report.source in STAFF_SOURCES


def _is_new_reporter(incident: Incident, report: Report) -> bool:
    """Whether ``report`` (not yet saved in ``incident``) adds a reporter to it."""
    if report.reporter_id is None or not _counts_as_reporter(report):
        return _counts_as_reporter(report)
    # On every report from a number: a plain query (the ORM's exists() cost more to build
    # than to run). Both ids are UUIDs, adapted for the database like the ORM would.
    connection = connections[router.db_for_read(Report)]
    uuid_field = Incident._meta.pk
    assert uuid_field is not None
    with connection.cursor() as cursor:
        cursor.execute(
            SAME_REPORTER_SQL,
            [
                uuid_field.get_db_prep_value(incident.pk, connection),
                uuid_field.get_db_prep_value(report.reporter_id, connection),
                ReportSource.WEB.value,
            ],
        )
        return cursor.fetchone() is None


def _fold_report(
    incident: Incident, report: Report, place: PlaceMatch, *, new_reporter: bool
) -> None:
    """Add one report's facts to the incident's (in memory; the caller saves)."""
    incident.report_count += 1
    incident.reporter_count += int(new_reporter)
    incident.last_report_at = max(incident.last_report_at, report.received_at)
    _fold_facts(
        incident,
        town=report.town,
        place_kind=report.place_kind,
        agency=report.agency,
        police=report.agency == Agency.POLICE,
        agents=report.agents_count,
        someone_taken=bool(report.someone_taken),
    )
    _fold_location(
        incident,
        {
            "lat": float(place.latitude),
            "lon": float(place.longitude),
            "precision": place.precision,
            "n": 1,
        },
    )


def _fold_facts(
    incident: Incident,
    *,
    town: Town | None,
    place_kind: str,
    agency: str,
    police: bool,
    agents: int | None,
    someone_taken: bool,
) -> None:
    if incident.town_id is None and town is not None:
        incident.town = town
    if incident.place_kind == PlaceKind.UNKNOWN and place_kind != PlaceKind.UNKNOWN:
        incident.place_kind = place_kind
    if AGENCY_RANK.get(agency, 0) > AGENCY_RANK.get(incident.agency, 0):
        incident.agency = agency
    incident.police_involved = incident.police_involved or police
    if agents is not None and (incident.agents_max is None or agents > incident.agents_max):
        incident.agents_max = agents
    incident.someone_taken = incident.someone_taken or someone_taken


def _fold_location(incident: Incident, point: dict[str, Any] | None) -> None:
    """Fold ``point`` ({lat, lon, precision, n}) into the sealed centroid and the coarse cell."""
    if not point:
        return
    current = incident.location
    rank = PRECISION_RANK.get(point["precision"], 0)
    if current and PRECISION_RANK.get(current["precision"], 0) > rank:
        return
    if current and PRECISION_RANK.get(current["precision"], 0) == rank:
        n, m = int(current["n"]), int(point["n"])
        point = {
            "lat": (current["lat"] * n + point["lat"] * m) / (n + m),
            "lon": (current["lon"] * n + point["lon"] * m) / (n + m),
            "precision": point["precision"],
            "n": n + m,
        }
    incident.location = point
    incident.coarse_latitude, incident.coarse_longitude = geo.coarsen(point["lat"], point["lon"])


def _refresh_expiry(incident: Incident) -> None:
    if incident.state in UNVERIFIED_STATES:
        incident.expires_at = incident.last_report_at + dt.timedelta(
            hours=settings.AMPARO_INCIDENT_TTL_HOURS
        )
    else:
        incident.expires_at = None


# --- decisions -----------------------------------------------------------------


def start_verifying(*, incident: Incident, by: User, note: str = "") -> Incident:
    """Someone is checking: responders are on their way or calls are being made."""
    _require(by, TRIAGE_ROLES)
    with transaction.atomic():
        locked = _lock(incident)
        picked_up_again = locked.state == IncidentState.UNCONFIRMED
        incident = _move(locked, IncidentState.VERIFYING, by=by, note=note)
        _refresh_expiry(incident)
        if picked_up_again:
            # Expired hours ago: give the check a full TTL from now.
            incident.expires_at = timezone.now() + dt.timedelta(
                hours=settings.AMPARO_INCIDENT_TTL_HOURS
            )
        incident.outcome = ""
        incident.save(update_fields=["state", "expires_at", "outcome"])
        record_event(actor=by, action="incidents.incident_verify", target=incident)
    return incident


def confirm_incident(
    *, incident: Incident, by: User, note: str, responder_on_site: bool
) -> Incident:
    """A coordinator confirms the incident on a responder's word or enough distinct reporters."""
    _require(by, DECIDE_ROLES)
    note = _reason(note)
    with transaction.atomic():
        locked = _lock(incident)
        minimum = settings.AMPARO_CONFIRM_MIN_REPORTERS
        if not responder_on_site and locked.reporter_count < minimum:
            raise IncidentsError(
                _(
                    "Confirming needs a responder on site or at least %(count)d independent "
                    "reporters."
                )
                % {"count": minimum}
            )
        basis = ConfirmationBasis.RESPONDER if responder_on_site else ConfirmationBasis.REPORTERS
        incident = _move(locked, IncidentState.CONFIRMED, by=by, note=note, basis=basis)
        _decide(incident, Outcome.CONFIRMED)
        record_event(actor=by, action="incidents.incident_confirm", target=incident)
    return incident


def mark_false_alarm(*, incident: Incident, by: User, note: str) -> Incident:
    """A coordinator calls the incident a false alarm (the debunk goes out through alerts)."""
    _require(by, DECIDE_ROLES)
    note = _reason(note)
    with transaction.atomic():
        incident = _move(_lock(incident), IncidentState.FALSE_ALARM, by=by, note=note)
        _decide(incident, Outcome.FALSE_ALARM)
        record_event(actor=by, action="incidents.incident_false_alarm", target=incident)
    return incident


def close_incident(*, incident: Incident, by: User, note: str = "") -> Incident:
    """A coordinator closes a decided or expired incident; its outcome stays recorded."""
    _require(by, DECIDE_ROLES)
    with transaction.atomic():
        incident = _move(_lock(incident), IncidentState.CLOSED, by=by, note=note)
        incident.closed_at = timezone.now()
        incident.expires_at = None
        incident.save(update_fields=["state", "closed_at", "expires_at"])
        record_event(actor=by, action="incidents.incident_close", target=incident)
    return incident


def expire_incident(*, incident: Incident, now: dt.datetime | None = None) -> bool:
    """Make an unverified incident past its expiry "unconfirmed", by the system.

    Returns False, changing nothing, if it was decided or got a new report
    (a later expiry) in the meantime: the expiry sweep may race a coordinator.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(incident)
        if (
            locked.state not in UNVERIFIED_STATES
            or locked.expires_at is None
            or locked.expires_at > now
        ):
            return False
        _move(locked, IncidentState.UNCONFIRMED, by=None, note="", at=now)
        locked.outcome = Outcome.UNCONFIRMED
        locked.expires_at = None
        locked.save(update_fields=["state", "outcome", "expires_at"])
        record_event(actor=None, action="incidents.incident_expire", target=locked)
    return True


def add_note(*, incident: Incident, by: User, note: str) -> IncidentEvent:
    """Add staff's words to the timeline (sealed); the incident itself does not change."""
    _require(by, TRIAGE_ROLES)
    note = _reason(note)
    with transaction.atomic():
        locked = _lock(incident)
        if locked.state == IncidentState.CLOSED:
            raise IncidentsError(_("This incident is closed."))
        event = IncidentEvent.objects.create(
            incident=locked, at=timezone.now(), kind=EventKind.NOTE, by=by, note=note
        )
        record_event(actor=by, action="incidents.incident_note", target=locked)
    return event


def add_system_note(*, incident: Incident, note: str) -> IncidentEvent | None:
    """Put a note by the system (another app's automatic work) on the timeline.

    For what staff must see on the incident, such as dispatch escalating to the
    next ring of responders; the words are sealed like staff's, and should
    name no one. Nothing is added to a closed incident (returns None).
    """
    note = _reason(note)
    with transaction.atomic():
        locked = _lock(incident)
        if locked.state == IncidentState.CLOSED:
            return None
        event = IncidentEvent.objects.create(
            incident=locked, at=timezone.now(), kind=EventKind.NOTE, by=None, note=note
        )
        record_event(actor=None, action="incidents.incident_system_note", target=locked)
    return event


# What a responder's word may move an incident to, and the audit code of the move.
# Only "verifying" (not public): a verdict is a coordinator's (confirm_incident,
# mark_false_alarm), because the public map shows confirmed incidents and one
# responder's phone may be seized or spoofed.
FIELD_MOVES: dict[str, str] = {
    IncidentState.VERIFYING: "incidents.incident_field_verify",
}


def move_from_field(
    *, incident: Incident, to_state: str, note: str, by: User | None = None
) -> bool:
    """A responder on the way or on site puts ``incident`` under verification; True if it moved.

    ``to_state`` must be verifying: a responder's word never decides an
    incident (their confirmation or false alarm is a report from the scene,
    :func:`add_field_note`, for a coordinator to decide on). ``by`` is the
    responder's staff account, None for the system (a responder who texted).
    The caller (dispatch) has checked that they were sent there; no role is
    required here.

    Returns False, changing and adding nothing, for an incident already
    verifying, decided or closed (the caller records the report). An
    "unconfirmed" incident (expired) is picked up again for a full TTL.

    ``note`` names no one: it is shown to staff beside the state change.
    """
    if to_state not in FIELD_MOVES:
        raise ValueError(f"a responder cannot move an incident to {to_state!r}")
    with transaction.atomic():
        locked = _lock(incident)
        if locked.state == to_state or not allowed(locked.state, to_state):
            return False
        picked_up_again = locked.state == IncidentState.UNCONFIRMED
        _move(locked, to_state, by=by, note=note)
        _refresh_expiry(locked)
        if picked_up_again:
            # Expired hours ago: give the check a full TTL from now.
            locked.expires_at = timezone.now() + dt.timedelta(
                hours=settings.AMPARO_INCIDENT_TTL_HOURS
            )
        locked.outcome = ""
        locked.save(update_fields=["state", "expires_at", "outcome"])
        record_event(actor=by, action=FIELD_MOVES[to_state], target=locked)
    return True


def add_field_note(
    *, incident: Incident, note: str, by: User | None = None, at: dt.datetime | None = None
) -> IncidentEvent | None:
    """Put a responder's report from the scene on the timeline (:attr:`EventKind.FIELD`).

    ``note`` names no one ("Responder 2 (code 4821): arrived"); it is sealed
    like staff's words. ``by``: the responder's staff account, None when they
    texted. Nothing is added to a closed incident (returns None); dispatch
    keeps the report itself either way.
    """
    note = _reason(note)
    with transaction.atomic():
        locked = _lock(incident)
        if locked.state == IncidentState.CLOSED:
            return None
        event = _add_field_event(locked, note=note, by=by, at=at)
        record_event(actor=by, action="incidents.incident_field_note", target=locked)
    return event


def _add_field_event(
    locked: Incident, *, note: str, by: User | None, at: dt.datetime | None = None
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=locked,
        at=at or timezone.now(),
        kind=EventKind.FIELD,
        by=by,
        note=note.strip()[:MAX_NOTE],
    )


def flag_police(*, incident: Incident, by: User, note: str = "") -> Incident:
    """Record that local or state police took part (Trust Act documentation).

    Flagging an incident already flagged changes nothing and records nothing.
    """
    _require(by, TRIAGE_ROLES)
    with transaction.atomic():
        locked = _lock(incident)
        if locked.police_involved:
            return locked
        locked.police_involved = True
        locked.save(update_fields=["police_involved"])
        IncidentEvent.objects.create(
            incident=locked,
            at=timezone.now(),
            kind=EventKind.POLICE,
            by=by,
            note=note.strip()[:MAX_NOTE],
        )
        record_event(actor=by, action="incidents.incident_police", target=locked)
    return locked


def _require(by: User | None, roles: Iterable[Role]) -> None:
    if by is None or not by.has_role(*roles):
        raise IncidentsError(_("Your role may not do this."))


def _reason(note: str) -> str:
    note = note.strip()
    if not note:
        raise IncidentsError(_("Say why: the reason is part of the record."))
    return note[:MAX_NOTE]


def _check_choice(value: str, allowed_values: Iterable[str]) -> None:
    if value not in allowed_values:
        raise IncidentsError(_("That is not one of the choices."))


def _lock(incident: Incident) -> Incident:
    """The incident as it is now in the database, locked for this transaction."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _move(
    locked: Incident,
    to_state: str,
    *,
    by: User | None,
    note: str,
    basis: str = "",
    at: dt.datetime | None = None,
) -> Incident:
    """Check and record a transition; set the new state on ``locked`` (from :func:`_lock`).

    The caller saves the incident.
    """
    from_state = locked.state
    if not allowed(from_state, to_state):
        raise IncidentsError(
            _("An incident that is %(from)s cannot become %(to)s.")
            % {
                "from": IncidentState(from_state).label,
                "to": IncidentState(to_state).label,
            }
        )
    locked.state = to_state
    IncidentEvent.objects.create(
        incident=locked,
        at=at or timezone.now(),
        kind=EventKind.STATE,
        by=by,
        from_state=from_state,
        to_state=to_state,
        basis=basis,
        note=note.strip()[:MAX_NOTE],
    )
    return locked


def _decide(incident: Incident, outcome: str) -> None:
    incident.outcome = outcome
    incident.decided_at = timezone.now()
    incident.expires_at = None
    incident.save(update_fields=["state", "outcome", "decided_at", "expires_at"])


# --- merge and split -----------------------------------------------------------


def merge_incidents(*, into: Incident, other: Incident, by: User, note: str) -> Incident:
    """Fold ``other`` into ``into``: its reports move, its facts join, and it is closed.

    ``into`` must be open. ``other`` may be open or unconfirmed, or decided the
    same way as ``into``: merging a false alarm into a confirmed incident would
    hide one of the two verdicts, so it is refused.
    """
    _require(by, DECIDE_ROLES)
    note = _reason(note)
    if into.pk == other.pk:
        raise IncidentsError(_("An incident cannot be merged into itself."))
    now = timezone.now()
    with transaction.atomic():
        # Lock in a fixed order, so two opposite merges cannot deadlock.
        locked = {
            row.pk: row
            for row in Incident.objects.select_for_update()
            .filter(pk__in=[into.pk, other.pk])
            .order_by("pk")
        }
        target, absorbed = locked[into.pk], locked[other.pk]
        undecided = {IncidentState.REPORTED, IncidentState.VERIFYING, IncidentState.UNCONFIRMED}
        if target.state not in OPEN_STATES:
            raise IncidentsError(_("Merge into an open incident."))
        if absorbed.state not in MERGEABLE or (
            absorbed.state not in undecided and absorbed.state != target.state
        ):
            raise IncidentsError(_("These two incidents have different verdicts."))

        Report.objects.filter(incident=absorbed).update(incident=target)
        target.report_count += absorbed.report_count
        # Purged reports no longer name their number: never count fewer than before.
        target.reporter_count = max(
            _count_reporters(target), target.reporter_count, absorbed.reporter_count
        )
        target.opened_at = min(target.opened_at, absorbed.opened_at)
        target.last_report_at = max(target.last_report_at, absorbed.last_report_at)
        _fold_facts(
            target,
            town=absorbed.town,
            place_kind=absorbed.place_kind,
            agency=absorbed.agency,
            police=absorbed.police_involved,
            agents=absorbed.agents_max,
            someone_taken=absorbed.someone_taken,
        )
        _fold_location(target, absorbed.location)
        _refresh_expiry(target)
        target.save()

        from_state = absorbed.state
        absorbed.state = IncidentState.CLOSED
        absorbed.merged_into = target
        absorbed.outcome = ""
        absorbed.closed_at = now
        absorbed.expires_at = None
        absorbed.save(update_fields=["state", "merged_into", "outcome", "closed_at", "expires_at"])
        IncidentEvent.objects.bulk_create(
            [
                IncidentEvent(
                    incident=target, at=now, kind=EventKind.MERGED, by=by, other=absorbed, note=note
                ),
                IncidentEvent(
                    incident=absorbed,
                    at=now,
                    kind=EventKind.MERGED,
                    by=by,
                    other=target,
                    from_state=from_state,
                    to_state=IncidentState.CLOSED,
                    note=note,
                ),
            ]
        )
        record_event(actor=by, action="incidents.incident_merge", target=target)
        record_event(actor=by, action="incidents.incident_merged_away", target=absorbed)
    return target


def split_incident(
    *, incident: Incident, reports: Sequence[Report], by: User, note: str
) -> Incident:
    """Move ``reports`` out of ``incident`` into a new incident; return the new one.

    The new incident starts as "reported" (its own verification), and the facts
    and counts of both are computed again from their reports. Some reports must
    stay behind, and none of the incident's reports may have been purged.
    """
    _require(by, DECIDE_ROLES)
    note = _reason(note)
    moving_ids = {report.pk for report in reports}
    if not moving_ids:
        raise IncidentsError(_("Choose the reports to move."))
    now = timezone.now()
    with transaction.atomic():
        source = _lock(incident)
        if source.state == IncidentState.CLOSED:
            raise IncidentsError(_("This incident is closed."))
        all_reports = list(
            Report.objects.filter(incident=source).select_related("town").order_by("received_at")
        )
        if not moving_ids <= {report.pk for report in all_reports}:
            raise IncidentsError(_("Those reports do not all belong to this incident."))
        if len(moving_ids) == len(all_reports):
            raise IncidentsError(_("Leave at least one report in the incident."))
        if any(report.purged_at is not None or not report.location for report in all_reports):
            raise IncidentsError(_("Reports of this incident were purged; it cannot be split."))

        moving = [report for report in all_reports if report.pk in moving_ids]
        staying = [report for report in all_reports if report.pk not in moving_ids]
        created = Incident(
            state=IncidentState.REPORTED,
            opened_at=moving[0].received_at,
            last_report_at=moving[0].received_at,
        )
        _rebuild(created, moving)
        created.save()
        _rebuild(source, staying)
        source.save()
        Report.objects.filter(pk__in=moving_ids).update(incident=created)
        IncidentEvent.objects.bulk_create(
            [
                IncidentEvent(
                    incident=source, at=now, kind=EventKind.SPLIT, by=by, other=created, note=note
                ),
                IncidentEvent(
                    incident=created, at=now, kind=EventKind.SPLIT, by=by, other=source, note=note
                ),
            ]
        )
        record_event(actor=by, action="incidents.incident_split", target=source)
        record_event(actor=by, action="incidents.incident_split", target=created)
    return created


def _rebuild(incident: Incident, reports: list[Report]) -> None:
    """Compute the incident's facts, counts and place again from ``reports`` (all located)."""
    incident.report_count = 0
    incident.reporter_count = 0
    incident.location = None
    incident.town = None
    incident.place_kind = PlaceKind.UNKNOWN
    incident.agency = Agency.UNKNOWN
    incident.police_involved = False
    incident.agents_max = None
    incident.someone_taken = False
    incident.opened_at = min(report.received_at for report in reports)
    incident.last_report_at = incident.opened_at
    seen: set[Any] = set()
    for report in reports:
        location = report.location
        place = PlaceMatch(
            town=report.town,
            latitude=location["lat"],
            longitude=location["lon"],
            precision=location["precision"],
            words="",
        )
        if report.reporter_id is not None and _counts_as_reporter(report):
            new_reporter = report.reporter_id not in seen
            seen.add(report.reporter_id)
        else:
            new_reporter = _counts_as_reporter(report)
        _fold_report(incident, report, place, new_reporter=new_reporter)
    _refresh_expiry(incident)


def _count_reporters(incident: Incident) -> int:
    reports = Report.objects.filter(incident=incident)
    numbers = (
        reports.exclude(reporter=None)
        .exclude(source=ReportSource.WEB)
        .values("reporter")
        .distinct()
        .count()
    )
    by_staff = reports.filter(reporter=None, source__in=STAFF_SOURCES, purged_at=None).count()
    return numbers + by_staff


# --- retention ---------------------------------------------------------------------


def purge_reports(*, received_before: dt.datetime, batch: int = 200) -> int:
    """Blank up to ``batch`` reports received before ``received_before``; return how many.

    Words, place, details, photos, reporter and inbound link go; the structured
    facts stay. An incident left with no unpurged report loses its exact point
    (its town and coarse cell stay). System work: not audited per report.
    """
    now = timezone.now()
    with transaction.atomic():
        reports = list(
            Report.objects.select_for_update(skip_locked=True)
            .filter(purged_at=None, received_at__lt=received_before)
            .order_by("received_at")[:batch]
        )
        if not reports:
            return 0
        ReportPhoto.objects.filter(report__in=reports).delete()
        for report in reports:
            report.text = ""
            report.where = ""
            report.location = None
            report.details = None
            report.reporter = None
            report.inbound = None
            report.purged_at = now
            report.save(
                update_fields=[
                    "text",
                    "where",
                    "location",
                    "details",
                    "reporter",
                    "inbound",
                    "purged_at",
                ]
            )
        _forget_exact_places({r.incident_id for r in reports if r.incident_id is not None})
    return len(reports)


def _forget_exact_places(incident_ids: set[uuid.UUID]) -> None:
    """The exact centroid of a home raid names a family: it goes with the last report."""
    still_reported = set(
        Report.objects.filter(incident_id__in=incident_ids, purged_at=None).values_list(
            "incident_id", flat=True
        )
    )
    for incident in Incident.objects.filter(pk__in=incident_ids - still_reported):
        if incident.location is not None:
            incident.location = None
            incident.save(update_fields=["location"])
