"""Reads of an incident's dispatch for staff, audited by ids only."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.dispatch.actions import DISPATCH_ROLES
from amparo.dispatch.models import FieldReport, Offer, Responder
from amparo.dispatch.offers import propose_responders
from amparo.incidents.models import OPEN_STATES, Incident

# Who sees an incident's offers: the board's roles. Only coordinators (who send
# them) see the responders' names and who else could be sent.
DISPATCH_VIEW_ROLES = (Role.OPERATOR, Role.COORDINATOR)
# The live refresh of the dispatch page is audited at most this often per user and incident.
REFRESH_AUDIT_SECONDS = 300


@dataclass(frozen=True)
class OfferRow:
    """One offer as the dispatch page shows it: who (or "responder n"), and its reports."""

    offer: Offer
    label: str
    reports: list[FieldReport]


@dataclass(frozen=True)
class DispatchPanel:
    incident: Incident
    offers: list[Offer]
    # Empty unless the user may send offers and the incident is open.
    proposed: list[Responder]
    show_names: bool
    rows: list[OfferRow] = field(default_factory=list)
    generated_at: dt.datetime | None = None


def access_dispatch(user: User, incident_id: uuid.UUID) -> DispatchPanel:
    """An incident's offers (and, for a coordinator, who to offer it to next); audited once."""
    if not user.has_role(*DISPATCH_VIEW_ROLES):
        raise PermissionDenied
    panel = _panel(user, incident_id, propose=True)
    record_event(actor=user, action="dispatch.offers_view", target=panel.incident)
    return panel


def dispatch_rows_for(user: User, incident_id: uuid.UUID) -> DispatchPanel:
    """The offers alone, for the page's live refresh every few seconds.

    A coordinator's rows name responders and open their reports' notes, so the
    refresh is audited too, but at most once per :data:`REFRESH_AUDIT_SECONDS`
    per user and incident: the record shows who kept watching without an event
    every few seconds. (Operators' rows name no one; they are audited the same.)
    """
    if not user.has_role(*DISPATCH_VIEW_ROLES):
        raise PermissionDenied
    panel = _panel(user, incident_id, propose=False)
    if cache.add(f"dispatch-rows-audit:{user.pk}:{panel.incident.pk}", 1, REFRESH_AUDIT_SECONDS):
        record_event(actor=user, action="dispatch.offers_refresh", target=panel.incident)
    return panel


def _panel(user: User, incident_id: uuid.UUID, *, propose: bool) -> DispatchPanel:
    incident = get_object_or_404(Incident.objects.select_related("town"), pk=incident_id)
    offers = list(
        Offer.objects.filter(incident=incident)
        .select_related("responder")
        .prefetch_related(
            Prefetch("field_reports", queryset=FieldReport.objects.order_by("at", "id"))
        )
        .order_by("ring", "sent_at", "pk")
    )
    can_send = user.has_role(*DISPATCH_ROLES)
    proposed: list[Responder] = []
    if propose and can_send and incident.state in OPEN_STATES:
        proposed = propose_responders(incident, exclude={o.responder_id for o in offers})
    rows = [
        OfferRow(
            offer=offer,
            # Operators follow the dispatch without names: a number in the list.
            label=offer.responder.display_name
            if can_send
            else _("responder %(number)d") % {"number": number},
            reports=list(offer.field_reports.all()),
        )
        for number, offer in enumerate(offers, start=1)
    ]
    return DispatchPanel(
        incident=incident,
        offers=offers,
        proposed=proposed,
        show_names=can_send,
        rows=rows,
        generated_at=timezone.now(),
    )


def incident_for_offers(user: User, incident_id: uuid.UUID) -> Incident:
    """The incident a coordinator is about to send offers for; not audited (the action is)."""
    if not user.has_role(*DISPATCH_ROLES):
        raise PermissionDenied
    return get_object_or_404(Incident, pk=incident_id)


def responders_for_offers(ids: list[uuid.UUID]) -> list[Responder]:
    """The responders a coordinator ticked, in the order given."""
    found = Responder.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
