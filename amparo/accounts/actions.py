"""Writes to staff accounts. Each one keeps at least one active admin in the network."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from amparo.accounts.mfa import resealed
from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event


class AccountsError(Exception):
    """A change to a staff account would break a rule; the message says which."""


def create_staff_user(
    *, username: str, role: Role | str, password: str | None, by: User | None
) -> User:
    """Open a staff account. ``by`` is None when the system does it (``amparo demo``).

    Without a password the account cannot sign in until one is set.
    """
    role = Role(role)
    with transaction.atomic():
        if by is not None:
            _lock_for_change(user=by, by=by)
        if User.objects.filter(username=username).exists():
            raise AccountsError(_("The username %(name)s is taken.") % {"name": username})
        user = User(username=username, role=role, **_django_admin_rights(role))
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        record_event(actor=by, action="accounts.user_create", target=user)
        return user


def change_role(*, user: User, role: Role, by: User) -> User:
    """Give ``user`` a new role; Django admin rights follow it."""
    with transaction.atomic():
        target, admins = _lock_for_change(user=user, by=by)
        if target.role == role:
            return target
        if target.pk in admins and len(admins) == 1:
            raise AccountsError(
                _("%(name)s is the last active admin. Make someone else an admin first.")
                % {"name": target.get_username()}
            )
        target.role = role
        for flag, value in _django_admin_rights(role).items():
            setattr(target, flag, value)
        target.save(update_fields=["role", "is_staff", "is_superuser"])
        record_event(actor=by, action=f"accounts.role_change.{role}", target=target)
        return target


def deactivate_user(*, user: User, by: User) -> User:
    """Stop ``user`` signing in. Their open sessions stop working at their next request."""
    with transaction.atomic():
        target, _admins = _lock_for_change(user=user, by=by)
        if not target.is_active:
            return target
        # ``by`` is an active admin, so refusing this also keeps one admin active.
        if target.pk == by.pk:
            raise AccountsError(_("You cannot deactivate your own account. Ask another admin."))
        target.is_active = False
        target.save(update_fields=["is_active"])
        record_event(actor=by, action="accounts.user_deactivate", target=target)
        return target


def _django_admin_rights(role: Role) -> dict[str, bool]:
    """The Django admin is the admin role's tool; no other role keeps a way into it."""
    is_admin = role == Role.ADMIN
    # Never superuser: a superuser could read and edit every model in the Django
    # admin (MFA secrets, e-mail addresses: account takeover). What the admin
    # role may do there is listed in amparo.accounts.backends.ROLE_PERMISSIONS.
    return {"is_staff": is_admin, "is_superuser": False}


def _lock_for_change(*, user: User, by: User) -> tuple[User, set[int]]:
    """Lock the target and every active admin, so two admins demoting each other
    at once cannot leave the network with none. Returns the target, fresh from the
    database, and the ids of the active admins."""
    rows = list(
        User.objects.select_for_update()
        .filter(Q(pk=user.pk) | Q(role=Role.ADMIN, is_active=True))
        .order_by("pk")
    )
    admins = {row.pk for row in rows if row.role == Role.ADMIN and row.is_active}
    if by.pk not in admins:
        raise AccountsError(_("Only an active admin can change staff accounts."))
    target = next((row for row in rows if row.pk == user.pk), None)
    if target is None:
        raise AccountsError(_("This account no longer exists."))
    return target, admins


def reseal_mfa_secrets() -> int:
    """Re-seal every MFA secret not under the active key; return how many authenticators changed.

    Runs from ``amparo keys rotate`` (which audits the rotation as a whole).
    """
    changed = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            data = resealed(authenticator.data)
            if data is not None:
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                changed += 1
    return changed
