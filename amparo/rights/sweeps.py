"""Sweeps of the rights app (registered from RightsConfig.ready)."""

from __future__ import annotations

from django.utils import timezone

from amparo.core.worker import register_sweep
from amparo.rights.actions import forget_rights_menus, notify_stale_versions
from amparo.rights.sms import MENU_ANSWER_WINDOW


@register_sweep("rights.notify_stale", every=3600.0)
def notify_stale() -> int:
    """Current texts past their review date are e-mailed to the coordinators, once each."""
    return notify_stale_versions()


@register_sweep("rights.forget_menus", every=600.0)
def forget_menus() -> int:
    """Who was sent the rights menu is forgotten once a bare number no longer answers it."""
    return forget_rights_menus(sent_before=timezone.now() - MENU_ANSWER_WINDOW)
