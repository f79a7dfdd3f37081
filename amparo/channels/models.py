"""Every message in and out is a row: the outbox, the inbound log, and channel health.

Bodies are sealed at rest (an operator's reply may name a person even though
system messages never do). Rows carry no provider payload beyond the ids needed
to de-duplicate and reconcile.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.contacts.models import Contact
from amparo.crypto.fields import EncryptedJSONField, EncryptedTextField, SealedModel


class Lane(models.IntegerChoices):
    """Priority when a channel is busy: a reply to a frightened caller goes first."""

    REPLY = 0, _("reply")
    DISPATCH = 1, _("dispatch")
    ALERT = 2, _("alert")
    BULK = 3, _("bulk")


class Encoding(models.TextChoices):
    GSM7 = "gsm7", "GSM-7"
    UCS2 = "ucs2", "UCS-2"


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    UNKNOWN = "unknown", _("outcome unknown, being checked")
    FAILED = "failed", _("failed")
    DROPPED = "dropped", _("not sent")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERED = "undelivered", _("not delivered")


class InboundKind(models.TextChoices):
    SMS = "sms", _("text message")
    VOICEMAIL = "voicemail", _("voicemail")


class InboundMessage(SealedModel):
    """A text or voicemail that reached the network, de-duplicated by provider id.

    The webhook stores a text as it came (sender sealed, no contact yet, its
    route already read from the words) and answers the provider at once; the
    ``intake.route`` sweep then finds or creates the contact, acts on the
    route and sets ``routed_at``. ``sender`` is cleared once the contact is
    linked, so the number is kept in one place only. A voicemail from a
    withheld number keeps no contact at all.
    """

    channel = models.CharField(max_length=32)
    # Indexed by inbound_contact (no index of its own: each index is one more
    # page written by every webhook's insert).
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound",
        db_index=False,
    )
    # The sender's address as the provider gave it, until routing links the contact.
    sender = EncryptedTextField(null=True, blank=True)
    kind = models.CharField(max_length=12, choices=InboundKind.choices, default=InboundKind.SMS)
    body = EncryptedTextField(blank=True, default="")
    # e.g. a voicemail recording's URL and duration
    media = EncryptedJSONField(null=True, blank=True)
    provider_id = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    routed_to = models.CharField(max_length=32, blank=True)  # keyword handler name
    # None while the text waits for the routing sweep.
    routed_at = models.DateTimeField(null=True, blank=True)
    # The provider's idempotency token of the webhook that brought it, if any.
    webhook_token = models.CharField(max_length=128, blank=True, default="")
    needs_operator = models.BooleanField(default=False)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(  # indexed by inbound_handled_by
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta(SealedModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["channel", "provider_id"], name="inbound_once"),
            models.UniqueConstraint(
                fields=["channel", "webhook_token"],
                condition=~models.Q(webhook_token=""),
                name="inbound_webhook_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(routed_at__isnull=True),
                name="inbound_to_route",
            ),
            models.Index(fields=["needs_operator", "received_at"], name="inbound_queue"),
            # Partial: a text has no contact until routed, so the webhook's insert
            # writes to neither index (lookups by contact or user never ask for NULL).
            models.Index(
                fields=["contact", "received_at"],
                condition=models.Q(contact__isnull=False),
                name="inbound_contact",
            ),
            models.Index(
                fields=["handled_by"],
                condition=models.Q(handled_by__isnull=False),
                name="inbound_handled_by",
            ),
        ]

    def __str__(self) -> str:
        return f"InboundMessage {self.pk}"


class OutboundMessage(SealedModel):
    """One message to one contact, from queueing to the delivery receipt.

    pending -> sending (``lease_until`` + ``attempt_id``) -> sent (``provider_id``)
    | failed | unknown; then delivered / undelivered from receipts. A row whose
    lease ran out while sending is ``unknown`` and is reconciled with the
    provider's message list before any resend. ``dropped`` covers expiry, the
    identical-message cap, opt-out and auto-responder loops (``error_code`` says which).
    """

    channel = models.CharField(max_length=32)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="outbound")
    body = EncryptedTextField()
    # keyed digest of (contact, body): caps identical messages without reading bodies
    body_digest = models.CharField(max_length=64, db_index=True)
    lane = models.PositiveSmallIntegerField(choices=Lane.choices, default=Lane.REPLY)
    encoding = models.CharField(max_length=4, choices=Encoding.choices)
    segments = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    due_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    attempt_id = models.UUIDField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sender = models.CharField(max_length=32, blank=True)  # our own number, not the contact's
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=32, blank=True)
    in_reply_to = models.ForeignKey(
        InboundMessage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the last attempt was claimed: reconciling looks for it at the
    # provider from this moment on.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Sent by the system in answer to a text: counted by the auto-responder loop guard.
    automatic = models.BooleanField(default=False)
    # How often the row's outcome was unknown: every resend the outbox can make
    # after the provider may already have the message passes through here.
    unknown_count = models.PositiveSmallIntegerField(default=0)

    class Meta(SealedModel.Meta):
        indexes = [
            models.Index(fields=["status", "lane", "due_at"], name="outbox_due"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease"),
            models.Index(fields=["contact", "created_at"], name="outbox_contact"),
        ]
        constraints = [
            # One provider message is one row: reconciling can never give the
            # same provider message to two rows with equal bodies.
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="outbox_provider_once",
            )
        ]

    def __str__(self) -> str:
        return f"OutboundMessage {self.pk} ({self.status})"


class SenderThrottle(models.Model):
    """When each of a channel's sender numbers may send its next segment.

    The outbox's throttle lives here, not in a worker's memory, so several
    workers together still hold each sender to its rate.
    """

    channel = models.CharField(max_length=32)
    sender = models.CharField(max_length=32)
    next_free_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "sender"], name="sender_throttle_once")
        ]

    def __str__(self) -> str:
        return f"SenderThrottle {self.channel}/{self.pk}"


class WebhookReceipt(models.Model):
    """Idempotency tokens of provider callbacks already handled; purged after a day."""

    channel = models.CharField(max_length=32)
    token = models.CharField(max_length=128)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "token"], name="webhook_once")]

    def __str__(self) -> str:
        return f"WebhookReceipt {self.pk}"


class ErasureKind(models.TextChoices):
    MESSAGE = "message", _("message")
    RECORDING = "recording", _("recording")


class ProviderErasure(models.Model):
    """A copy the provider keeps (a message, a recording) that is to be deleted there too.

    Queued when our own row is purged, and worked off by the ``provider.erase``
    sweep with retries, so a purge never waits on the provider. A provider id
    alone names nothing without the provider account.
    """

    channel = models.CharField(max_length=32)
    kind = models.CharField(max_length=12, choices=ErasureKind.choices)
    provider_id = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind", "provider_id"], name="erasure_once")
        ]
        indexes = [models.Index(fields=["due_at"], name="erasure_due")]

    def __str__(self) -> str:
        return f"ProviderErasure {self.pk}"


class ChannelHealth(models.Model):
    """Last success and last error per channel, for the channel health page."""

    channel = models.CharField(max_length=32, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return self.channel
