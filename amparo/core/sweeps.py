"""Sweeps owned by the core app."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from amparo.core.worker import register_sweep


@register_sweep("sessions.purge_expired", every=3600)
def purge_expired_sessions() -> int:
    """Delete expired staff sessions (Django's ``clearsessions``), counting them."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
