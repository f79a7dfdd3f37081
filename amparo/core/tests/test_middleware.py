"""Provider webhooks go past the middleware for people; nothing else does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from amparo.core.middleware import provider_webhook

pytestmark = pytest.mark.django_db


def _answer(request: HttpRequest) -> HttpResponse:
    # What the middleware below would have added, and the language in force.
    return HttpResponse(
        f"session={hasattr(request, 'session')} user={hasattr(request, 'user')} "
        f"language={translation.get_language()}"
    )


def _view() -> Any:
    # A new function each time: login_not_required marks the function it is given.
    def view(request: HttpRequest) -> HttpResponse:
        return _answer(request)

    return view


public_webhook = provider_webhook(login_not_required(csrf_exempt(_view())))
# Public and exempt like a webhook (the public report form is both), but not marked.
public_and_exempt = login_not_required(csrf_exempt(_view()))
public_only = login_not_required(_view())
exempt_only = csrf_exempt(_view())

urlpatterns: list[Any] = [
    path(
        "hooks/",
        include(
            [
                path("signed", public_webhook),
                path("unmarked", public_and_exempt),
                path("public-only", public_only),
                path("exempt-only", exempt_only),
            ]
        ),
    ),
    path("elsewhere", public_webhook),
    path("", include("amparo.urls")),  # the sign-in page, the 404 page
]


@pytest.fixture(autouse=True)
def these_urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF=__name__, LANGUAGE_CODE="en"):
        yield


class TestProviderWebhookMiddleware:
    def test_a_public_csrf_exempt_view_under_hooks_skips_sessions_accounts_and_locale(
        self, client: Client
    ) -> None:
        response = client.post("/hooks/signed", HTTP_ACCEPT_LANGUAGE="es")

        assert response.content == b"session=False user=False language=en"
        # The headers every response carries are still set.
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "Cookie" not in response.get("Vary", "")
        assert response["Content-Length"] == str(len(response.content))

    def test_the_same_view_elsewhere_takes_the_usual_way(self, client: Client) -> None:
        response = client.post("/elsewhere", HTTP_ACCEPT_LANGUAGE="es")

        assert response.content == b"session=True user=True language=es"

    def test_a_public_exempt_view_under_hooks_not_marked_as_a_webhook_takes_the_usual_way(
        self, client: Client
    ) -> None:
        response = client.post("/hooks/unmarked", HTTP_ACCEPT_LANGUAGE="es")

        assert response.content == b"session=True user=True language=es"

    @pytest.mark.parametrize("url", ["/hooks/public-only", "/hooks/exempt-only"])
    def test_a_view_under_hooks_that_is_not_both_public_and_exempt_takes_the_usual_way(
        self, client: Client, url: str
    ) -> None:
        response = client.post(url, HTTP_ACCEPT_LANGUAGE="es")

        if url.endswith("exempt-only"):  # LoginRequiredMiddleware sends a visitor to sign in
            assert response.status_code == 302
        else:  # CSRF still applies; the test client does not enforce it, sessions ran
            assert response.content.startswith(b"session=True user=True")

    def test_an_unknown_url_under_hooks_is_a_plain_404(self, client: Client) -> None:
        assert client.post("/hooks/nothing-here").status_code == 404


def test_every_route_under_hooks_is_a_marked_provider_webhook() -> None:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str) -> list[tuple[str, Any]]:
        found = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                found += walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append((prefix + str(entry.pattern), entry.callback))
        return found

    with override_settings(ROOT_URLCONF="amparo.urls"):
        routes = [(route, view) for route, view in walk(get_resolver().url_patterns, "")]
    hooks = [(route, view) for route, view in routes if route.startswith("hooks/")]
    assert len(hooks) >= 9
    assert all(getattr(view, "provider_webhook", False) for _, view in hooks)
