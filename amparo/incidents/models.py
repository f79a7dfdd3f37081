"""Reports from every door, the incidents they cluster into, and each incident's timeline.

Two kinds of data live here, kept apart on purpose (DESIGN.md, security rule 1):

- a :class:`Report` is raw and personal: the reporter's words, exact place,
  photo and a link to the reporter's contact. All of it is sealed, and the
  retention sweep purges it after ``AMPARO_REPORT_RETENTION_DAYS``;
- an :class:`Incident` holds anonymous facts (agency, agent count, whether
  someone was taken, the town and a coarse location of about 1 km) that stay
  after the reports are purged. Its exact centroid is sealed too: the exact
  place of a home raid names a family.

Coarse locations are public-safe and indexed, so clustering narrows the
candidates in SQL by coarse cell and time, then measures exact distances on
the few candidates it has unsealed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.contacts.models import Contact
from amparo.crypto.fields import EncryptedJSONField, EncryptedTextField, SealedModel
from amparo.places.models import Town


class IncidentState(models.TextChoices):
    REPORTED = "reported", _("reported")
    VERIFYING = "verifying", _("being verified")
    CONFIRMED = "confirmed", _("confirmed")
    FALSE_ALARM = "false-alarm", _("false alarm")
    UNCONFIRMED = "unconfirmed", _("unconfirmed")
    CLOSED = "closed", _("closed")


# New reports may join an incident in one of these states.
OPEN_STATES = (IncidentState.REPORTED, IncidentState.VERIFYING, IncidentState.CONFIRMED)


class Outcome(models.TextChoices):
    """How an incident ended; kept when it is closed, so history and metrics still know."""

    CONFIRMED = "confirmed", _("confirmed")
    FALSE_ALARM = "false-alarm", _("false alarm")
    UNCONFIRMED = "unconfirmed", _("unconfirmed")


class ReportSource(models.TextChoices):
    SMS = "sms", _("text message")
    VOICEMAIL = "voicemail", _("voicemail")
    WEB = "web", _("public web form")
    OPERATOR = "operator", _("operator, from a call")
    RESPONDER = "responder", _("responder on site")


class Agency(models.TextChoices):
    UNKNOWN = "unknown", _("unknown")
    ICE = "ice", _("ICE")
    CBP = "cbp", _("CBP (Border Patrol)")
    POLICE = "police", _("local or state police")
    OTHER = "other", _("other")


class Warrant(models.TextChoices):
    UNKNOWN = "unknown", _("unknown")
    NONE_SHOWN = "none", _("none shown")
    JUDICIAL = "judicial", _("judicial warrant (signed by a judge)")
    ADMINISTRATIVE = "administrative", _("administrative warrant (ICE form I-200 or I-205)")


class PlaceKind(models.TextChoices):
    UNKNOWN = "unknown", _("unknown")
    HOME = "home", _("home")
    STREET = "street", _("street or public place")
    WORK = "work", _("workplace")
    SCHOOL = "school", _("school")
    COURT = "court", _("court or check-in")
    VEHICLE = "vehicle", _("traffic stop")


class Incident(SealedModel):
    """One event in the world, as the reports about it and the decisions on it tell it."""

    state = models.CharField(
        max_length=16, choices=IncidentState.choices, default=IncidentState.REPORTED
    )
    opened_at = models.DateTimeField()
    last_report_at = models.DateTimeField()
    # Unverified incidents become "unconfirmed" at this time (the expiry sweep).
    expires_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # confirmed or false alarm
    # The verdict (or the expiry) this incident reached; blank while undecided and
    # for an incident merged into another.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Public-safe place: the town and a location rounded to about 1 km.
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.SET_NULL)
    coarse_latitude = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    coarse_longitude = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    # Exact centroid of the reports: {"lat": float, "lon": float}; sealed.
    location = EncryptedJSONField(null=True, blank=True)

    # Anonymous facts, kept after the reports are purged.
    place_kind = models.CharField(max_length=16, choices=PlaceKind.choices, default="unknown")
    agency = models.CharField(max_length=16, choices=Agency.choices, default=Agency.UNKNOWN)
    police_involved = models.BooleanField(default=False)  # Trust Act documentation
    agents_max = models.PositiveIntegerField(null=True, blank=True)
    someone_taken = models.BooleanField(default=False)
    report_count = models.PositiveIntegerField(default=0)
    # Distinct reporters: reports from one number count once.
    reporter_count = models.PositiveIntegerField(default=0)

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )

    class Meta(SealedModel.Meta):
        indexes = [
            models.Index(
                fields=["state", "coarse_latitude", "coarse_longitude", "last_report_at"],
                name="incident_open_near",
            ),
            models.Index(fields=["state", "expires_at"], name="incident_expiry"),
        ]

    def __str__(self) -> str:
        return f"Incident {str(self.pk)[:8]}"


# What the doors put into a report's sealed ``details``, with the label staff read.
DETAIL_LABELS = {
    "vehicles": _("vehicles"),
    "plates": _("plates"),
    "uniforms": _("uniforms"),
    "said": _("what was said"),
    "callback_phone": _("number to call back"),
}


class Report(SealedModel):
    """What one person told the network, by one door. Personal; purged after retention."""

    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    source = models.CharField(max_length=16, choices=ReportSource.choices)
    received_at = models.DateTimeField()
    # The reporter, when they came by phone or left a number; SET NULL on purge.
    reporter = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # The inbound text or voicemail it came from (channels), if any.
    inbound = models.ForeignKey(
        "channels.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # The operator who took it, for operator reports.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    language = models.CharField(max_length=8, blank=True)

    # Sealed, purged: the words, the exact place and the details.
    text = EncryptedTextField(blank=True, default="")
    where = EncryptedTextField(blank=True, default="")  # "in front of 12 Main St"
    # {"lat": float, "lon": float, "precision": "pin" | "zip" | "town" | "landmark"}
    location = EncryptedJSONField(null=True, blank=True)
    # Free-form details an operator noted: vehicles, plates, uniforms, what was said.
    details = EncryptedJSONField(null=True, blank=True)

    # Structured facts (kept until purge; the incident keeps their summary).
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.SET_NULL)
    place_kind = models.CharField(max_length=16, choices=PlaceKind.choices, default="unknown")
    agency = models.CharField(max_length=16, choices=Agency.choices, default=Agency.UNKNOWN)
    agents_count = models.PositiveIntegerField(null=True, blank=True)
    warrant = models.CharField(max_length=16, choices=Warrant.choices, default=Warrant.UNKNOWN)
    someone_taken = models.BooleanField(null=True, blank=True)

    # Set by the retention sweep once text, place, details, photos and reporter are gone.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta(SealedModel.Meta):
        indexes = [
            models.Index(fields=["purged_at", "received_at"], name="report_retention"),
            models.Index(fields=["reporter", "received_at"], name="report_by_reporter"),
        ]

    def __str__(self) -> str:
        return f"Report {str(self.pk)[:8]}"

    def detail_items(self) -> list[tuple[str, str]]:
        """The sealed details as (label, value) pairs, known labels translated."""
        details = self.details if isinstance(self.details, dict) else {}
        return [(str(DETAIL_LABELS.get(key, key)), str(value)) for key, value in details.items()]


class ReportPhoto(SealedModel):
    """A photo sent with a report, re-encoded without metadata (EXIF, GPS) and sealed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    content_type = models.CharField(max_length=32)  # after re-encoding: image/jpeg or image/png
    # base64 of the re-encoded image; sealed
    data = EncryptedTextField()
    added_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ReportPhoto {str(self.pk)[:8]}"


class EventKind(models.TextChoices):
    REPORT = "report", _("report added")
    STATE = "state", _("state changed")
    NOTE = "note", _("note")
    MERGED = "merged", _("merged")
    SPLIT = "split", _("split")
    POLICE = "police", _("police involvement flagged")
    # A responder's report from the scene (dispatch): arrived, confirms, leaving...
    FIELD = "field", _("report from the scene")


class ConfirmationBasis(models.TextChoices):
    RESPONDER = "responder", _("a responder on site")
    REPORTERS = "reporters", _("independent reporters")


class IncidentEvent(SealedModel):
    """One line of an incident's timeline: who, when, what and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    from_state = models.CharField(max_length=16, choices=IncidentState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=IncidentState.choices, blank=True)
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)
    # The other incident of a merge or split.
    other = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What a confirmation rested on: a responder on site, or enough distinct reporters.
    basis = models.CharField(max_length=16, choices=ConfirmationBasis.choices, blank=True)
    # Why: staff's words may name people, so sealed.
    note = EncryptedTextField(blank=True, default="")

    class Meta(SealedModel.Meta):
        ordering = ["at"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_timeline")]

    def __str__(self) -> str:
        return f"IncidentEvent {str(self.pk)[:8]}"
