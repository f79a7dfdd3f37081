"""The dispatch sweeps: escalation, automatic offers, drills ending, missed check-ins, retention."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amparo.core.worker import register_sweep
from amparo.dispatch.actions import alert_missed_checkins as alert
from amparo.dispatch.actions import (
    auto_offer,
    end_overdue_drills,
    escalate_dispatch,
    purge_field_notes,
)
from amparo.dispatch.actions.offers import CORROBORATED
from amparo.dispatch.models import Offer, OfferStatus
from amparo.incidents.models import OPEN_STATES, Incident

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


@register_sweep("dispatch.auto_offer", every=15)
def auto_offer_new_incidents(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Offer each new open incident nobody was offered yet, if the network turned it on.

    New: opened in the last hour; only those corroborated (two reporters or an
    operator's report, :data:`~amparo.dispatch.actions.offers.CORROBORATED`).
    Returns how many incidents got offers. Idempotent: :func:`auto_offer`
    re-checks under the incident's lock.
    """
    if not settings.AMPARO_DISPATCH_AUTO_OFFER:
        return 0
    now = now or timezone.now()
    incidents = list(
        Incident.objects.filter(
            CORROBORATED,
            state__in=OPEN_STATES,
            opened_at__gte=now - dt.timedelta(hours=1),
            offers__isnull=True,
        ).order_by("opened_at")[:batch]
    )
    return sum(1 for incident in incidents if auto_offer(incident=incident, now=now))


@register_sweep("dispatch.drills", every=60)
def end_due_drills(*, now: dt.datetime | None = None) -> int:
    """End the drills running past ``AMPARO_DRILL_MINUTES``; return how many."""
    return end_overdue_drills(now=now)


@register_sweep("dispatch.checkins", every=30)
def alert_missed_checkins(*, now: dt.datetime | None = None) -> int:
    """Alert about responders on scene who missed a check-in; return how many.

    Idempotent: :func:`~amparo.dispatch.actions.alert_missed_checkins` alerts
    once per silence and re-checks each offer under its lock.
    """
    return alert(now=now)


@register_sweep("dispatch.purge_field_notes", every=3600)
def purge_old_field_notes(*, now: dt.datetime | None = None) -> int:
    """Blank responders' words from the scene past ``AMPARO_REPORT_RETENTION_DAYS``."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.AMPARO_REPORT_RETENTION_DAYS)
    return purge_field_notes(before=cutoff)
