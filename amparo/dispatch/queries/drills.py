"""Reads of readiness drills for coordinators: the list and each drill's report, audited.

A drill's report tells how ready the network is: of the responders offered
the practice dispatch, how many answered, would go or could not, and how
fast (from the offer being queued to their first answer), per area (the
responder's home town, or "no area"), per skill (a responder counts in each
of their skills) and in total. Areas and skills are the responders' as they
are now, not as they were during the drill.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from amparo.accounts.models import User
from amparo.audit.actions import record_event
from amparo.dispatch.actions import DISPATCH_ROLES
from amparo.dispatch.models import Drill, Offer, OfferStatus, Skill

DRILL_LIST_LIMIT = 100


def _require_coordinator(user: User) -> None:
    if not user.has_role(*DISPATCH_ROLES):
        raise PermissionDenied


@dataclass(frozen=True)
class DrillRow:
    """One drill in the list, with its headline figures."""

    drill: Drill
    offered: int
    answered: int
    would_go: int


def access_drills(user: User) -> list[DrillRow]:
    """The latest drills, newest first, for a coordinator; audited once. One query."""
    _require_coordinator(user)
    drills = (
        Drill.objects.select_related("town")
        .annotate(
            offered=Count("offers"),
            answered=Count(
                "offers",
                filter=Q(offers__status__in=[OfferStatus.ACCEPTED, OfferStatus.DECLINED]),
            ),
            would_go=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED)),
        )
        .order_by("-started_at")[:DRILL_LIST_LIMIT]
    )
    rows = [
        DrillRow(
            drill=drill,
            offered=drill.offered,
            answered=drill.answered,
            would_go=drill.would_go,
        )
        for drill in drills
    ]
    record_event(actor=user, action="dispatch.drills_view")
    return rows


@dataclass(frozen=True)
class Readiness:
    """The figures of one group of offers (an area, a skill, or all of them)."""

    label: str
    offered: int
    answered: int
    would_go: int
    cant_go: int
    no_answer: int
    median: dt.timedelta | None  # of the answers' times; None without answers
    slowest: dt.timedelta | None

    @classmethod
    def of(cls, label: str, offers: Iterable[Offer]) -> Readiness:
        offers = list(offers)
        statuses = [offer.status for offer in offers]
        times = sorted(
            offer.answered_at - offer.sent_at
            for offer in offers
            if offer.answered_at is not None and offer.status in ANSWERED
        )
        seconds = [time.total_seconds() for time in times]
        return cls(
            label=label,
            offered=len(offers),
            answered=len(times),
            would_go=statuses.count(OfferStatus.ACCEPTED),
            cant_go=statuses.count(OfferStatus.DECLINED),
            no_answer=len(offers) - len(times),
            median=dt.timedelta(seconds=statistics.median(seconds)) if seconds else None,
            slowest=times[-1] if times else None,
        )


ANSWERED = frozenset({OfferStatus.ACCEPTED, OfferStatus.DECLINED})


@dataclass(frozen=True)
class ResponderAnswer:
    """One responder's answer, for the coordinator to follow up those who did not."""

    offer: Offer
    time: dt.timedelta | None


@dataclass(frozen=True)
class DrillReport:
    drill: Drill
    running: bool
    by_area: list[Readiness]
    by_skill: list[Readiness]
    total: Readiness
    answers: list[ResponderAnswer]


def drill_report(drill: Drill) -> DrillReport:
    """The figures of ``drill`` (see the module docstring). One query; no check, no audit."""
    offers = list(
        Offer.objects.filter(drill=drill)
        .select_related("responder__home_town")
        .order_by("sent_at", "pk")
    )
    # Towns by name, "no area" last; keyed by the town (two towns may share a name).
    areas: dict[object, tuple[str, list[Offer]]] = {}
    for offer in sorted(offers, key=lambda o: (o.responder.home_town_id is None, _area(o))):
        group = areas.setdefault(offer.responder.home_town_id, (_area(offer), []))
        group[1].append(offer)
    skills: dict[str, list[Offer]] = {}
    labels = dict(Skill.choices)
    for skill in Skill.values:
        having = [o for o in offers if skill in o.responder.skills]
        if having:
            skills[str(labels[skill])] = having
    without = [o for o in offers if not set(o.responder.skills) & set(Skill.values)]
    if without:
        skills[_("no skill")] = without
    answers = [
        ResponderAnswer(
            offer=offer,
            time=offer.answered_at - offer.sent_at
            if offer.answered_at is not None and offer.status in ANSWERED
            else None,
        )
        for offer in offers
    ]
    return DrillReport(
        drill=drill,
        running=drill.ended_at is None,
        by_area=[Readiness.of(label, group) for label, group in areas.values()],
        by_skill=[Readiness.of(label, group) for label, group in skills.items()],
        total=Readiness.of(_("all"), offers),
        answers=answers,
    )


def _area(offer: Offer) -> str:
    town = offer.responder.home_town
    return town.name if town is not None else _("no area")


def access_drill_report(user: User, drill_id: uuid.UUID) -> DrillReport:
    """A drill's report with its responders' names, for a coordinator; audited once."""
    _require_coordinator(user)
    drill = get_object_or_404(Drill.objects.select_related("town"), pk=drill_id)
    report = drill_report(drill)
    record_event(actor=user, action="dispatch.drill_view", target=drill)
    return report


def drill_for_action(user: User, drill_id: uuid.UUID) -> Drill:
    """The drill a coordinator is about to end; not audited (the action is)."""
    _require_coordinator(user)
    return get_object_or_404(Drill, pk=drill_id)
