"""Account events from allauth and Django, written to the audit log.

Sign-in, sign-out and second-factor changes happen inside allauth's views, so
signals are the only place to record them. Each event names the staff member
and what happened, never a username typed at a failed login or a code.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset, user_logged_in
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from amparo.accounts.middleware import start_session_clock
from amparo.accounts.models import User
from amparo.audit.actions import record_event


@receiver(user_logged_in)
def start_clock_on_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    start_session_clock(request)
    record_event(actor=user, action="auth.login", target=user)


@receiver(user_logged_out)
def audit_logout(sender: object, user: User | None = None, **kwargs: Any) -> None:
    if user is not None:
        record_event(actor=user, action="auth.logout", target=user)


@receiver(user_login_failed)
def audit_failed_login(sender: object, **kwargs: Any) -> None:
    # Who tried is unknown on purpose: the typed username may be a mistyped password.
    record_event(actor=None, action="auth.login_failed")


@receiver(authentication_failed)
def audit_failed_second_factor(sender: object, user: User, **kwargs: Any) -> None:
    record_event(actor=None, action="auth.mfa_failed", target=user)


@receiver(authenticator_added)
def audit_authenticator_added(sender: object, user: User, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.mfa_added", target=user)


@receiver(authenticator_removed)
def audit_authenticator_removed(sender: object, user: User, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.mfa_removed", target=user)


@receiver(authenticator_reset)
def audit_authenticator_reset(sender: object, user: User, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.mfa_reset", target=user)


@receiver(password_changed)
@receiver(password_reset)
def audit_password_change(sender: object, user: User, **kwargs: Any) -> None:
    record_event(actor=user, action="auth.password_changed", target=user)
