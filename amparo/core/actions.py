"""Writes of the core app: the worker's heartbeat."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from amparo.core.models import WorkerHeartbeat


def record_heartbeat(*, worker: str, started_at: dt.datetime) -> None:
    """Mark ``worker`` alive now. Not audited: it carries no personal data."""
    now = timezone.now()
    with transaction.atomic():
        updated = WorkerHeartbeat.objects.filter(worker=worker).update(
            beat_at=now, loops=F("loops") + 1
        )
        if not updated:
            WorkerHeartbeat.objects.create(
                worker=worker, started_at=started_at, beat_at=now, loops=1
            )


def forget_heartbeat(*, worker: str) -> None:
    """A worker that stops cleanly removes its row so health shows it gone at once."""
    WorkerHeartbeat.objects.filter(worker=worker).delete()
