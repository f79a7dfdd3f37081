from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from amparo.accounts.middleware import start_session_clock


@receiver(user_logged_in)
def start_clock_on_login(sender: object, request: HttpRequest, **kwargs: Any) -> None:
    start_session_clock(request)
