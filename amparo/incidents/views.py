"""Staff pages for incidents: the triage board, an incident's page, unplaced reports, metrics.

Every page works without JavaScript; on the board, ``amparo/live_rows.js``
(CSP allows our own scripts only) refreshes the rows every few seconds. Reads
go through :mod:`amparo.incidents.queries` (role check and audit), writes
through :mod:`amparo.incidents.actions`; each form posts, then redirects to
the incident's page, where the messages framework shows the result.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.accounts.models import Role, User
from amparo.incidents import actions, queries
from amparo.incidents.actions import DECIDE_ROLES, TRIAGE_ROLES
from amparo.incidents.errors import IncidentsError
from amparo.incidents.forms import (
    BoardFilterForm,
    ConfirmForm,
    DecisionForm,
    MergeForm,
    NoteForm,
    OptionalNoteForm,
    PlaceForm,
    SplitForm,
    VoicemailPlaceForm,
)
from amparo.incidents.models import (
    Agency,
    Incident,
    IncidentState,
    Outcome,
    PlaceKind,
    Report,
    ReportSource,
)
from amparo.incidents.queries import BOARD_ROLES, METRICS_ROLES
from amparo.incidents.states import allowed

METRICS_PERIODS = {"1": 1, "7": 7, "30": 30}
# How often live_rows.js asks for fresh rows: a new report shows within this many seconds.
POLL_SECONDS = 5


# --- the board -----------------------------------------------------------------


@role_required(*BOARD_ROLES)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = BoardFilterForm(request.GET or None)
    shown = queries.access_board(user, **form.filters())
    context = {
        "board": shown,
        "sections": _board_sections(shown),
        "form": form,
        "rows_url": reverse("incidents:board_rows"),
        "poll_seconds": POLL_SECONDS,
        # Live updates stop before the session's idle timeout, so an unattended
        # board does not keep a session open forever.
        "idle_seconds": max(60, settings.AMPARO_SESSION_IDLE_SECONDS - 60),
        "can_see_metrics": user.has_role(*METRICS_ROLES),
    }
    return render(request, "incidents/board.html", context)


@role_required(*BOARD_ROLES)
@require_GET
def board_rows(request: HttpRequest) -> HttpResponse:
    """The board's rows alone, for ``live_rows.js``; the same filters as the page."""
    form = BoardFilterForm(request.GET or None)
    shown = queries.board_rows_for(signed_in_user(request), **form.filters())
    context = {"board": shown, "sections": _board_sections(shown), "fragment": True}
    response = render(request, "incidents/_board_rows.html", context)
    response["X-Live-Rows"] = "1"  # live_rows.js swaps in only what carries this mark
    return response


@dataclass(frozen=True)
class BoardRow:
    """One incident on the board, its words ready: the template only places them.

    Labels are looked up once per request rather than per row, so 500 rows
    render in tens of milliseconds (``amparo bench board``).
    """

    url: str
    short_id: str
    town: str
    state: str
    state_label: str
    taken: bool
    police: bool
    photos: str
    place: str
    reports: str
    agency: str
    opened_iso: str
    opened: str
    age: str
    last_iso: str
    last: str


@dataclass(frozen=True)
class BoardSection:
    key: str
    caption: str
    rows: list[BoardRow]


def _board_sections(shown: queries.Board) -> list[BoardSection]:
    states = {key: str(label) for key, label in IncidentState.choices}
    outcomes = {key: str(label) for key, label in Outcome.choices}
    places = {key: str(label) for key, label in PlaceKind.choices}
    agencies = {key: str(label) for key, label in Agency.choices}
    place_unknown = _("Place unknown")
    zero = str(uuid.UUID(int=0))
    incident_url = reverse("incidents:incident", args=[zero])
    now = timezone.now()

    def row(incident: Incident) -> BoardRow:
        state_label = states.get(incident.state, incident.state)
        if incident.state == IncidentState.CLOSED and incident.outcome:
            state_label = f"{state_label} ({outcomes.get(incident.outcome, incident.outcome)})"
        agency = agencies.get(incident.agency, incident.agency)
        if incident.agents_max:
            agents = ngettext("%(n)d agent", "%(n)d agents", incident.agents_max)
            agency = f"{agency} · {agents % {'n': incident.agents_max}}"
        photos = getattr(incident, "photo_count", 0)
        opened = timezone.localtime(incident.opened_at)
        last = timezone.localtime(incident.last_report_at)
        reports = ngettext("%(n)d report", "%(n)d reports", incident.report_count)
        reporters = ngettext("%(n)d reporter", "%(n)d reporters", incident.reporter_count)
        pk = str(incident.pk)
        return BoardRow(
            url=incident_url.replace(zero, pk),
            short_id=pk[:8],
            town=incident.town.name if incident.town else place_unknown,
            state=incident.state,
            state_label=state_label,
            taken=incident.someone_taken,
            police=incident.police_involved,
            photos=ngettext("%(n)d photo", "%(n)d photos", photos) % {"n": photos}
            if photos
            else "",
            place=places.get(incident.place_kind, incident.place_kind),
            reports=f"{reports % {'n': incident.report_count}} · "
            f"{reporters % {'n': incident.reporter_count}}",
            agency=agency,
            opened_iso=opened.isoformat(),
            # Times of day (24 h) and an age: the board holds hours, not weeks.
            opened=opened.strftime("%H:%M"),
            age=_age(now - incident.opened_at),
            last_iso=last.isoformat(),
            last=last.strftime("%H:%M"),
        )

    sections = [
        BoardSection(
            key="open",
            caption=ngettext("%(n)d open incident", "%(n)d open incidents", len(shown.open))
            % {"n": len(shown.open)},
            rows=[row(incident) for incident in shown.open],
        )
    ]
    if shown.recently_decided:
        sections.append(
            BoardSection(
                key="decided",
                caption=_("Decided in the last 12 hours"),
                rows=[row(incident) for incident in shown.recently_decided],
            )
        )
    return sections


def _age(age: dt.timedelta) -> str:
    """ "25 min ago", "3 h 10 min ago", "2 days ago": quicker than ``timesince`` for 500 rows."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(n)d min ago", "%(n)d min ago", minutes) % {"n": minutes}
    if minutes < 48 * 60:
        return _("%(h)d h %(m)d min ago") % {"h": minutes // 60, "m": minutes % 60}
    days = minutes // (24 * 60)
    return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}


# --- one incident ------------------------------------------------------------------


@role_required(*BOARD_ROLES)
@require_GET
def incident_page(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    return _incident_page(request, incident_id)


def _incident_page(
    request: HttpRequest,
    incident_id: uuid.UUID,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The incident's page; ``bound`` holds a refused form to show again with its errors."""
    user = signed_in_user(request)
    found = queries.access_incident(user, incident_id)
    incident = found.incident
    bound = bound or {}
    can_triage = user.has_role(*TRIAGE_ROLES)
    can_decide = user.has_role(*DECIDE_ROLES)
    state = incident.state
    page_forms: dict[str, forms.Form] = {
        "note": NoteForm(prefix="note"),
        "verify": OptionalNoteForm(prefix="verify"),
        "police": OptionalNoteForm(prefix="police"),
        "confirm": ConfirmForm(prefix="confirm"),
        "false_alarm": DecisionForm(prefix="false-alarm"),
        "close": OptionalNoteForm(prefix="close"),
        "merge": MergeForm(prefix="merge", incident=incident, targets=found.merge_targets),
        "split": SplitForm(prefix="split", incident=incident),
        **bound,
    }
    context = {
        "page": found,
        "incident": incident,
        "forms": page_forms,
        "can_triage": can_triage and state != IncidentState.CLOSED,
        "can_verify": can_triage and allowed(state, IncidentState.VERIFYING),
        "can_flag_police": can_triage
        and state != IncidentState.CLOSED
        and not incident.police_involved,
        "can_confirm": can_decide and allowed(state, IncidentState.CONFIRMED),
        "can_false_alarm": can_decide and allowed(state, IncidentState.FALSE_ALARM),
        "can_close": can_decide and allowed(state, IncidentState.CLOSED),
        "can_merge": can_decide and bool(found.merge_targets),
        "can_split": can_decide
        and incident.state in queries.BOARD_STATES
        and len(found.reports) > 1,
    }
    return render(request, "incidents/incident.html", context, status=status)


Decide = Callable[[Incident, User, dict[str, Any]], str]


def _decision(
    request: HttpRequest,
    incident_id: uuid.UUID,
    *,
    name: str,
    roles: tuple[Role, ...],
    form: forms.Form,
    decide: Decide,
) -> HttpResponse:
    """Validate ``form``, run ``decide`` (an action), and redirect with its message.

    An invalid form shows the page again with its errors (400); an
    :class:`IncidentsError` (a rule of the state machine or of confirmation)
    comes back as a clear message on the page.
    """
    user = signed_in_user(request)
    incident = queries.incident_for_action(user, incident_id, roles)
    if not form.is_valid():
        return _incident_page(request, incident.pk, bound={name: form}, status=400)
    try:
        done = decide(incident, user, form.cleaned_data)
    except IncidentsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("incidents:incident", incident_id=incident.pk)


@role_required(*TRIAGE_ROLES)
@require_POST
def add_note(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.add_note(incident=incident, by=by, note=data["note"])
        return _("Your note is in the timeline.")

    form = NoteForm(request.POST, prefix="note")
    return _decision(
        request, incident_id, name="note", roles=TRIAGE_ROLES, form=form, decide=decide
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def start_verifying(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.start_verifying(incident=incident, by=by, note=data["note"])
        return _("Marked as being verified.")

    form = OptionalNoteForm(request.POST, prefix="verify")
    return _decision(
        request, incident_id, name="verify", roles=TRIAGE_ROLES, form=form, decide=decide
    )


@role_required(*TRIAGE_ROLES)
@require_POST
def flag_police(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.flag_police(incident=incident, by=by, note=data["note"])
        return _("Police involvement is flagged for Trust Act follow-up.")

    form = OptionalNoteForm(request.POST, prefix="police")
    return _decision(
        request, incident_id, name="police", roles=TRIAGE_ROLES, form=form, decide=decide
    )


@role_required(*DECIDE_ROLES)
@require_POST
def confirm(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.confirm_incident(
            incident=incident,
            by=by,
            note=data["note"],
            responder_on_site=data["responder_on_site"],
        )
        return _("Confirmed.")

    form = ConfirmForm(request.POST, prefix="confirm")
    return _decision(
        request, incident_id, name="confirm", roles=DECIDE_ROLES, form=form, decide=decide
    )


@role_required(*DECIDE_ROLES)
@require_POST
def false_alarm(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.mark_false_alarm(incident=incident, by=by, note=data["note"])
        return _("Marked as a false alarm.")

    form = DecisionForm(request.POST, prefix="false-alarm")
    return _decision(
        request, incident_id, name="false_alarm", roles=DECIDE_ROLES, form=form, decide=decide
    )


@role_required(*DECIDE_ROLES)
@require_POST
def close(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    def decide(incident: Incident, by: User, data: dict[str, Any]) -> str:
        actions.close_incident(incident=incident, by=by, note=data["note"])
        return _("Closed.")

    form = OptionalNoteForm(request.POST, prefix="close")
    return _decision(
        request, incident_id, name="close", roles=DECIDE_ROLES, form=form, decide=decide
    )


@role_required(*DECIDE_ROLES)
@require_POST
def merge(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    incident = queries.incident_for_action(user, incident_id, DECIDE_ROLES)
    targets = queries.merge_targets(incident)
    form = MergeForm(request.POST, prefix="merge", incident=incident, targets=targets)
    if not form.is_valid():
        return _incident_page(request, incident.pk, bound={"merge": form}, status=400)
    into = form.cleaned_data["into"]
    try:
        actions.merge_incidents(into=into, other=incident, by=user, note=form.cleaned_data["note"])
    except IncidentsError as exc:
        messages.error(request, str(exc))
        return redirect("incidents:incident", incident_id=incident.pk)
    messages.success(request, _("Merged into this incident."))
    return redirect("incidents:incident", incident_id=into.pk)


@role_required(*DECIDE_ROLES)
@require_POST
def split(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    incident = queries.incident_for_action(user, incident_id, DECIDE_ROLES)
    form = SplitForm(request.POST, prefix="split", incident=incident)
    if not form.is_valid():
        return _incident_page(request, incident.pk, bound={"split": form}, status=400)
    try:
        new = actions.split_incident(
            incident=incident,
            reports=form.cleaned_data["reports"],
            by=user,
            note=form.cleaned_data["note"],
        )
    except IncidentsError as exc:
        messages.error(request, str(exc))
        return redirect("incidents:incident", incident_id=incident.pk)
    messages.success(request, _("Split: the reports you chose are in this new incident."))
    return redirect("incidents:incident", incident_id=new.pk)


# --- reports without a place -------------------------------------------------------


@role_required(*TRIAGE_ROLES)
@require_GET
def unplaced(request: HttpRequest) -> HttpResponse:
    reports, total = queries.access_unplaced_reports(signed_in_user(request))
    rows = [(report, _place_form(report)) for report in reports]
    return render(request, "incidents/unplaced.html", {"rows": rows, "total": total})


def _place_form(report: Report, data: Any = None) -> PlaceForm:
    form_class = VoicemailPlaceForm if report.source == ReportSource.VOICEMAIL else PlaceForm
    return form_class(data, prefix=str(report.pk))


@role_required(*TRIAGE_ROLES)
@require_POST
def place_report(request: HttpRequest, report_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    report = queries.report_for_placing(user, report_id)
    form = _place_form(report, request.POST)
    if not form.is_valid():
        reports, total = queries.access_unplaced_reports(user)
        rows = [(r, form if r.pk == report.pk else _place_form(r)) for r in reports]
        context = {"rows": rows, "total": total}
        return render(request, "incidents/unplaced.html", context, status=400)
    match = form.cleaned_data["match"]
    try:
        if form.cleaned_data.get("transcript"):
            report = actions.transcribe_report(
                report=report, text=form.cleaned_data["transcript"], by=user
            )
        if match is None:
            messages.success(request, _("Transcription saved. The report still needs a place."))
            return redirect("incidents:unplaced")
        placed = actions.place_report(report=report, place=match, by=user)
    except IncidentsError as exc:
        messages.error(request, str(exc))
        return redirect("incidents:unplaced")
    messages.success(request, _("Placed. The report is now part of an incident."))
    if placed.incident_id is not None:
        return redirect("incidents:incident", incident_id=placed.incident_id)
    return redirect("incidents:unplaced")


# --- metrics ------------------------------------------------------------------------


@role_required(*METRICS_ROLES)
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    days = METRICS_PERIODS.get(request.GET.get("days", ""), 7)
    since = timezone.now() - dt.timedelta(days=days)
    summary = queries.access_metrics(signed_in_user(request), since=since)
    labels = {"open": _("still open"), **dict(Outcome.choices)}
    outcomes = [(labels.get(key, key), count) for key, count in summary["by_outcome"].items()]
    context = {
        "summary": summary,
        "outcomes": outcomes,
        "days": days,
        "since": since,
        "periods": METRICS_PERIODS,
    }
    return render(request, "incidents/metrics.html", context)
