"""The public alerts feed and map under /alerts/: no account, no JavaScript needed.

Pages:

- ``/alerts/``: published alerts, newest first, each in the viewer's language
  (else English), with the language switch every public page has;
- ``/alerts/<id>/``: one published alert (the feeds link to it; people share it);
- ``/alerts/feed.atom`` and ``/alerts/feed.json`` (JSON Feed 1.1): the same alerts
  for feed readers. ``?lang=es`` (en, es, pt, ht) picks the language; without
  it, the visitor's language as for the pages (cookie, then the browser's);
- ``/alerts/map/``: a map of verified incidents at their coarse cell, drawn by
  ``alerts/map.js`` with Leaflet from our own origin, over the list of the same
  incidents that is the whole page without JavaScript; ``/alerts/map.json``
  feeds the map and lets it drop an incident once it closes.

Every response is rate limited per client (``AMPARO_PUBLIC_ALERTS_LIMIT`` per
``AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS``): a brake on floods, generous because
many phones may share one address. Nothing about the visitor is stored.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from amparo.alerts.queries.feed import (
    FeedItem,
    published_broadcast,
    published_broadcasts,
    region_town_labels,
    verified_incidents,
)
from amparo.contacts.models import Language
from amparo.core import ratelimit
from amparo.core.middleware import content_security_policy
from amparo.intake.views import client_key, hotline

PUBLIC_SCOPE = "alerts-public"
# Feed readers poll; a minute old is fresh enough and spares the database.
FEED_MAX_AGE = 60
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

View = Callable[..., HttpResponse]


def _rate_limited(view: View) -> View:
    """Refuse a client that loaded more public alert pages than the window allows."""

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if ratelimit.allow(
            scope=PUBLIC_SCOPE,
            key=client_key(request),
            limit=settings.AMPARO_PUBLIC_ALERTS_LIMIT,
            window_seconds=settings.AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS,
        ):
            return view(request, *args, **kwargs)
        window = settings.AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS
        context = {"minutes": max(1, math.ceil(window / 60))}
        response = render(request, "alerts/feed_refused.html", context, status=429)
        response["Retry-After"] = str(window)
        return response

    return limited


def page_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


def feed_language(request: HttpRequest) -> str:
    """``?lang=`` when it names one of the languages, else the visitor's."""
    asked = request.GET.get("lang", "")
    return asked if asked in Language.values else page_language()


def _headline(item: FeedItem) -> str:
    """A one-line title for feed readers: the kind, then the towns."""
    return " · ".join([item.kind_label, *item.towns[:3]])


# --- pages -----------------------------------------------------------------------


@login_not_required
@require_safe
@_rate_limited
def feed(request: HttpRequest) -> HttpResponse:
    language = page_language()
    context = {
        "items": published_broadcasts(language=language),
        "language": language,
        "hotline": hotline(),
    }
    return render(request, "alerts/feed.html", context)


@login_not_required
@require_safe
@_rate_limited
def broadcast(request: HttpRequest, broadcast_id: uuid.UUID) -> HttpResponse:
    language = page_language()
    item = published_broadcast(broadcast_id, language=language)
    if item is None:
        raise Http404("not a published alert")
    context = {"item": item, "language": language, "hotline": hotline()}
    return render(request, "alerts/feed_item_page.html", context)


# --- feeds -----------------------------------------------------------------------


class AlertsAtomFeed(Feed):
    """The published alerts as Atom, in one language; entries link to each alert's page."""

    feed_type = Atom1Feed

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language  # the feed's xml:lang
        self.body_language = language

    def title(self) -> str:
        return _("%(network)s: verified alerts") % {"network": settings.AMPARO_NETWORK_NAME}

    def subtitle(self) -> str:
        return _("Alerts and false-alarm notices the network checked before sharing.")

    def link(self) -> str:
        return reverse("public_alerts:feed")

    def feed_url(self) -> str:
        return reverse("public_alerts:feed_atom") + f"?lang={self.body_language}"

    def author_name(self) -> str:
        # The network speaks; the coordinators who wrote and approved stay unnamed.
        return str(settings.AMPARO_NETWORK_NAME)

    def items(self) -> list[FeedItem]:
        return published_broadcasts(language=self.body_language)

    def item_title(self, item: FeedItem) -> str:
        return _headline(item)

    def item_description(self, item: FeedItem) -> str:
        # Atom's summary is HTML: the plain text is escaped, never read as markup.
        return linebreaks(escape(item.body))

    def item_link(self, item: FeedItem) -> str:
        return reverse("public_alerts:broadcast", args=[item.id])

    def item_guid(self, item: FeedItem) -> str:
        return item.id.urn

    def item_guid_is_permalink(self, item: FeedItem) -> bool:
        return False

    def item_pubdate(self, item: FeedItem) -> Any:
        return item.published_at

    def item_updateddate(self, item: FeedItem) -> Any:
        return item.published_at

    def item_categories(self, item: FeedItem) -> list[str]:
        return [item.kind]


def _feed_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    # Without ?lang= the language comes from the cookie or the browser.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


@login_not_required
@require_safe
@_rate_limited
def atom_feed(request: HttpRequest) -> HttpResponse:
    language = feed_language(request)
    with translation.override(language):
        response = AlertsAtomFeed(language)(request)
    return _feed_response(request, response)


@login_not_required
@require_safe
@_rate_limited
def json_feed(request: HttpRequest) -> HttpResponse:
    """JSON Feed 1.1 (jsonfeed.org): the same entries as the Atom feed."""
    language = feed_language(request)
    with translation.override(language):
        items = [
            {
                "id": item.id.urn,
                "url": request.build_absolute_uri(
                    reverse("public_alerts:broadcast", args=[item.id])
                ),
                "title": _headline(item),
                "content_text": item.body,
                "date_published": item.published_at.isoformat(),
                "language": item.body_language,
                "tags": [item.kind],
                "_amparo": {
                    "kind": item.kind,
                    "towns": list(item.towns),
                    "corrects": item.corrects_id.urn if item.corrects_id else None,
                    "retracted": item.retracted,
                },
            }
            for item in published_broadcasts(language=language)
        ]
        body = {
            "version": JSON_FEED_VERSION,
            "title": AlertsAtomFeed(language).title(),
            "description": _("Alerts and false-alarm notices the network checked before sharing."),
            "home_page_url": request.build_absolute_uri(reverse("public_alerts:feed")),
            "feed_url": request.build_absolute_uri(
                reverse("public_alerts:feed_json") + f"?lang={language}"
            ),
            "language": language,
            "authors": [{"name": str(settings.AMPARO_NETWORK_NAME)}],
            "items": items,
        }
    response = JsonResponse(
        body, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False}
    )
    return _feed_response(request, response)


# --- the map ---------------------------------------------------------------------


def _with_tile_server(response: HttpResponse) -> HttpResponse:
    """Allow images from the configured tile server on this response only (none by default)."""
    origin = settings.AMPARO_MAP_TILE_ORIGIN
    if origin:
        response.headers["Content-Security-Policy"] = content_security_policy(
            image_origins=(origin,)
        )
    return response


def _pin_rows() -> list[dict[str, Any]]:
    """The verified incidents, as the page lists them and map.js draws them (the same words)."""
    rows = []
    for pin in verified_incidents():
        local = timezone.localtime(pin.since)
        sentence = _("the area around %(cell)s, confirmed since %(since)s %(zone)s") % {
            "cell": pin.cell,
            "since": formats.date_format(local, "DATETIME_FORMAT"),
            "zone": dateformat.format(local, "T"),
        }
        rows.append(
            {
                "town": pin.town or _("unknown town"),
                "where": sentence,
                "lat": float(pin.latitude),
                "lon": float(pin.longitude),
                "since": pin.since.isoformat(),
            }
        )
    return rows


@login_not_required
@require_safe
@_rate_limited
def incident_map(request: HttpRequest) -> HttpResponse:
    context = {
        "pins": _pin_rows(),
        "hotline": hotline(),
        "tile_url": settings.AMPARO_MAP_TILE_URL,
        "tile_attribution": settings.AMPARO_MAP_TILE_ATTRIBUTION,
    }
    return _with_tile_server(render(request, "alerts/feed_map.html", context))


@login_not_required
@require_safe
@_rate_limited
def map_data(request: HttpRequest) -> JsonResponse:
    """What map.js draws and lists: the verified incidents' cells and the region's town names."""
    towns = [
        {"name": town.name, "lat": float(town.latitude), "lon": float(town.longitude)}
        for town in region_town_labels()
    ]
    response = JsonResponse({"pins": _pin_rows(), "towns": towns})
    # Never an old copy: a closed incident must leave the map at the next poll.
    patch_cache_control(response, no_store=True)
    return response
