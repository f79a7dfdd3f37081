"""Detention cases: opened when a family plan is activated or a detention is reported.

This is the start of the record the cases work extends (locating the person,
attorney, bond, hearings, deadlines). For now a case holds its checklist; it
holds no name, A-number or plan content: those stay in the plan, sealed under
the plan's own key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseSource(models.TextChoices):
    PLAN_ACTIVATION = "plan_activation", _("family plan activated")
    HOTLINE = "hotline", _("reported to the hotline")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class TaskKind(models.TextChoices):
    """The first hours' checklist (CONTEXT.md, family preparedness plan)."""

    CHILDREN_PICKED_UP = "children_picked_up", _("Children picked up by the caregiver")
    CONTACTS_REACHED = "contacts_reached", _("Contacts who could not be texted were called")
    DOCUMENTS_FOUND = "documents_found", _("Important documents found")
    ATTORNEY_REACHED = "attorney_reached", _("Attorney reached")
    LOCATED = "located", _("Located in detention")


class DetentionCase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Said on the phone and in texts: digits only, unique, no meaning.
    reference = models.CharField(_("reference"), max_length=12, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "-opened_at"], name="case_status_opened")]

    def __str__(self) -> str:
        return f"Case {self.reference}"


class CaseTask(models.Model):
    case = models.ForeignKey(DetentionCase, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("task"), max_length=24, choices=TaskKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="case_task_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({'done' if self.done_at else 'open'})"
