"""Joining alerts on the web (public: no account, no JavaScript) and subscriber counts (staff).

The join form creates a pending subscription and texts the number a request
to confirm; the web never activates anything. Whatever happened (a new
request, a number that already gets alerts, one that opted out), the same
"check your phone" page follows, so the form tells nobody who subscribes.
Rate limited per client and per number (a form must not become a way to
text someone over and over).
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from amparo.accounts.decorators import role_required, signed_in_user
from amparo.alerts import subscription_texts as texts
from amparo.alerts.actions.subscriptions import request_by_web
from amparo.alerts.forms.subscriptions import JoinForm, page_language
from amparo.alerts.queries.subscriptions import COUNT_ROLES, access_subscriber_counts
from amparo.core import ratelimit
from amparo.intake.views import client_key, hotline

JOIN_CLIENT_SCOPE = "alerts-join-web"
JOIN_CLIENT_LIMIT = 5
JOIN_CLIENT_WINDOW_SECONDS = 600
# Confirmation requests to one number: a few a day, whoever asks.
JOIN_PHONE_SCOPE = "alerts-join-phone"
JOIN_PHONE_LIMIT = 3
JOIN_PHONE_WINDOW_SECONDS = 24 * 60 * 60


@login_not_required
@never_cache  # a re-shown form holds a phone number: no copy in the browser's cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _join_page(request, JoinForm())
    form = JoinForm(request.POST)
    if not form.is_valid():
        return _join_page(request, form, status=400)
    # Only requests that would text someone count: a typo does not use up the limit.
    if not ratelimit.allow(
        scope=JOIN_CLIENT_SCOPE,
        key=client_key(request),
        limit=JOIN_CLIENT_LIMIT,
        window_seconds=JOIN_CLIENT_WINDOW_SECONDS,
    ):
        return _refused(request, JOIN_CLIENT_WINDOW_SECONDS)
    cleaned = form.cleaned_data
    if not ratelimit.allow(
        scope=JOIN_PHONE_SCOPE,
        key=cleaned["phone"],
        limit=JOIN_PHONE_LIMIT,
        window_seconds=JOIN_PHONE_WINDOW_SECONDS,
    ):
        return _refused(request, JOIN_PHONE_WINDOW_SECONDS)
    request_by_web(phone=cleaned["phone"], towns=cleaned["all_towns"], language=cleaned["language"])
    return redirect("public_alerts:join_sent")


def _join_page(request: HttpRequest, form: JoinForm, *, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "error_links": form.error_links() if form.is_bound else [],
        "hotline": hotline(),
        "keyword": texts.KEYWORD[page_language()],
    }
    return render(request, "alerts/join_form.html", context, status=status)


def _refused(request: HttpRequest, window_seconds: int) -> HttpResponse:
    context = {"minutes": max(1, math.ceil(window_seconds / 60)), "hotline": hotline()}
    response = render(request, "alerts/join_refused.html", context, status=429)
    response["Retry-After"] = str(window_seconds)
    return response


@login_not_required
@require_GET
def join_sent(request: HttpRequest) -> HttpResponse:
    language = page_language()
    context = {
        "hotline": hotline(),
        "confirm": texts.CONFIRM[language],
        "keyword": texts.KEYWORD[language],
        "other_confirm_words": [w for code, w in texts.CONFIRM.items() if code != language],
    }
    return render(request, "alerts/join_sent.html", context)


@role_required(*COUNT_ROLES)
@require_GET
def subscriber_counts(request: HttpRequest) -> HttpResponse:
    counts = access_subscriber_counts(signed_in_user(request))
    return render(request, "alerts/join_counts.html", {"counts": counts})
