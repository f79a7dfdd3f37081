"""Community alerts: subscriptions by town and language, and broadcasts to them.

A :class:`Subscription` is one contact's wish to get alerts for some towns,
in the contact's language (``Contact.language``: a contact's language decides
what it is sent). It is ``pending`` until the person confirms it (double
opt-in: the confirmation is a text they send), then ``active`` until they stop
it (or STOP everything).

A :class:`Broadcast` is one alert to the public: its kind, its text in each
language (public words, so not sealed: they end up on the public feed), the
towns it goes to, and two people: its author and a different coordinator who
approved it (or an emergency override, re-authenticated and audited). Its
recipients are fixed when it is queued (:class:`BroadcastRecipient`, one per
contact, so nobody gets the same alert twice), and a correction or retraction
goes to exactly those recipients.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.contacts.models import Contact
from amparo.places.models import Town


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    ACTIVE = "active", _("active")
    STOPPED = "stopped", _("stopped")


class SubscriptionSource(models.TextChoices):
    SMS = "sms", _("keyword texted")
    WEB = "web", _("web form")
    INVITE = "invite", _("invited by a subscriber")


class Subscription(models.Model):
    """One contact's alerts: which towns, since when, and whether confirmed."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="subscription")
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING
    )
    source = models.CharField(max_length=16, choices=SubscriptionSource.choices)
    towns: models.ManyToManyField[Town, SubscriptionTown] = models.ManyToManyField(
        Town, through="SubscriptionTown", related_name="+"
    )
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="subscription_status")]

    def __str__(self) -> str:
        return f"Subscription {self.pk}"


class SubscriptionTown(models.Model):
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE)
    town = models.ForeignKey(Town, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "town"], name="subscription_town_once")
        ]
        # The planner's query: every subscription of a town.
        indexes = [models.Index(fields=["town", "subscription"], name="subscription_by_town")]

    def __str__(self) -> str:
        return f"SubscriptionTown {self.pk}"


class BroadcastKind(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed activity")
    DEBUNK = "debunk", _("false alarm")
    ALL_CLEAR = "all-clear", _("all clear")
    RIGHTS = "rights", _("rights reminder")
    NOTICE = "notice", _("general notice")
    CORRECTION = "correction", _("correction")
    RETRACTION = "retraction", _("retraction")


class BroadcastStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    # Waiting for a second coordinator.
    PENDING = "pending", _("waiting for approval")
    # Approved (or overridden): its messages are being queued or sent.
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    CANCELLED = "cancelled", _("cancelled")


class Broadcast(models.Model):
    """One alert to the public, from draft through approval to its messages."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=BroadcastKind.choices)
    # The incident it is about: required for a debunk, optional for the others.
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="broadcasts",
    )
    # A correction or retraction names the broadcast it corrects; it goes to
    # that broadcast's recipients, whatever its own towns.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    # {"en": "...", "es": "...", "pt": "...", "ht": "..."}: public words, checked
    # for names, A-numbers and phone numbers before they can be saved.
    bodies = models.JSONField(default=dict)
    towns = models.ManyToManyField(Town, blank=True, related_name="+")
    status = models.CharField(
        max_length=16, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # An emergency override: sent by its author alone (re-authenticated, audited).
    override = models.BooleanField(default=False)
    # How long its messages may wait in the outbox before they are dropped.
    validity_seconds = models.PositiveIntegerField()
    # Filled at approval, when its recipients are fixed: how many, and their segments.
    recipient_count = models.PositiveIntegerField(default=0)
    segment_count = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    # Shown on the public feed (confirmed, debunk, all-clear, corrections of those).
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="broadcast_status"),
            models.Index(fields=["published", "queued_at"], name="broadcast_public"),
        ]

    def __str__(self) -> str:
        return f"Broadcast {str(self.pk)[:8]}"


class BroadcastRecipient(models.Model):
    """One contact a broadcast went to, in one language, and its outbox message."""

    # No database constraint and no index of its own: approval inserts every
    # recipient of a locked broadcast in one statement, and PostgreSQL's
    # per-row check of this key at commit cost a second per 100,000 rows
    # (``amparo bench broadcast``). Broadcasts are deleted only through the ORM,
    # which deletes their recipients first; ``broadcast_once`` indexes the column.
    broadcast = models.ForeignKey(
        Broadcast,
        on_delete=models.CASCADE,
        related_name="recipients",
        db_constraint=False,
        db_index=False,
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    message = models.ForeignKey(
        "channels.OutboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "contact"], name="broadcast_once")
        ]
        indexes = [
            # The materialize sweep's claim and the finish check: recipients still
            # waiting for their message.
            models.Index(
                fields=["broadcast", "id"],
                condition=models.Q(message__isnull=True),
                name="broadcast_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"BroadcastRecipient {self.pk}"
