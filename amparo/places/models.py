"""Gazetteer of the network's region: towns, ZIP centroids and landmarks people name in reports.

Public facts only (names and coordinates of places), never anything about a person.
``updated_at`` lets every process notice a change and rebuild its in-memory gazetteer
(amparo.places.lookup).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Town(models.Model):
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="town_unique_name")]
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.state}"


class ZipCode(models.Model):
    """The centroid of a US ZIP code (a postal area of a few km, not a point)."""

    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}\Z", _("A ZIP code is five digits."))],
    )
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="zip_codes")
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "ZIP code"

    def __str__(self) -> str:
        return self.code


class Landmark(models.Model):
    """A place people name in reports: "the Walmart on Berlin Turnpike", "escuela Bulkeley".

    ``aliases`` holds the other names people use for it, comma-separated, in any of
    the network's languages ("Bulkeley, escuela Bulkeley, escola Bulkeley, lekòl Bulkeley").
    """

    name = models.CharField(max_length=120)
    aliases = models.TextField(
        blank=True,
        help_text=_("Other names people use for it, separated by commas, in any language."),
    )
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="landmarks")
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="landmark_unique_name")
        ]
        ordering = ["town", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.town.name})"

    def names(self) -> list[str]:
        """The name and every alias, without blanks or repeats."""
        seen: dict[str, None] = {self.name.strip(): None}
        for alias in self.aliases.split(","):
            if alias.strip():
                seen.setdefault(alias.strip(), None)
        return [name for name in seen if name]
