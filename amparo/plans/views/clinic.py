"""A volunteer at a clinic registers a family's plan: the same form, the code shown once.

The family chooses its PIN and types it in itself, or says it to the volunteer;
nothing else is asked of staff. The plan is marked as registered by a volunteer
(and by whom), and the volunteer never reads it again: staff open a plan only
once it is activated. As on the public form, the code crosses the redirect in
the session as a sealed token that the next page takes out as it shows the
code; that token downloads the wallet card and nothing else (it cannot open,
change or delete the plan: only the family's code and PIN do).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.accounts.models import Role
from amparo.plans import codes
from amparo.plans.actions import register_plan
from amparo.plans.cards import plan_hotline
from amparo.plans.errors import PlansError
from amparo.plans.forms import PlanEntry
from amparo.plans.models import PlanSource
from amparo.plans.views.public import (
    entry_context,
    private_page,
    remember_registration,
    take_registration,
)

CLINIC_ROLES = (Role.OPERATOR, Role.COORDINATOR, Role.LEGAL)


@role_required(*CLINIC_ROLES)
@private_page
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """GET: the code of the plan just registered (once), else a blank form. POST: register."""
    if request.method != "POST":
        held = take_registration(request)
        if held is not None:
            context = {
                "code": codes.show_code(held.code),
                "token": held.token,
                "hotline": plan_hotline(),
            }
            return render(request, "plans/clinic/registered.html", context)
        return render(request, "plans/clinic/register.html", entry_context(PlanEntry()))
    entry = PlanEntry(request.POST)
    if not entry.is_valid():
        return render(request, "plans/clinic/register.html", entry_context(entry), status=400)
    try:
        plan, code = register_plan(
            contents=entry.contents(),
            pin=entry.new_pin,
            language=entry.language,
            source=PlanSource.VOLUNTEER,
            by=signed_in_user(request),
        )
    except PlansError as exc:
        entry.details.add_error(None, str(exc))
        return render(request, "plans/clinic/register.html", entry_context(entry), status=400)
    remember_registration(request, plan, code)
    return redirect("plans:clinic_register")
