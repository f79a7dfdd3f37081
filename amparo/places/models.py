"""Gazetteer of the network's region. The Incidents issue extends it with ZIP centroids."""

from __future__ import annotations

from django.db import models


class Town(models.Model):
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="town_unique_name")]
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"
