"""Invented staff for the accounts tests, built through the accounts actions."""

from __future__ import annotations

import itertools
import time
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role, User

PASSWORD = "plum-orchard-lantern-42"
_numbers = itertools.count(1)


def make_staff(role: Role = Role.OPERATOR, *, second_factor: bool = True) -> User:
    """A staff member with an invented username; with a TOTP authenticator unless told not to."""
    user = create_staff_user(
        username=f"{role}-{next(_numbers)}", role=role, password=PASSWORD, by=None
    )
    if second_factor:
        enroll_totp(user)
    return user


def enroll_totp(user: User) -> None:
    TOTP.activate(user, generate_totp_secret())


def totp_code(user: User) -> str:
    """The code ``user``'s authenticator app shows now, never one about to expire."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(2)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def wrong_totp_code(user: User) -> str:
    right = int(totp_code(user))
    return format_hotp_value((right + 1) % 10**mfa_settings.TOTP_DIGITS)


def reauthenticated(client: Any, user: User) -> None:
    """Sign ``user`` in and record a second-factor re-authentication just now, as allauth does.

    For tests of views behind ``sensitive_action`` that are not about the
    re-authentication itself (test_decorators goes through the real flow).
    """
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "mfa", "type": "totp", "at": time.time(), "reauthenticated": True}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
