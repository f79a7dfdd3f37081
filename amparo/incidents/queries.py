"""Reads of incidents and reports for staff: the triage board, an incident's page, unplaced reports.

The board shows anonymous facts only (state, town, counts, kind of place), so a
full page view is audited once and its live refreshes are not. An incident's
page shows what reporters said (sealed text, exact place, photos): every view
is audited, by id only. The ``*_for_action`` helpers load what a form is about
to change and audit nothing: the action that follows records who did what.

Urgency, the board's order (most urgent first):

1. someone was taken (a family needs help now);
2. the incident is confirmed (responders and alerts follow);
3. it is at a home, a school or a court (places where people are most exposed);
4. more independent reporters, then more reports;

and among equals, the one opened first (waiting longest) comes first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.incidents import metrics, trust
from amparo.incidents.actions import DECIDE_ROLES, TRIAGE_ROLES
from amparo.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentState,
    PlaceKind,
    Report,
    ReportPhoto,
)
from amparo.places.models import Town

# Who may read the board and incident pages (responders come with Dispatch). Who may
# act on them is the actions' rule: TRIAGE_ROLES note, start verifying, flag police
# and place a report; DECIDE_ROLES confirm, call a false alarm, close, merge, split.
BOARD_ROLES = (Role.OPERATOR, Role.COORDINATOR)
METRICS_ROLES = (Role.COORDINATOR,)
# Roles that read what reporters wrote (sealed text, exact place, photos).
SEALED_TEXT_ROLES = (Role.OPERATOR, Role.COORDINATOR)

# States of the board's main list: still to be checked or acted on.
BOARD_STATES = (
    IncidentState.REPORTED,
    IncidentState.VERIFYING,
    IncidentState.CONFIRMED,
    IncidentState.UNCONFIRMED,
)
# Decided and done; shown below the open ones for a while, then only in metrics.
DECIDED_STATES = (IncidentState.FALSE_ALARM, IncidentState.CLOSED)
RECENTLY_DECIDED = dt.timedelta(hours=12)
URGENT_PLACES = (PlaceKind.HOME, PlaceKind.SCHOOL, PlaceKind.COURT)
# What a board row shows; loading no more keeps 500 rows fast (``amparo bench board``).
BOARD_FIELDS = (
    "id",
    "state",
    "outcome",
    "town__name",
    "opened_at",
    "last_report_at",
    "place_kind",
    "agency",
    "agents_max",
    "someone_taken",
    "police_involved",
    "report_count",
    "reporter_count",
)
# A board longer than this says so and asks for a filter; 500 open incidents fit.
BOARD_LIMIT = 1000
UNPLACED_LIMIT = 100
MERGE_CHOICES_LIMIT = 50


def _require(user: User, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


# --- the triage board ----------------------------------------------------------


@dataclass(frozen=True)
class Board:
    open: list[Incident]  # in urgency order
    recently_decided: list[Incident]  # latest decision first
    unplaced_count: int  # reports waiting for an operator to place them
    burst: bool  # many reports from numbers first seen recently: maybe a flood
    truncated: bool  # more open incidents than BOARD_LIMIT; a filter narrows it
    generated_at: dt.datetime


def board_rows(
    *, town: Town | None = None, state: str = "", now: dt.datetime | None = None
) -> Board:
    """The board's rows in a fixed number of queries, whatever the number of incidents.

    Rows come with their town; photo counts are annotated. Exact locations stay
    sealed and are not even loaded. No role check and no audit: callers are
    :func:`access_board` and the board's live refresh, which checked the role.
    """
    now = now or timezone.now()
    shown = Incident.objects.select_related("town").only(*BOARD_FIELDS)
    if town is not None:
        shown = shown.filter(town=town)
    if state:
        shown = shown.filter(state=state)
    open_rows = list(_by_urgency(shown.filter(state__in=BOARD_STATES))[: BOARD_LIMIT + 1])
    since = now - RECENTLY_DECIDED
    decided = (
        _annotated(shown.filter(state__in=DECIDED_STATES))
        .filter(Q(closed_at__gte=since) | Q(decided_at__gte=since))
        .order_by(Coalesce("closed_at", "decided_at").desc(), "-pk")
    )
    return Board(
        open=open_rows[:BOARD_LIMIT],
        recently_decided=list(decided[:BOARD_LIMIT]),
        unplaced_count=_unplaced().count(),
        burst=burst_of_new_numbers(now),
        truncated=len(open_rows) > BOARD_LIMIT,
        generated_at=now,
    )


def access_board(
    user: User, *, town: Town | None = None, state: str = "", now: dt.datetime | None = None
) -> Board:
    """The board for an operator or a coordinator; one audit event per page view."""
    _require(user, BOARD_ROLES)
    board = board_rows(town=town, state=state, now=now)
    record_event(actor=user, action="incidents.board_view")
    return board


def board_rows_for(user: User, *, town: Town | None = None, state: str = "") -> Board:
    """The board's live refresh: the role is checked, the refresh is not audited.

    It shows the same anonymous facts as the page view that was audited, every
    few seconds; one event per refresh would bury the audit log.
    """
    _require(user, BOARD_ROLES)
    return board_rows(town=town, state=state)


def _annotated(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    photos = (
        ReportPhoto.objects.filter(report__incident=OuterRef("pk"))
        .order_by()
        .values("report__incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return incidents.annotate(
        photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), Value(0)),
        is_confirmed=Case(
            When(state=IncidentState.CONFIRMED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        urgent_place=Case(
            When(place_kind__in=URGENT_PLACES, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


def _by_urgency(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """The urgency rule of this module's docstring, in SQL."""
    return _annotated(incidents).order_by(
        "-someone_taken",
        "-is_confirmed",
        "-urgent_place",
        "-reporter_count",
        "-report_count",
        "opened_at",
        "pk",
    )


def burst_of_new_numbers(now: dt.datetime) -> bool:
    """Whether many reports just came from numbers first seen recently (a possible flood).

    The rule and its thresholds (``AMPARO_BURST_*``) are
    :func:`amparo.incidents.trust.burst_of_new_numbers`'s.
    """
    return trust.burst_of_new_numbers(now)


# --- one incident --------------------------------------------------------------


@dataclass(frozen=True)
class IncidentPage:
    incident: Incident
    events: list[IncidentEvent]  # the timeline, oldest first
    reports: list[Report]  # with photos and town, oldest first
    show_sealed: bool  # whether the reader may see what reporters wrote
    merge_targets: list[Incident]  # other open incidents it could merge into (coordinators)
    # Responders' verdicts from the scene waiting for a coordinator: "confirm", "false-alarm".
    field_verdicts: list[str] = field(default_factory=list)


# Undecided: a responder's confirmation or false alarm here waits for a coordinator.
_UNDECIDED = (IncidentState.REPORTED, IncidentState.VERIFYING, IncidentState.UNCONFIRMED)


def field_verdicts_to_decide(incident: Incident) -> list[str]:
    """The kinds of responders' verdicts from the scene a coordinator has yet to decide on.

    A responder's "confirm" or "false-alarm" (dispatch's reports from the
    scene) never changes the incident: it waits here for a coordinator. On
    an undecided incident every verdict waits; on a decided one, a verdict
    given after the decision that says otherwise (a false alarm on a
    confirmed incident). Closed or merged: nothing waits.
    """
    if incident.state in _UNDECIDED:
        wanted = ["confirm", "false-alarm"]
    elif incident.state == IncidentState.CONFIRMED:
        wanted = ["false-alarm"]
    elif incident.state == IncidentState.FALSE_ALARM:
        wanted = ["confirm"]
    else:
        return []
    reports = incident.offers.filter(field_reports__kind__in=wanted)
    if incident.state not in _UNDECIDED and incident.decided_at is not None:
        reports = reports.filter(field_reports__at__gt=incident.decided_at)
    found = set(reports.values_list("field_reports__kind", flat=True).distinct())
    return [kind for kind in wanted if kind in found]


def access_incident(user: User, incident_id: Any) -> IncidentPage:
    """An incident with its timeline (events, reports), audited as ``incidents.incident_view``.

    Reports' sealed text, exact place and photos are filled in for
    :data:`SEALED_TEXT_ROLES` only. A 404 for an unknown id.
    """
    _require(user, BOARD_ROLES)
    incident = get_object_or_404(
        Incident.objects.select_related("town", "merged_into"), pk=incident_id
    )
    events = list(incident.events.select_related("by", "report", "other").order_by("at", "pk"))
    reports = list(
        incident.reports.select_related("town", "taken_by")
        .prefetch_related(Prefetch("photos", queryset=ReportPhoto.objects.order_by("added_at")))
        .order_by("received_at", "pk")
    )
    targets: list[Incident] = []
    if user.has_role(*DECIDE_ROLES) and incident.state in BOARD_STATES:
        targets = merge_targets(incident)
    record_event(actor=user, action="incidents.incident_view", target=incident)
    return IncidentPage(
        incident=incident,
        events=events,
        reports=reports,
        show_sealed=user.has_role(*SEALED_TEXT_ROLES),
        merge_targets=targets,
        field_verdicts=field_verdicts_to_decide(incident),
    )


def merge_targets(incident: Incident) -> list[Incident]:
    """Other incidents on the board, the same town's first, then the most recently reported."""
    return list(
        Incident.objects.filter(state__in=BOARD_STATES)
        .exclude(pk=incident.pk)
        .select_related("town")
        .defer("location")
        .annotate(
            same_town=Case(
                When(town_id=incident.town_id, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-same_town", "-last_report_at", "pk")[:MERGE_CHOICES_LIMIT]
    )


def incident_for_action(user: User, incident_id: Any, roles: tuple[Role, ...]) -> Incident:
    """The incident a staff member is about to change; 404 if none. The action audits."""
    _require(user, roles)
    return get_object_or_404(Incident.objects.select_related("town"), pk=incident_id)


# --- reports without a place -----------------------------------------------------


def _unplaced() -> QuerySet[Report]:
    return Report.objects.filter(incident__isnull=True, purged_at__isnull=True)


def access_unplaced_reports(user: User) -> tuple[list[Report], int]:
    """Reports nobody could place yet, oldest first (the first 100), and how many there are.

    Their text is shown so an operator can find the place in it: audited as
    ``incidents.unplaced_view``.
    """
    _require(user, TRIAGE_ROLES)
    waiting = _unplaced()
    reports: list[Report] = list(
        waiting.select_related("town", "inbound")
        .annotate(photo_count=Count("photos"))
        .order_by("received_at", "pk")[:UNPLACED_LIMIT]
    )
    total = len(reports) if len(reports) < UNPLACED_LIMIT else waiting.count()
    record_event(actor=user, action="incidents.unplaced_view")
    return reports, total


def report_for_placing(user: User, report_id: uuid.UUID) -> Report:
    """An unplaced, unpurged report an operator is placing; 404 otherwise. The action audits."""
    _require(user, TRIAGE_ROLES)
    return get_object_or_404(_unplaced(), pk=report_id)


# --- metrics -----------------------------------------------------------------------


def access_metrics(user: User, *, since: dt.datetime) -> dict[str, Any]:
    """Counts and decision times since ``since`` (anonymous figures), for coordinators."""
    _require(user, METRICS_ROLES)
    summary: dict[str, Any] = metrics.summary(since)
    return summary
