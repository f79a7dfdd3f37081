"""Reads of staff accounts. The staff list says who works for the network, so only admins see it."""

from __future__ import annotations

from collections import Counter

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from amparo.accounts.mfa import sealed_tokens
from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.crypto import vault

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


def mfa_secret_key_usage() -> Counter[str]:
    """How many sealed MFA secrets each key id protects (for ``amparo keys status``)."""
    usage: Counter[str] = Counter()
    for data in Authenticator.objects.values_list("data", flat=True).iterator():
        for token in sealed_tokens(data):
            usage[vault.text_key_id(token)] += 1
    return usage


def staff_email_addresses(*roles: str, excluding: User | None = None) -> list[str]:
    """E-mail addresses of the active staff with one of ``roles``, for staff notices.

    Not audited: a notice goes to people by their role, and its text carries no
    personal data of anyone in the network.
    """
    staff = User.objects.filter(is_active=True, role__in=roles).exclude(email="")
    if excluding is not None:
        staff = staff.exclude(pk=excluding.pk)
    return list(staff.values_list("email", flat=True))
