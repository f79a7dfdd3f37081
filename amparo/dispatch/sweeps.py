"""The dispatch sweep: escalate offers left unanswered too long."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amparo.core.worker import register_sweep
from amparo.dispatch.actions import escalate_dispatch
from amparo.dispatch.models import Offer, OfferStatus
from amparo.incidents.models import Incident

BATCH = 100


@register_sweep("dispatch.escalate", every=30)
def escalate_waiting_offers(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Escalate each incident with an offer unanswered past the timeout; return how many.

    Idempotent: :func:`escalate_dispatch` re-checks under the incident's lock.
    """
    now = now or timezone.now()
    deadline = now - dt.timedelta(minutes=settings.AMPARO_DISPATCH_ESCALATE_MINUTES)
    incident_ids = list(
        Offer.objects.filter(
            status=OfferStatus.OFFERED, sent_at__lte=deadline, incident__isnull=False
        )
        .values_list("incident_id", flat=True)
        .distinct()[:batch]
    )
    incidents = list(Incident.objects.filter(pk__in=incident_ids))
    for incident in incidents:
        escalate_dispatch(incident=incident, now=now)
    return len(incidents)
