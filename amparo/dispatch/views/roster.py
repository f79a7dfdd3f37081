"""Coordinator pages for the roster and shifts, and each responder's calendar feed.

Every page works without JavaScript. Reads go through
:mod:`amparo.dispatch.queries` (role check and audit), writes through
:mod:`amparo.dispatch.actions`. The feed is the one page without sign-in:
its URL holds a secret given to the responder, and it shows shift times only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from amparo.accounts.decorators import role_required, sensitive_action, signed_in_user
from amparo.dispatch import actions
from amparo.dispatch.actions import MANAGE_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.forms import WEEKDAYS, ResponderForm, ShiftForm, WeekForm
from amparo.dispatch.ical import shifts_calendar
from amparo.dispatch.models import Responder, ShiftKind, Skill, SpokenLanguage
from amparo.dispatch.queries import roster as queries
from amparo.dispatch.schedule import DAY, WEEK, network_zone, shift_warnings, week_start


def _labels(values: list[str], choices: dict[str, str]) -> str:
    return ", ".join(choices.get(value, value) for value in values)


@role_required(*MANAGE_ROLES)
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    responders = queries.access_roster(signed_in_user(request))
    skills = {key: str(label) for key, label in Skill.choices}
    languages = dict(SpokenLanguage.choices)
    rows = [
        {
            "responder": responder,
            "skills": _labels(responder.skills, skills),
            "languages": _labels(responder.languages, languages),
        }
        for responder in responders
    ]
    return render(request, "dispatch/roster.html", {"rows": rows})


@role_required(*MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@sensitive_action
def add_responder(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ResponderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            responder = actions.add_responder(by=user, **form.profile())
        except DispatchError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Responder added."))
            return redirect("dispatch:responder", responder_id=responder.pk)
    return render(request, "dispatch/responder_form.html", {"form": form, "responder": None})


@role_required(*MANAGE_ROLES)
@require_GET
def responder_page(request: HttpRequest, responder_id: uuid.UUID) -> HttpResponse:
    responder = queries.access_responder(signed_in_user(request), responder_id)
    return _responder_page(request, responder, ShiftForm())


def _responder_page(
    request: HttpRequest, responder: Responder, shift_form: ShiftForm, status: int = 200
) -> HttpResponse:
    skills = {key: str(label) for key, label in Skill.choices}
    zone = network_zone()
    weekdays = {number: str(name) for number, name in WEEKDAYS}
    shifts = []
    for shift in getattr(responder, "shift_list", []):
        if shift.weekly:
            when = _("%(day)s %(start)s-%(end)s, every week") % {
                "day": weekdays[shift.weekday],
                "start": shift.start_time.strftime("%H:%M"),
                "end": shift.end_time.strftime("%H:%M"),
            }
        else:
            starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
            when = f"{starts:%Y-%m-%d %H:%M} - {ends:%Y-%m-%d %H:%M}"
        shifts.append({"shift": shift, "when": when, "kind": shift.get_kind_display()})
    context = {
        "responder": responder,
        "skills": _labels(responder.skills, skills),
        # Not "languages": the page header names its language menu so.
        "spoken_languages": _labels(responder.languages, dict(SpokenLanguage.choices)),
        "shifts": shifts,
        "shift_form": shift_form,
        "zone": settings.TIME_ZONE,
        "form": ResponderForm(initial=ResponderForm.initial_for(responder), responder=responder),
    }
    return render(request, "dispatch/responder.html", context, status=status)


@role_required(*MANAGE_ROLES)
@require_POST
@sensitive_action
def edit_responder(request: HttpRequest, responder_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    responder = queries.responder_for_action(user, responder_id)
    form = ResponderForm(request.POST, responder=responder)
    if form.is_valid():
        try:
            actions.update_responder(responder=responder, by=user, **form.profile())
        except DispatchError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("dispatch:responder", responder_id=responder.pk)
    return render(
        request, "dispatch/responder_form.html", {"form": form, "responder": responder}, status=400
    )


@role_required(*MANAGE_ROLES)
@require_POST
def set_active(request: HttpRequest, responder_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    responder = queries.responder_for_action(user, responder_id)
    if request.POST.get("active") == "1":
        actions.reactivate_responder(responder=responder, by=user)
        messages.success(request, _("The responder is active again."))
    else:
        actions.deactivate_responder(responder=responder, by=user)
        messages.success(
            request, _("The responder is off the roster: never on call, calendar feed stopped.")
        )
    return redirect("dispatch:responder", responder_id=responder.pk)


@role_required(*MANAGE_ROLES)
@require_POST
@sensitive_action
def add_shift(request: HttpRequest, responder_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    form = ShiftForm(request.POST)
    if form.is_valid():
        responder = queries.responder_for_action(user, responder_id)
        try:
            shift = actions.add_shift(responder=responder, by=user, **form.times())
        except DispatchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Shift added."))
            for warning in shift_warnings(shift, now=timezone.now()):
                messages.warning(request, warning)
        return redirect("dispatch:responder", responder_id=responder.pk)
    responder = queries.access_responder(user, responder_id)
    return _responder_page(request, responder, form, status=400)


@role_required(*MANAGE_ROLES)
@require_POST
def remove_shift(request: HttpRequest, shift_id: int) -> HttpResponse:
    user = signed_in_user(request)
    shift = queries.shift_for_action(user, shift_id)
    responder_id = shift.responder_id
    actions.remove_shift(shift=shift, by=user)
    messages.success(request, _("Shift removed."))
    return redirect("dispatch:responder", responder_id=responder_id)


@role_required(*MANAGE_ROLES)
@require_POST
def new_feed(request: HttpRequest, responder_id: uuid.UUID) -> HttpResponse:
    """A new calendar feed address, shown on this response only (never in a message or log)."""
    user = signed_in_user(request)
    responder = queries.responder_for_action(user, responder_id)
    try:
        token = actions.new_feed_token(responder=responder, by=user)
    except DispatchError as exc:
        messages.error(request, str(exc))
        return redirect("dispatch:responder", responder_id=responder.pk)
    feed_url = settings.AMPARO_PUBLIC_URL + reverse("dispatch:feed", args=[token])
    response = render(
        request, "dispatch/feed_address.html", {"responder": responder, "feed_url": feed_url}
    )
    response["Cache-Control"] = "no-store"
    return response


@role_required(*MANAGE_ROLES)
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    form = WeekForm(request.GET or None)
    today = timezone.localdate()
    chosen = form.cleaned_data.get("week") if form.is_valid() else None
    monday = week_start(chosen or today)
    rows = queries.access_week(signed_in_user(request), monday)
    context = {
        "rows": rows,
        "days": [monday + offset * DAY for offset in range(7)],
        "monday": monday,
        "previous": (monday - WEEK).isoformat(),
        "next": (monday + WEEK).isoformat(),
        "this_week": week_start(today).isoformat(),
        "form": form,
    }
    return render(request, "dispatch/calendar.html", context)


@login_not_required
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    responder = queries.responder_for_feed(token)
    if responder is None:
        raise Http404
    summaries = {
        ShiftKind.OPERATOR: _("Hotline shift"),
        ShiftKind.FIELD: _("Field shift"),
    }
    body = shifts_calendar(
        responder.shifts.all(),
        summaries={str(k): v for k, v in summaries.items()},
        now=timezone.now().replace(microsecond=0),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
