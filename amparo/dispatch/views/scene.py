"""A responder's own page (offers, reports from the scene); a coordinator ends a deployment.

Every page works without JavaScript: each button is a small form. Reads go
through :mod:`amparo.dispatch.queries.scene`, writes through
:mod:`amparo.dispatch.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.dispatch import actions
from amparo.dispatch.actions import DISPATCH_ROLES, STAFF_RESPONDER_ROLES
from amparo.dispatch.actions.scene import VERDICTS
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.forms import SceneReportForm
from amparo.dispatch.models import OfferStatus
from amparo.dispatch.queries import scene as queries


@role_required(*STAFF_RESPONDER_ROLES)
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in responder's open offers, deployments and shifts of the next week."""
    mine = queries.access_my_dispatches(signed_in_user(request))
    context = {"mine": mine, "checkin_minutes": settings.AMPARO_DISPATCH_CHECKIN_MINUTES}
    return render(request, "dispatch/me.html", context)


@role_required(*STAFF_RESPONDER_ROLES)
@require_POST
def answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Accept or decline one of the responder's own offers."""
    offer = queries.my_offer(signed_in_user(request), offer_id)
    choice = request.POST.get("answer")
    if choice not in {"accept", "decline"}:
        messages.error(request, _("Choose to go or not."))
        return redirect("dispatch:me")
    offer = actions.answer_offer(offer=offer, accept=choice == "accept")
    if offer.status == OfferStatus.ACCEPTED:
        messages.success(
            request,
            _("You're going. Report here, or text HERE when you arrive and OK while there."),
        )
    elif offer.status == OfferStatus.COVERED:
        messages.info(request, _("Covered by others, thank you: no need to go."))
    elif offer.status == OfferStatus.DECLINED:
        messages.info(request, _("Noted that you can't go."))
    else:
        messages.info(request, _("This offer is closed. No need to go, thank you."))
    return redirect("dispatch:me")


@role_required(*STAFF_RESPONDER_ROLES)
@require_POST
def report(request: HttpRequest, offer_id: int) -> HttpResponse:
    """A report from the scene, from the responder's own page."""
    user = signed_in_user(request)
    offer = queries.my_offer(user, offer_id)
    form = SceneReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("dispatch:me")
    try:
        actions.report_from_scene(
            offer=offer,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            via="web",
            by=user,
        )
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["kind"] in VERDICTS:
            messages.success(request, _("Your report is recorded; the coordinators decide."))
        else:
            messages.success(request, _("Your report is recorded."))
    return redirect("dispatch:me")


@role_required(*DISPATCH_ROLES)
@require_POST
def close_deployment(request: HttpRequest, offer_id: int) -> HttpResponse:
    """A coordinator records that a responder is safe and gone (e.g. after a phone call)."""
    user = signed_in_user(request)
    offer = queries.offer_to_close(user, offer_id)
    try:
        actions.close_deployment(offer=offer, by=user)
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded: the responder is safe and gone."))
    return redirect("dispatch:incident_offers", incident_id=offer.incident_id)
