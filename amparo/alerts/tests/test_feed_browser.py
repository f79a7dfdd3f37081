"""Done when: the public page shows an alert and a debunk with JavaScript on and off; the map a pin.

Debian's chromium reads /alerts/ as a community member would, first with
JavaScript off (in Spanish, chosen with the language switch) and then on. The
map draws the confirmed incident's pin with JavaScript on and is a plain list
with it off. No page may break the Content Security Policy or ask any origin
but ours for anything.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from amparo.alerts.models import BroadcastKind
from amparo.alerts.tests.feed_factories import (
    BODIES,
    DEBUNK_BODIES,
    make_broadcast,
    make_confirmed_incident,
    make_debunked_incident,
    make_town,
)
from amparo.browser import requests_elsewhere

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _alert_and_debunk() -> None:
    hartford = make_town()
    confirmed = make_confirmed_incident(hartford)
    make_broadcast(towns=[hartford], incident=confirmed, minutes_ago=20)
    debunked = make_debunked_incident(make_town("New Haven", "41.30815", "-72.92816"))
    make_broadcast(
        kind=BroadcastKind.DEBUNK, bodies=DEBUNK_BODIES, incident=debunked, minutes_ago=2
    )


def _watch(page, live_server) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    return problems, requests_elsewhere(page, live_server.url)


def test_the_page_shows_an_alert_and_a_debunk_without_javascript_in_spanish(
    browser, live_server
) -> None:
    _alert_and_debunk()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems, elsewhere = _watch(page, live_server)

    page.goto(live_server.url + "/alerts/")
    page.select_option("#language-select", "es")
    page.locator(".language-switch button").click()
    assert page.url == live_server.url + "/alerts/"
    assert page.locator("html").get_attribute("lang") == "es"

    items = page.locator("article.alert-item")
    assert items.count() == 2
    # Newest first: the debunk, in Spanish, then the alert.
    assert "FALSA ALARMA" in items.nth(0).inner_text()
    assert "New Haven" in items.nth(0).locator(".alert-about").inner_text()
    assert BODIES["es"] in items.nth(1).inner_text()
    assert "Hartford" in items.nth(1).locator(".alert-kind").inner_text()

    page.goto(live_server.url + "/alerts/map/")
    assert page.locator("#incident-map").is_hidden()
    assert page.locator("li.pin-item").count() == 1
    assert "Hartford" in page.locator("li.pin-item").inner_text()

    assert not [p for p in problems if "Content Security Policy" in p]
    assert elsewhere == []
    context.close()


def test_the_page_and_the_map_work_with_javascript_on(browser, live_server) -> None:
    _alert_and_debunk()
    context = browser.new_context()
    page = context.new_page()
    problems, elsewhere = _watch(page, live_server)

    page.goto(live_server.url + "/alerts/")
    items = page.locator("article.alert-item")
    assert items.count() == 2
    assert "FALSE ALARM" in items.nth(0).inner_text()
    assert BODIES["en"] in items.nth(1).inner_text()

    page.goto(live_server.url + "/alerts/map/")
    pin = page.locator("#incident-map path.map-pin")
    pin.wait_for(state="visible", timeout=10_000)
    assert pin.count() == 1
    assert page.locator("#incident-map").get_attribute("data-pins") == "1"
    assert page.locator("#incident-map .map-town", has_text="Hartford").count() == 1
    # No tile server configured: no tile asked from anywhere.
    assert page.locator("#incident-map img.leaflet-tile").count() == 0
    # The list stays for keyboard and screen-reader users, in the map data's words.
    assert page.locator("li.pin-item").count() == 1
    assert page.locator("li.pin-item").inner_text().startswith("Hartford · the area around 41.76")

    assert not [p for p in problems if "Content Security Policy" in p]
    assert elsewhere == []
    context.close()


@pytest.fixture
def tile_server() -> Iterator[str]:
    """A tile server on this machine: every tile is the same small PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 235, 240)).save(buffer, format="PNG")
    tile = buffer.getvalue()
    asked: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_configured_tile_server_draws_the_map_within_the_policy(
    browser, live_server, tile_server, settings
) -> None:
    settings.AMPARO_MAP_TILE_URL = tile_server + "/{z}/{x}/{y}.png"
    settings.AMPARO_MAP_TILE_ORIGIN = tile_server
    settings.AMPARO_MAP_TILE_ATTRIBUTION = "Invented tiles"
    make_confirmed_incident(make_town())
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))

    page.goto(live_server.url + "/alerts/map/")
    page.locator("#incident-map path.map-pin").wait_for(timeout=10_000)
    page.locator("#incident-map img.leaflet-tile-loaded").first.wait_for(timeout=10_000)
    assert "Invented tiles" in page.locator(".leaflet-control-attribution").inner_text()
    assert not [p for p in problems if "Content Security Policy" in p]
    page.close()
