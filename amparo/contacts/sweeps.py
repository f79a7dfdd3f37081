"""The contacts sweep: numbers nothing needs any more are forgotten."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amparo.contacts.actions import forget_unused_contacts
from amparo.core.worker import register_sweep


@register_sweep("contacts.forget_unused", every=3600.0)
def forget_unused() -> int:
    """Contacts older than the message retention with no message, report or other use left."""
    cutoff = timezone.now() - dt.timedelta(days=settings.AMPARO_MESSAGE_RETENTION_DAYS)
    return forget_unused_contacts(created_before=cutoff)
