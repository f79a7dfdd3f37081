from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from amparo.core.queries import database_ok, newest_heartbeat


@login_not_required
@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "amparo/public_home.html")


@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "amparo/staff_home.html")


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, open to community members without an account."""
    return django_set_language(request)


@login_not_required
@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without touching the database; also the ceiling for web benchmarks."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and worker health. 503 only when the database is down.

    The worker state is reported but does not fail the check unless
    ``?strict=1``: web pages keep working while a worker restarts.
    """
    db_ok = database_ok()
    worker = "unknown"
    age: float | None = None
    if db_ok:
        beat = newest_heartbeat()
        if beat is None:
            worker = "missing"
        else:
            age = (timezone.now() - beat).total_seconds()
            worker = "ok" if age <= settings.AMPARO_WORKER_STALE_SECONDS else "stale"
    healthy = db_ok and (worker == "ok" or request.GET.get("strict") != "1")
    body = {
        "status": "ok" if healthy else "fail",
        "database": "ok" if db_ok else "fail",
        "worker": worker,
        "worker_age_seconds": None if age is None else round(age, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
