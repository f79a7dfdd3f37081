"""Readiness drills for coordinators: the list, starting one, its report, ending it."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.dispatch import actions
from amparo.dispatch.actions import DISPATCH_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.forms import DrillForm
from amparo.dispatch.models import Skill
from amparo.dispatch.queries import drills as queries


@role_required(*DISPATCH_ROLES)
@require_GET
def drills(request: HttpRequest) -> HttpResponse:
    """The latest drills and the form to start one."""
    return _drills(request, DrillForm())


def _drills(request: HttpRequest, form: DrillForm, status: int = 200) -> HttpResponse:
    rows = queries.access_drills(signed_in_user(request))
    context = {"rows": rows, "form": form, "minutes": settings.AMPARO_DRILL_MINUTES}
    return render(request, "dispatch/drills.html", context, status=status)


@role_required(*DISPATCH_ROLES)
@require_POST
def start_drill(request: HttpRequest) -> HttpResponse:
    form = DrillForm(request.POST)
    if not form.is_valid():
        return _drills(request, form, status=400)
    try:
        drill = actions.start_drill(
            by=signed_in_user(request),
            town=form.cleaned_data["town"],
            skill=form.cleaned_data["skill"],
        )
    except DispatchError as exc:
        form.add_error(None, str(exc))
        return _drills(request, form, status=400)
    count = drill.offers.count()
    messages.success(
        request,
        ngettext(
            "Drill started: practice offer texted to %(count)d responder.",
            "Drill started: practice offers texted to %(count)d responders.",
            count,
        )
        % {"count": count},
    )
    return redirect("dispatch:drill", drill_id=drill.pk)


@role_required(*DISPATCH_ROLES)
@require_GET
def drill(request: HttpRequest, drill_id: uuid.UUID) -> HttpResponse:
    """A drill's report: who answered and how fast, per area and skill."""
    report = queries.access_drill_report(signed_in_user(request), drill_id)
    skills = {key: str(label) for key, label in Skill.choices}
    context = {
        "report": report,
        "drill": report.drill,
        "skill": skills.get(report.drill.skill, ""),
        "by_area": [_row(row) for row in report.by_area],
        "by_skill": [_row(row) for row in report.by_skill],
        "total": _row(report.total),
        "answers": [
            {
                "offer": answer.offer,
                "skills": ", ".join(skills.get(s, s) for s in answer.offer.responder.skills),
                "time": duration(answer.time),
            }
            for answer in report.answers
        ],
    }
    return render(request, "dispatch/drill.html", context)


def _row(row: queries.Readiness) -> dict[str, object]:
    return {
        "figures": row,
        "median": duration(row.median),
        "slowest": duration(row.slowest),
    }


def duration(value: dt.timedelta | None) -> str:
    """An answer time as minutes and seconds ("2 min 05 s"); "" for none."""
    if value is None:
        return ""
    minutes, seconds = divmod(round(value.total_seconds()), 60)
    return _("%(minutes)d min %(seconds)02d s") % {"minutes": minutes, "seconds": seconds}


@role_required(*DISPATCH_ROLES)
@require_POST
def end_drill(request: HttpRequest, drill_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    drill = queries.drill_for_action(user, drill_id)
    actions.end_drill(drill=drill, by=user)
    messages.success(request, _("Drill ended."))
    return redirect("dispatch:drill", drill_id=drill.pk)
