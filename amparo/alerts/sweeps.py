"""Sweeps of the alerts app (registered from AlertsConfig.ready)."""

from __future__ import annotations

from django.utils import timezone

from amparo.alerts.actions.broadcasts import finish_broadcasts
from amparo.alerts.actions.subscriptions import PENDING_LIFETIME, forget_pending_subscriptions
from amparo.core.worker import register_sweep


@register_sweep("alerts.forget_pending", every=600.0)
def forget_pending() -> int:
    """Subscriptions never confirmed within PENDING_LIFETIME (48 h) are deleted."""
    return forget_pending_subscriptions(created_before=timezone.now() - PENDING_LIFETIME)


@register_sweep("alerts.finish_broadcasts", every=30.0)
def finish_sent_broadcasts() -> int:
    """Broadcasts whose messages are all finished become ``sent``."""
    return finish_broadcasts()
