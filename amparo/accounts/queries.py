"""Reads of staff accounts. The staff list says who works for the network, so only admins see it."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event

# Recovery codes alone are a fallback, not a second factor.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: object) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def access_staff_accounts(user: User) -> QuerySet[User]:
    """Every staff account, annotated with ``has_second_factor``. Admins only."""
    _require_admin(user)
    record_event(actor=user, action="accounts.staff_list")
    second_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES)
    return User.objects.annotate(has_second_factor=Exists(second_factor)).order_by("username")


def access_staff_account(user: User, account_id: int) -> User:
    """One staff account, for an admin about to change it; 404 if there is none."""
    _require_admin(user)
    return get_object_or_404(User, pk=account_id)


def _require_admin(user: User) -> None:
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied
