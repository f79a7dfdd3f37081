"""Family emergency plans and their activations.

A plan's personal contents are one sealed document (:mod:`amparo.plans.contents`)
under the plan's own data key (:mod:`amparo.crypto.plan_keys`); the row keeps
only what finds and guards the plan. Deleting a plan destroys its key first.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import DetentionCase
from amparo.channels.models import OutboundMessage
from amparo.contacts.models import Contact, Language
from amparo.crypto.vault import row_context


class PlanSource(models.TextChoices):
    WEB = "web", _("public web form")
    VOLUNTEER = "volunteer", _("registered by a volunteer")


class Plan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # blind_index(code, purpose="plan-code"): the code itself is never stored.
    code_index = models.CharField(max_length=64, unique=True)
    # Keyed digest of the PIN bound to this plan (crypto.vault.plan_pin_digest).
    pin_digest = models.CharField(max_length=64)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    # PlanContents as JSON, sealed under the plan's own data key.
    sealed_contents = models.BinaryField()
    source = models.CharField(max_length=12, choices=PlanSource.choices, default=PlanSource.WEB)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failed_pin_attempts = models.PositiveSmallIntegerField(default=0)
    lockouts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Plan {self.pk}"

    @property
    def contents_context(self) -> str:
        return row_context(table=self._meta.db_table, column="contents", row=self.pk)


class ActivatedBy(models.TextChoices):
    PERSON = "person", _("the person, from a phone")
    CONTACT = "contact", _("one of the plan's contacts")
    OPERATOR = "operator", _("an operator at the hotline")


class Activation(models.Model):
    """A plan put into action: contacts told, legal team told, a case opened."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Kept when the family deletes the plan later: the case goes on.
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="activations"
    )
    case = models.OneToOneField(DetentionCase, on_delete=models.PROTECT, related_name="activation")
    by = models.CharField(max_length=10, choices=ActivatedBy.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField()
    # Activations asked for after the daily cap on texting contacts (see
    # plans.actions.TEXTED_ACTIVATIONS_PER_DAY): nobody was texted; the team calls.
    capped_attempts = models.PositiveIntegerField(default=0)
    last_capped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-activated_at"]

    def __str__(self) -> str:
        return f"Activation {self.pk}"


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("texted")
    OPTED_OUT = "opted_out", _("not texted: this number opted out")
    ACTIVATOR = "activator", _("not texted: they activated the plan")
    # A number we do not text unprompted (another country, premium rate, pager...).
    CALL = "call", _("not texted: call this number")


class ActivationNotice(models.Model):
    """One emergency contact told (or not, and why) of one activation."""

    activation = models.ForeignKey(Activation, on_delete=models.CASCADE, related_name="notices")
    # None once the contact was forgotten (contacts.forget_unused_contacts): the notice
    # keeps its status and position; the page shows "number forgotten".
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=NoticeStatus.choices)
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "contact"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"Notice {self.pk}"
