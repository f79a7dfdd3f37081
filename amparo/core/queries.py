"""Reads of the core app. Nothing here is sensitive, so nothing is audited."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.utils import DatabaseError

from amparo.core.models import WorkerHeartbeat


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def newest_heartbeat() -> dt.datetime | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
