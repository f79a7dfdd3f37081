"""Responders (the network's volunteers) and their shifts.

A :class:`Responder` is either a staff member (an account with the operator,
responder or coordinator role) or SMS-only (reached through a
:class:`~amparo.contacts.models.Contact`, never signing in). Their name and
exact home point are sealed; skills, home town and travel radius are plain,
since dispatch filters on them, and say nothing about anyone's status.

A :class:`Shift` is weekly (a weekday and wall-clock times in the network's
time zone, ``settings.TIME_ZONE``) or one-off (two instants). A weekly shift
whose end is not after its start ends on the next day. Times are always
interpreted in the network's time zone, so a 22:00-06:00 shift keeps its wall
clock times across daylight saving changes (and is an hour shorter or longer
on those nights): see :mod:`amparo.dispatch.schedule`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.contacts.models import Contact
from amparo.crypto.fields import EncryptedJSONField, EncryptedTextField, SealedModel
from amparo.places.models import Town


class Skill(models.TextChoices):
    VERIFIER = "verifier", _("verifier")
    LEGAL_OBSERVER = "legal-observer", _("legal observer")
    INTERPRETER = "interpreter", _("interpreter")
    DRIVER = "driver", _("driver")
    ACCOMPANIMENT = "accompaniment", _("accompaniment")
    ATTORNEY = "attorney", _("attorney")


class SpokenLanguage(models.TextChoices):
    """Languages an interpreter may offer: the network's four and those of CONTEXT.md."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    PORTUGUESE = "pt", "Português"
    HAITIAN_CREOLE = "ht", "Kreyòl ayisyen"
    FRENCH = "fr", "Français"
    ITALIAN = "it", "Italiano"
    POLISH = "pl", "Polski"
    CHINESE = "zh", "中文"
    ARABIC = "ar", "العربية"
    NEPALI = "ne", "नेपाली"
    SOMALI = "so", "Soomaali"
    ALBANIAN = "sq", "Shqip"


class Responder(SealedModel):
    """A volunteer the network can put on shift and, later, send to an incident."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responder",
    )
    # The number the hotline rings and offers are texted to. Required for
    # SMS-only responders, optional for staff.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="responders"
    )
    display_name = EncryptedTextField(_("name"))
    # Skill values (a list of :class:`Skill`) and, for interpreters, language codes.
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    home_town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.SET_NULL)
    # {"lat": float, "lon": float}: where they start from; sealed (it is a home).
    home_point = EncryptedJSONField(null=True, blank=True)
    travel_radius_km = models.PositiveSmallIntegerField(_("travel radius (km)"), default=15)
    trained_on = models.DateField(_("trained on"), null=True, blank=True)
    vetted_on = models.DateField(_("vetted on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # Blind index of the secret in the responder's calendar feed URL; the
    # secret itself is shown once and never stored.
    feed_token_index = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(SealedModel.Meta):
        ordering = ["created_at"]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs.
        return f"Responder {self.pk}"


class ShiftKind(models.TextChoices):
    OPERATOR = "operator", _("hotline operator")
    FIELD = "field", _("field responder")


class Shift(models.Model):
    """One shift of a responder: weekly (weekday + local times) or one-off (two instants)."""

    responder = models.ForeignKey(Responder, on_delete=models.CASCADE, related_name="shifts")
    kind = models.CharField(max_length=16, choices=ShiftKind.choices)
    # Weekly: 0 is Monday; times on the network's wall clock.
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    # One-off: timezone-aware instants.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="shift_weekly_or_once",
                condition=(
                    models.Q(
                        weekday__gte=0,
                        weekday__lte=6,
                        start_time__isnull=False,
                        end_time__isnull=False,
                        starts_at__isnull=True,
                        ends_at__isnull=True,
                    )
                    | models.Q(
                        weekday__isnull=True,
                        start_time__isnull=True,
                        end_time__isnull=True,
                        starts_at__isnull=False,
                        ends_at__isnull=False,
                        ends_at__gt=models.F("starts_at"),
                    )
                ),
            )
        ]
        indexes = [
            # Who is on call: a day's weekly shifts that started by a time.
            models.Index(fields=["kind", "weekday", "start_time"], name="shift_weekly_start"),
            # Yesterday's overnight shifts still running: only those rows, by their end.
            models.Index(
                fields=["kind", "weekday", "end_time"],
                name="shift_overnight",
                condition=models.Q(end_time__lte=models.F("start_time")),
            ),
            models.Index(fields=["kind", "starts_at"], name="shift_once"),
        ]

    def __str__(self) -> str:
        return f"Shift {self.pk}"

    @property
    def weekly(self) -> bool:
        return self.weekday is not None


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    # Accepted (or left unanswered) after enough others had accepted.
    COVERED = "covered", _("covered by others")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Offer(models.Model):
    """One responder asked by SMS to go to one incident, in one ring of offers.

    ``code`` is what the text carries instead of anything personal; it is
    unique among open (offered) offers, so a reply names its offer.
    """

    # An offer is about an incident, or is practice in a drill: exactly one of the two.
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offers",
    )
    drill = models.ForeignKey(
        "Drill", null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    responder = models.ForeignKey(Responder, on_delete=models.CASCADE, related_name="offers")
    code = models.CharField(max_length=8)
    ring = models.PositiveSmallIntegerField(default=1)
    # How many responders the incident needs (K): the first K accepts go.
    wanted = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(
        max_length=16, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "channels.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # On scene (accepted offers of an incident): set by the responder's reports
    # (:class:`FieldReport`). ``checked_in_at`` is their last sign of life: the
    # arrival, a check-in or any other report. ``checkin_alert_at`` is when the
    # coordinators were alerted of a missed check-in; a later check-in clears it.
    arrived_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    checkin_alert_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="offer_incident_or_drill",
                condition=(
                    models.Q(incident__isnull=False, drill__isnull=True)
                    | models.Q(incident__isnull=True, drill__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["drill", "responder"], name="offer_drill_once"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="offered"),
                name="offer_open_code",
            ),
            models.UniqueConstraint(fields=["incident", "responder"], name="offer_once"),
        ]
        indexes = [
            models.Index(fields=["status", "sent_at"], name="offer_open"),
            models.Index(fields=["incident", "ring"], name="offer_incident_ring"),
            models.Index(fields=["status", "left_at", "checked_in_at"], name="offer_on_scene"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk}"


class FieldReportKind(models.TextChoices):
    ARRIVED = "arrived", _("arrived")
    CHECK_IN = "check-in", _("checked in, safe")
    CONFIRM = "confirm", _("confirms the report")
    FALSE_ALARM = "false-alarm", _("false alarm")
    LEAVING = "leaving", _("safe and leaving")


class FieldReport(SealedModel):
    """What a responder sent (by text or the web) about an incident they went to."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="field_reports")
    kind = models.CharField(max_length=16, choices=FieldReportKind.choices)
    at = models.DateTimeField()
    # "sms" or "web".
    via = models.CharField(max_length=8)
    # Their words from the scene may name people: sealed.
    note = EncryptedTextField(blank=True, default="")

    class Meta(SealedModel.Meta):
        ordering = ["at"]
        indexes = [models.Index(fields=["offer", "at"], name="field_report_offer")]

    def __str__(self) -> str:
        return f"FieldReport {str(self.pk)[:8]}"


class Drill(models.Model):
    """A practice dispatch: offers marked as a drill in every text, to measure readiness.

    ``town`` and ``skill`` are the area and skill it tested (blank: all).
    Its offers (:attr:`Offer.drill`) are answered like real ones; nobody goes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    town = models.ForeignKey(Town, null=True, blank=True, on_delete=models.SET_NULL)
    skill = models.CharField(max_length=32, choices=Skill.choices, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Drill {str(self.pk)[:8]}"
