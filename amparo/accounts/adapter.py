from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Staff accounts are created by an admin; nobody signs themselves up."""
        return False

    def get_reauthentication_methods(self, user: AbstractBaseUser | AnonymousUser) -> list[dict]:
        """Staff with a second factor re-authenticate with it, not with the password.

        A stolen password is the threat DESIGN.md names; someone who has one and
        finds a signed-in screen must still not pass a sensitive action with it.
        """
        methods = super().get_reauthentication_methods(user)
        second_factor = [m for m in methods if m["id"].startswith("mfa_reauthenticate")]
        return second_factor or methods
