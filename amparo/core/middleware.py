"""Response headers that every page carries; provider webhooks past the middleware for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control


def content_security_policy(*, image_origins: tuple[str, ...] = ()) -> str:
    """The policy every page carries; a page may also allow images from ``image_origins``.

    Only the public map passes one: the tile server the network configured
    (``AMPARO_MAP_TILE_ORIGIN``, checked at start by amparo.alerts.mapconf). The
    view sets the header itself, and the middleware leaves a page's own header alone.
    """
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            " ".join(["img-src 'self' data:", *image_origins]),
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


# No third-party asset, no inline script: everything comes from our own origin.
CONTENT_SECURITY_POLICY = content_security_policy()
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A seized staff phone must not hold copies of what its owner saw.
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


V = TypeVar("V", bound=Callable[..., HttpResponse])


def provider_webhook(view: V) -> V:
    """Mark ``view`` as a provider's webhook: :class:`ProviderWebhookMiddleware` may
    call it past the middleware for people. Only for views that check the
    provider's signature themselves; being public and CSRF-exempt is not enough
    (the public report form is both).
    """
    view.provider_webhook = True  # type: ignore[attr-defined]
    return view


class ProviderWebhookMiddleware:
    """Provider webhooks (``/hooks/``) go straight to their view, past the middleware below.

    What follows in ``MIDDLEWARE`` serves people in browsers: sessions,
    language, CSRF, accounts, messages, session timeouts, MFA. A webhook is
    none of these: its view is public and exempt from CSRF, and checks the
    provider's signature itself. Skipping them was a sixth of an inbound
    text's time (``amparo bench intake``). Only a view marked by
    :func:`provider_webhook` (and public and ``csrf_exempt`` as well) is let
    through; any other under ``/hooks/`` takes the usual way. It answers in the site's language,
    as the locale middleware would for a request naming none, with a
    ``Content-Length`` as the common middleware would.
    """

    PREFIX = "/hooks/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(self.PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        view = match.func
        if (
            not getattr(view, "provider_webhook", False)
            or getattr(view, "login_required", True)
            or not getattr(view, "csrf_exempt", False)
        ):
            return self.get_response(request)
        request.resolver_match = match
        with translation.override(settings.LANGUAGE_CODE):
            response: HttpResponse = view(request, *match.args, **match.kwargs)
        if not response.streaming and not response.has_header("Content-Length"):
            # As CommonMiddleware does: else the server sends the body in chunks.
            response.headers["Content-Length"] = str(len(response.content))
        return response
