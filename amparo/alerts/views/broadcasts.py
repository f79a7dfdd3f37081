"""Coordinator pages of broadcasts: list, draft, approval by a second coordinator, progress.

Every page works without JavaScript; ``alerts/broadcast_progress.js`` only
refreshes the progress box in place. Reads go through
:mod:`amparo.alerts.queries.broadcasts` (role check and audit), writes through
:mod:`amparo.alerts.actions.broadcasts`. The emergency override asks the
author to re-authenticate first.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.decorators import role_required, sensitive_action, signed_in_user
from amparo.accounts.models import User
from amparo.alerts.actions import broadcasts as actions
from amparo.alerts.actions.broadcasts import COORDINATOR_ROLES
from amparo.alerts.checks import BodyRefused
from amparo.alerts.errors import AlertsError
from amparo.alerts.forms.broadcasts import BroadcastForm, CorrectionForm, OverrideForm
from amparo.alerts.models import Broadcast, BroadcastKind, BroadcastStatus
from amparo.alerts.planner import Plan, describe_duration, plan_broadcast
from amparo.alerts.queries import broadcasts as queries
from amparo.alerts.texts import LANGUAGES, prefill, preview
from amparo.contacts.models import Language
from amparo.incidents.models import Incident
from amparo.places.models import Town

# How often the progress box refreshes itself, in seconds.
POLL_SECONDS = 3


def _form_error(form: BroadcastForm | CorrectionForm, exc: AlertsError) -> None:
    if isinstance(exc, BodyRefused):
        form.add_error(f"body_{exc.language}", exc.explain())
    else:
        form.add_error(None, str(exc))


def _plan_context(plan: Plan) -> dict[str, Any]:
    towns = dict(
        Town.objects.filter(pk__in={t for t, _ in plan.by_town_language}).values_list("pk", "name")
    )
    labels = dict(Language.choices)
    rows = [
        {"town": towns.get(town, "—"), "language": labels.get(language, language), "count": count}
        for (town, language), count in sorted(
            plan.by_town_language.items(), key=lambda item: (towns.get(item[0][0], ""), item[0][1])
        )
    ]
    return {
        "plan": plan,
        "plan_rows": rows,
        "plan_languages": [
            {"line": line, "label": labels.get(line.language, line.language)}
            for line in plan.languages
        ],
        "plan_duration": describe_duration(plan.seconds),
        "plan_validity": describe_duration(plan.validity_seconds),
    }


def _prefilled(kind: str, incident: Incident | None, towns: list[Town]) -> dict[str, str]:
    return {
        f"body_{language}": prefill(kind, language, towns=towns, incident=incident)
        for language in LANGUAGES
    }


@role_required(*COORDINATOR_ROLES)
@require_GET
def broadcast_list(request: HttpRequest) -> HttpResponse:
    broadcasts = queries.access_broadcasts(signed_in_user(request))
    return render(request, "alerts/broadcast_list.html", {"broadcasts": broadcasts})


@role_required(*COORDINATOR_ROLES)
@require_http_methods(["GET", "POST"])
def new_broadcast(request: HttpRequest) -> HttpResponse:
    """Draft a broadcast; "Fill in from the template" refills the texts (no JavaScript)."""
    user = signed_in_user(request)
    if request.method == "GET":
        form = BroadcastForm(initial=_initial_from_query(request))
        return render(request, "alerts/broadcast_form.html", {"form": form, "broadcast": None})
    form = BroadcastForm(request.POST)
    if "refill" in request.POST:
        return _refilled(request, form, broadcast=None)
    if form.is_valid():
        try:
            broadcast = actions.draft_broadcast(
                by=user,
                kind=form.cleaned_data["kind"],
                bodies=form.bodies(),
                towns=form.cleaned_data["towns"],
                incident=form.cleaned_data["incident"],
            )
        except AlertsError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Draft saved. Check the plan, then submit it for approval.")
            )
            return redirect("alerts:broadcast", broadcast_id=broadcast.pk)
    return render(
        request, "alerts/broadcast_form.html", {"form": form, "broadcast": None}, status=400
    )


def _initial_from_query(request: HttpRequest) -> dict[str, Any]:
    kind = request.GET.get("kind", BroadcastKind.CONFIRMED)
    if kind not in BroadcastKind.values:
        kind = BroadcastKind.CONFIRMED
    incident = None
    if request.GET.get("incident"):
        try:
            incident = (
                Incident.objects.select_related("town")
                .filter(pk=uuid.UUID(request.GET["incident"]))
                .first()
            )
        except ValueError:
            incident = None
    towns = [incident.town] if incident is not None and incident.town else []
    return {
        "kind": kind,
        "incident": incident,
        "towns": towns,
        **_prefilled(kind, incident, towns),
    }


def _refilled(
    request: HttpRequest, form: BroadcastForm, *, broadcast: Broadcast | None
) -> HttpResponse:
    """The same form with its texts replaced by the chosen kind's template."""
    form.is_valid()  # to read kind, incident and towns; body errors do not matter here
    data = request.POST.copy()
    kind = form.cleaned_data.get("kind") or BroadcastKind.CONFIRMED
    incident = form.cleaned_data.get("incident")
    towns = list(form.cleaned_data.get("towns") or [])
    for name, text in _prefilled(kind, incident, towns).items():
        data[name] = text
    return render(
        request,
        "alerts/broadcast_form.html",
        {"form": BroadcastForm(initial=_as_initial(data)), "broadcast": broadcast},
    )


def _as_initial(data: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {key: data.get(key) for key in data}
    initial["towns"] = data.getlist("towns")
    return initial


@role_required(*COORDINATOR_ROLES)
@require_GET
def broadcast_page(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    broadcast = queries.access_broadcast(user, broadcast_id)
    return render(request, "alerts/broadcast_detail.html", _detail_context(user, broadcast))


def _detail_context(user: User, broadcast: Broadcast) -> dict[str, Any]:
    labels = dict(Language.choices)
    waiting = broadcast.status in (BroadcastStatus.DRAFT, BroadcastStatus.PENDING)
    context: dict[str, Any] = {
        "broadcast": broadcast,
        "previews": [
            {"preview": item, "label": labels.get(item.language, item.language)}
            for item in preview(broadcast.bodies)
        ],
        "is_author": broadcast.author_id == user.pk,
        "towns": ", ".join(town.name for town in broadcast.towns.all()),
        "waiting": waiting,
        "poll_seconds": POLL_SECONDS,
    }
    if waiting:
        context.update(_plan_context(plan_broadcast(broadcast)))
    if broadcast.status == BroadcastStatus.PENDING:
        # What this page shows, carried by its Approve button.
        context["version"] = queries.broadcast_version(broadcast)
    if broadcast.queued_at is not None:
        context["progress"] = queries.progress_of(broadcast)
    return context


@role_required(*COORDINATOR_ROLES)
@require_http_methods(["GET", "POST"])
def edit_broadcast(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    broadcast = queries.access_broadcast(user, broadcast_id)
    if request.method == "GET":
        initial = {
            "kind": broadcast.kind,
            "incident": broadcast.incident,
            "towns": list(broadcast.towns.all()),
            **{f"body_{lang}": text for lang, text in broadcast.bodies.items()},
        }
        form = BroadcastForm(initial=initial)
        return render(request, "alerts/broadcast_form.html", {"form": form, "broadcast": broadcast})
    form = BroadcastForm(request.POST)
    if "refill" in request.POST:
        return _refilled(request, form, broadcast=broadcast)
    if form.is_valid():
        if form.cleaned_data["kind"] != broadcast.kind:
            form.add_error("kind", _("The kind of a draft cannot change: start a new one."))
        else:
            try:
                actions.update_draft(
                    broadcast=broadcast,
                    by=user,
                    bodies=form.bodies(),
                    towns=form.cleaned_data["towns"],
                    incident=form.cleaned_data["incident"],
                )
            except AlertsError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("alerts:broadcast", broadcast_id=broadcast.pk)
    return render(
        request, "alerts/broadcast_form.html", {"form": form, "broadcast": broadcast}, status=400
    )


def _step(request: HttpRequest, broadcast_id: uuid.UUID, step: str, **extra: Any) -> HttpResponse:
    user = signed_in_user(request)
    broadcast = queries.broadcast_for_action(user, broadcast_id)
    done: dict[str, tuple[Any, str]] = {
        "submit": (actions.submit_broadcast, _("Submitted: a second coordinator must approve it.")),
        "approve": (actions.approve_broadcast, _("Approved: the messages are on their way.")),
        "send_back": (actions.send_back_broadcast, _("Sent back to its author as a draft.")),
        "cancel": (actions.cancel_broadcast, _("Cancelled: it will not be sent.")),
        "halt": (actions.halt_broadcast, _("Halted: no more of its messages will be sent.")),
        "withdraw": (
            actions.withdraw_from_feed,
            _("Withdrawn from the public feed: its page is gone."),
        ),
    }
    action, message = done[step]
    try:
        action(broadcast=broadcast, by=user, **extra)
    except AlertsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("alerts:broadcast", broadcast_id=broadcast.pk)


@role_required(*COORDINATOR_ROLES)
@require_POST
def submit(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    return _step(request, broadcast_id, "submit")


@role_required(*COORDINATOR_ROLES)
@require_POST
def approve(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    """Approve the version the page showed (its hidden ``version``); a form without one approves
    nothing."""
    return _step(request, broadcast_id, "approve", expected=request.POST.get("version", ""))


@role_required(*COORDINATOR_ROLES)
@require_POST
def send_back(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    return _step(request, broadcast_id, "send_back")


@role_required(*COORDINATOR_ROLES)
@require_POST
def cancel(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    return _step(request, broadcast_id, "cancel")


@role_required(*COORDINATOR_ROLES)
@require_POST
def halt(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    """Any coordinator stops an alert being sent; a ticked box confirms (no JavaScript)."""
    if request.POST.get("confirm") != "on":
        broadcast = queries.broadcast_for_action(signed_in_user(request), broadcast_id)
        messages.error(request, _("Tick the box to confirm, then press Halt again."))
        return redirect("alerts:broadcast", broadcast_id=broadcast.pk)
    return _step(request, broadcast_id, "halt")


@role_required(*COORDINATOR_ROLES)
@require_POST
def withdraw(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    return _step(request, broadcast_id, "withdraw")


@role_required(*COORDINATOR_ROLES)
@require_http_methods(["GET", "POST"])
@sensitive_action
def override(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    """The author sends alone in an emergency: re-authenticated, reason chosen, audited."""
    user = signed_in_user(request)
    broadcast = queries.access_broadcast(user, broadcast_id)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.send_with_override(
                broadcast=broadcast, by=user, reason=form.cleaned_data["reason"]
            )
        except AlertsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.warning(request, _("Sent without a second coordinator. This is recorded."))
            return redirect("alerts:broadcast", broadcast_id=broadcast.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "alerts/broadcast_override.html",
        {"form": form, "broadcast": broadcast, **_detail_context(user, broadcast)},
        status=status,
    )


@role_required(*COORDINATOR_ROLES)
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    """Draft a correction or retraction, to exactly the original's recipients."""
    user = signed_in_user(request)
    original = queries.access_broadcast(user, broadcast_id)
    if request.method == "GET":
        initial: dict[str, str] = {"kind": BroadcastKind.CORRECTION.value}
        at = original.queued_at
        for language in LANGUAGES:
            initial[f"body_{language}"] = prefill(
                BroadcastKind.CORRECTION, language, towns=[], at=at
            )
        form = CorrectionForm(initial=initial)
        return render(
            request, "alerts/broadcast_correct.html", {"form": form, "original": original}
        )
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            correction = actions.draft_correction(
                original=original, by=user, kind=form.cleaned_data["kind"], bodies=form.bodies()
            )
        except AlertsError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Draft saved. A second coordinator must approve it."))
            return redirect("alerts:broadcast", broadcast_id=correction.pk)
    return render(
        request, "alerts/broadcast_correct.html", {"form": form, "original": original}, status=400
    )


@role_required(*COORDINATOR_ROLES)
@require_GET
def progress(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    """The progress box alone, for broadcast_progress.js to swap in (counts only, not audited)."""
    broadcast = queries.broadcast_for_action(signed_in_user(request), broadcast_id)
    response = render(
        request,
        "alerts/broadcast_progress_box.html",
        {"broadcast": broadcast, "progress": queries.progress_of(broadcast)},
    )
    response["Cache-Control"] = "no-store"
    return response
