"""Background sweeps of the incidents app: expiry of unverified incidents and report retention.

Both derive their work from rows (``expires_at``, ``received_at`` and
``purged_at``), handle one batch per run and return how many rows they changed;
the worker runs a sweep again at once while it finds work. Running either twice,
or in two workers at once, changes nothing more: each row is re-checked under
its lock before it changes.

What the retention purge keeps, on purpose:

- the report's structured facts (source, time, town, kind of place, agency,
  agent count, warrant, whether someone was taken), which hold no words and no
  number and are what the incident's anonymous facts were built from;
- the incident's town and coarse cell (about 1 km); its exact centroid goes
  once none of its reports is left unpurged;
- the incident timeline's notes: staff's words about the incident (sealed), not
  what a reporter said, and the record of who decided what and why. A note
  must not quote a reporter or name a number; the board's note form says so.

The lead's sweeps purge the inbound messages and the contacts no longer needed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amparo.core.worker import register_sweep
from amparo.incidents.actions import expire_incident, purge_reports
from amparo.incidents.models import Incident
from amparo.incidents.states import UNVERIFIED_STATES

BATCH = 200


@register_sweep("incidents.expire", every=30.0)
def expire_unverified() -> int:
    """Incidents nobody verified within the TTL after their last report become "unconfirmed"."""
    now = timezone.now()
    due = (
        Incident.objects.filter(state__in=UNVERIFIED_STATES, expires_at__lte=now)
        .order_by("expires_at")
        .only("pk")[:BATCH]
    )
    return sum(expire_incident(incident=incident, now=now) for incident in due)


@register_sweep("incidents.purge_reports", every=600.0)
def purge_old_reports() -> int:
    """Blank the words, places, details, photos and reporter of reports past retention."""
    cutoff = timezone.now() - dt.timedelta(days=settings.AMPARO_REPORT_RETENTION_DAYS)
    return purge_reports(received_before=cutoff, batch=BATCH)
