"""Staff accounts. Community members have no account (DESIGN.md "Who uses it")."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    RESPONDER = "responder", _("Responder")
    COORDINATOR = "coordinator", _("Coordinator")
    LEGAL = "legal", _("Legal")
    TREASURER = "treasurer", _("Treasurer")
    ADMIN = "admin", _("Admin")


class User(AbstractUser):
    """A staff member. ``role`` decides what they may see; admins get no case content."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OPERATOR)

    class Meta:
        constraints = [
            # A superuser passes every permission check, so nobody may be one:
            # the admin role's rights are listed in accounts.backends.
            models.CheckConstraint(condition=models.Q(is_superuser=False), name="no_superusers")
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
