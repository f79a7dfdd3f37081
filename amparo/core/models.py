from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running worker, refreshed every loop; ``/healthz`` reads the newest."""

    worker = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    loops = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.worker
