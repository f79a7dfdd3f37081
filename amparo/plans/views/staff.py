"""Staff pages of family plans: the activations, activating for a caller, the first hours.

Open to operators, coordinators and legal (``queries.ACTIVATION_ROLES``).
Staff never see a plan that was not activated.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.cases.actions import set_task_done
from amparo.cases.errors import CasesError
from amparo.plans import actions, queries
from amparo.plans.contents import PlanContents
from amparo.plans.models import ActivatedBy, ActivationNotice, NoticeStatus
from amparo.plans.queries import ACTIVATION_ROLES
from amparo.plans.staff_forms import ActivateForm


@role_required(*ACTIVATION_ROLES)
@require_GET
def activations(request: HttpRequest) -> HttpResponse:
    """The latest activations: case, when, by whom, who was texted, what is left to do."""
    rows = queries.access_activations(signed_in_user(request))
    return render(request, "plans/staff/activations.html", {"rows": rows})


@role_required(*ACTIVATION_ROLES)
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """An operator activates a plan with the code and PIN a caller gives.

    A plan locked by wrong PINs still opens here (the family must not be locked out
    of the hotline); staff's own wrong PINs are limited instead (``check_pin``).
    """
    user = signed_in_user(request)
    if request.method != "POST":
        return _activate_page(request, ActivateForm())
    form = ActivateForm(request.POST)
    if not form.is_valid():
        return _activate_page(request, form, status=400)
    plan = queries.find_plan(form.cleaned_data["code"])
    answer = (
        actions.check_unknown_code_for_staff(by=user)
        if plan is None
        else actions.check_pin(plan=plan, pin=form.cleaned_data["pin"], by=user)
    )
    if answer is actions.PinCheck.REFUSED:
        form.stop()
        return _activate_page(request, form, status=429)
    if plan is None or answer is not actions.PinCheck.OK:
        form.refuse()
        return _activate_page(request, form, status=400)
    result = actions.activate_plan(plan=plan, by=ActivatedBy.OPERATOR, by_user=user)
    reference = result.activation.case.reference
    if result.capped:
        messages.warning(
            request,
            _(
                "This plan was already activated twice today (case %(code)s): "
                "nobody was texted again. Call the family and its contacts."
            )
            % {"code": reference},
        )
    elif result.repeated:
        messages.warning(
            request,
            _(
                "This plan was activated less than 30 minutes ago (case %(code)s): "
                "nobody was texted again."
            )
            % {"code": reference},
        )
    else:
        texted = result.activation.notices.filter(status=NoticeStatus.QUEUED).count()
        messages.success(
            request,
            ngettext(
                "Plan activated: case %(code)s opened, %(count)d contact texted.",
                "Plan activated: case %(code)s opened, %(count)d contacts texted.",
                texted,
            )
            % {"code": reference, "count": texted},
        )
    return redirect("plans:activation", activation_id=result.activation.pk)


def _activate_page(request: HttpRequest, form: ActivateForm, status: int = 200) -> HttpResponse:
    return render(request, "plans/staff/activate.html", {"form": form}, status=status)


@role_required(*ACTIVATION_ROLES)
@require_GET
def activation(request: HttpRequest, activation_id: uuid.UUID) -> HttpResponse:
    """What the first hours need: the people, the contacts and who was texted, the checklist."""
    page = queries.access_activation(signed_in_user(request), activation_id)
    context = {
        "page": page,
        "activation": page.activation,
        "case": page.activation.case,
        "contents": page.contents,
        "case_closed": page.case_closed,
        "contacts": _contacts(page.contents, page.notices),
        "tasks": page.tasks,
    }
    return render(request, "plans/staff/activation.html", context)


def _contacts(
    contents: PlanContents | None, notices: list[ActivationNotice]
) -> list[dict[str, object]]:
    """Each emergency contact with what happened to their notice (by position in the plan)."""
    if contents is None:
        return []
    by_position = {notice.position: notice for notice in notices}
    return [
        {"person": person, "notice": by_position.get(position)}
        for position, person in enumerate(contents.contacts)
    ]


@role_required(*ACTIVATION_ROLES)
@require_POST
def set_task(request: HttpRequest, activation_id: uuid.UUID, task_id: int) -> HttpResponse:
    """Tick (done=1) or untick (done=0) a checklist item."""
    user = signed_in_user(request)
    task = queries.task_for_action(user, activation_id, task_id)
    try:
        set_task_done(task=task, done=request.POST.get("done") == "1", by=user)
    except CasesError as exc:
        messages.error(request, str(exc))
    return redirect("plans:activation", activation_id=activation_id)
