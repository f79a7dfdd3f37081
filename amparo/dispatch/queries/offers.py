"""Reads of an incident's dispatch for staff, audited by ids only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.dispatch.actions import DISPATCH_ROLES
from amparo.dispatch.models import Offer, Responder
from amparo.dispatch.offers import propose_responders
from amparo.incidents.models import OPEN_STATES, Incident

# Who sees an incident's offers: the board's roles. Only coordinators (who send
# them) see the responders' names and who else could be sent.
DISPATCH_VIEW_ROLES = (Role.OPERATOR, Role.COORDINATOR)


@dataclass(frozen=True)
class DispatchPanel:
    incident: Incident
    offers: list[Offer]
    # Empty unless the user may send offers and the incident is open.
    proposed: list[Responder]
    show_names: bool


def access_dispatch(user: User, incident_id: uuid.UUID) -> DispatchPanel:
    """An incident's offers (and, for a coordinator, who to offer it to next); audited once."""
    if not user.has_role(*DISPATCH_VIEW_ROLES):
        raise PermissionDenied
    incident = get_object_or_404(Incident.objects.select_related("town"), pk=incident_id)
    offers = list(
        Offer.objects.filter(incident=incident)
        .select_related("responder")
        .order_by("ring", "sent_at", "pk")
    )
    can_send = user.has_role(*DISPATCH_ROLES)
    proposed: list[Responder] = []
    if can_send and incident.state in OPEN_STATES:
        proposed = propose_responders(incident, exclude={o.responder_id for o in offers})
    record_event(actor=user, action="dispatch.offers_view", target=incident)
    return DispatchPanel(incident=incident, offers=offers, proposed=proposed, show_names=can_send)


def incident_for_offers(user: User, incident_id: uuid.UUID) -> Incident:
    """The incident a coordinator is about to send offers for; not audited (the action is)."""
    if not user.has_role(*DISPATCH_ROLES):
        raise PermissionDenied
    return get_object_or_404(Incident, pk=incident_id)


def responders_for_offers(ids: list[uuid.UUID]) -> list[Responder]:
    """The responders a coordinator ticked, in the order given."""
    found = Responder.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
