"""Sweeps of the alerts app (registered from AlertsConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amparo.alerts.actions.broadcasts import (
    MATERIALIZE_CHUNK,
    finish_broadcasts,
    forget_recipients,
    materialize_messages,
    outbox_room,
)
from amparo.alerts.actions.subscriptions import (
    PENDING_LIFETIME,
    forget_pending_subscriptions,
    forget_stopped_subscriptions,
)
from amparo.alerts.models import Broadcast, BroadcastStatus
from amparo.core.worker import register_sweep


@register_sweep("alerts.forget_pending", every=600.0)
def forget_pending() -> int:
    """Subscriptions never confirmed within PENDING_LIFETIME (48 h) are deleted."""
    return forget_pending_subscriptions(created_before=timezone.now() - PENDING_LIFETIME)


@register_sweep("alerts.materialize", every=1.0)
def materialize() -> int:
    """Recipients of sending broadcasts get their messages, a chunk a run, ahead of the senders.

    At most MATERIALIZE_CHUNK a run and only as much as the channel sends in
    the next few minutes (``outbox_room``); a run that made some is run again
    at once by the worker, until the outbox is far enough ahead.
    """
    if not Broadcast.objects.filter(status=BroadcastStatus.SENDING).exists():
        return 0
    room = outbox_room()
    if room <= 0:
        return 0
    return materialize_messages(limit=MATERIALIZE_CHUNK, segments=room)


@register_sweep("alerts.finish_broadcasts", every=30.0)
def finish_sent_broadcasts() -> int:
    """Broadcasts whose messages are all finished become ``sent``."""
    return finish_broadcasts()


def _retention_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.AMPARO_MESSAGE_RETENTION_DAYS)


@register_sweep("alerts.forget_stopped", every=3600.0)
def forget_stopped() -> int:
    """Subscriptions stopped more than AMPARO_MESSAGE_RETENTION_DAYS ago are deleted (consent
    records stay)."""
    return forget_stopped_subscriptions(stopped_before=_retention_cutoff())


@register_sweep("alerts.forget_recipients", every=3600.0)
def forget_broadcast_recipients() -> int:
    """Who got a broadcast finished more than AMPARO_MESSAGE_RETENTION_DAYS ago is deleted (its
    counts stay)."""
    return forget_recipients(finished_before=_retention_cutoff())
