"""The dispatch page of an incident: its offers, and sending more (coordinators).

The page works without JavaScript (its Refresh link reloads it); with it,
``amparo/live_rows.js`` (CSP: our own scripts only) swaps in the offers'
rows every few seconds, so an accept texted by a responder shows up by itself.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_POST,
)

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.dispatch import actions
from amparo.dispatch.actions import DISPATCH_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.forms import OfferForm
from amparo.dispatch.queries import offers as queries
from amparo.dispatch.queries.offers import DISPATCH_VIEW_ROLES

# How often live_rows.js asks for fresh rows: an accept shows within this many seconds.
POLL_SECONDS = 3


@role_required(*DISPATCH_VIEW_ROLES)
@require_GET
def incident_offers(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """An incident's dispatch: its offers, and for coordinators who to send next."""
    return _incident_offers(request, incident_id, None)


@role_required(*DISPATCH_VIEW_ROLES)
@require_GET
def incident_offers_rows(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """The offers' rows alone, for ``live_rows.js``."""
    panel = queries.dispatch_rows_for(signed_in_user(request), incident_id)
    context = {"panel": panel, "incident": panel.incident, "fragment": True}
    response = render(request, "dispatch/_offer_rows.html", context)
    response["X-Live-Rows"] = "1"  # live_rows.js swaps in only what carries this mark
    response["Cache-Control"] = "no-store"
    return response


def _incident_offers(
    request: HttpRequest, incident_id: uuid.UUID, form: OfferForm | None, status: int = 200
) -> HttpResponse:
    panel = queries.access_dispatch(signed_in_user(request), incident_id)
    if form is None:
        form = OfferForm(proposed=panel.proposed)
    context = {
        "panel": panel,
        "incident": panel.incident,
        "form": form,
        "rows_url": reverse("dispatch:incident_offers_rows", args=[panel.incident.pk]),
        "poll_seconds": POLL_SECONDS,
        # Live updates stop before the session's idle timeout (as on the board).
        "idle_seconds": max(60, settings.AMPARO_SESSION_IDLE_SECONDS - 60),
    }
    return render(request, "dispatch/incident_offers.html", context, status=status)


@role_required(*DISPATCH_ROLES)
@require_POST
def send_offers(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    user = signed_in_user(request)
    incident = queries.incident_for_offers(user, incident_id)
    proposed = queries.responders_for_offers(
        [uuid.UUID(v) for v in request.POST.getlist("responders") if _is_uuid(v)]
    )
    form = OfferForm(request.POST, proposed=proposed)
    if not form.is_valid():
        return _incident_offers(request, incident.pk, form, status=400)
    chosen = queries.responders_for_offers(form.cleaned_data["responders"])
    try:
        sent = actions.offer_dispatch(
            incident=incident, responders=chosen, by=user, wanted=form.cleaned_data["wanted"]
        )
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext(
                "Offer sent to %(count)d responder.",
                "Offers sent to %(count)d responders.",
                len(sent),
            )
            % {"count": len(sent)},
        )
    return redirect("dispatch:incident_offers", incident_id=incident.pk)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
