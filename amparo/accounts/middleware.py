"""Session policy for staff: idle and absolute timeouts, and MFA before anything else."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from amparo.accounts.queries import has_second_factor

LOGIN_AT = "_amparo_login_at"
SEEN_AT = "_amparo_seen_at"
# Refreshing the idle clock at most this often keeps session writes rare.
SEEN_RESOLUTION_SECONDS = 60


def start_session_clock(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Log staff out after 30 idle minutes or 12 hours in all (configurable)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT)
            seen_at = request.session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                start_session_clock(request)
            elif (
                now - login_at > settings.AMPARO_SESSION_ABSOLUTE_SECONDS
                or now - seen_at > settings.AMPARO_SESSION_IDLE_SECONDS
            ):
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
            elif now - seen_at >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """In production, a staff member without a second factor can only enroll one.

    Everything except the account pages (where allauth's MFA enrollment lives),
    static files and the health check redirects to TOTP enrollment.
    """

    OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.AMPARO_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path_info.startswith(self.OPEN_PREFIXES)
            and not has_second_factor(request.user)
        ):
            messages.warning(request, _("Set up two-factor authentication before you continue."))
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
