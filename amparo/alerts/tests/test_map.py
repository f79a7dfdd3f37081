"""The public map: confirmed incidents not yet closed, at their coarse cell; tiles only if set."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from amparo.alerts.mapconf import tile_origin
from amparo.alerts.tests.feed_factories import (
    make_confirmed_incident,
    make_coordinator,
    make_debunked_incident,
    make_town,
    make_verifying_incident,
)
from amparo.core.middleware import CONTENT_SECURITY_POLICY
from amparo.core.tests.test_settings import production, start
from amparo.envconf import ConfigError
from amparo.incidents.actions import close_incident, mark_false_alarm
from amparo.incidents.models import Incident, IncidentState
from amparo.places.actions import add_town

pytestmark = pytest.mark.django_db

MAP_URL = "/alerts/map/"
DATA_URL = "/alerts/map.json"
# The sealed exact point of the factory's incidents; the map must never hold it.
EXACT = {"lat": 41.75892, "lon": -72.69213}


def map_data(client: Client | None = None) -> dict:
    response = (client or Client()).get(DATA_URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_a_confirmed_incident_is_a_pin_at_its_coarse_cell() -> None:
    make_confirmed_incident(make_town(), latitude="41.76", longitude="-72.69", location=EXACT)
    [pin] = map_data()["pins"]
    assert (pin["lat"], pin["lon"], pin["town"]) == (41.76, -72.69, "Hartford")
    assert pin["where"].startswith("the area around 41.76, -72.69, confirmed since ")
    assert '<p id="no-pins" hidden>' in Client().get(MAP_URL).content.decode()


def test_the_exact_point_is_never_in_the_data_nor_the_page() -> None:
    make_confirmed_incident(make_town(), location=EXACT)
    for body in (Client().get(DATA_URL).content, Client().get(MAP_URL).content):
        text = body.decode()
        assert "41.758" not in text
        assert "72.692" not in text


@pytest.mark.parametrize("state", [IncidentState.REPORTED, IncidentState.VERIFYING])
def test_an_unverified_incident_is_not_on_the_map(state: str) -> None:
    incident = make_verifying_incident(make_town())
    Incident.objects.filter(pk=incident.pk).update(state=state)
    assert map_data()["pins"] == []
    assert '<p id="no-pins">' in Client().get(MAP_URL).content.decode()


def test_a_false_alarm_is_not_on_the_map() -> None:
    make_debunked_incident(make_town())
    assert map_data()["pins"] == []


def test_a_pin_is_gone_once_the_incident_closes() -> None:
    incident = make_confirmed_incident(make_town())
    assert len(map_data()["pins"]) == 1
    close_incident(incident=incident, by=make_coordinator(), note="agents left")
    assert map_data()["pins"] == []
    assert '<p id="no-pins">' in Client().get(MAP_URL).content.decode()


def test_a_confirmed_incident_later_called_a_false_alarm_leaves_the_map() -> None:
    incident = make_confirmed_incident(make_town())
    Incident.objects.filter(pk=incident.pk).update(state=IncidentState.VERIFYING)
    incident.refresh_from_db()
    mark_false_alarm(incident=incident, by=make_coordinator(), note="it was a utility crew")
    assert map_data()["pins"] == []


def test_an_incident_with_only_a_town_is_shown_at_the_towns_coarse_centre() -> None:
    incident = make_confirmed_incident(make_town())
    Incident.objects.filter(pk=incident.pk).update(coarse_latitude=None, coarse_longitude=None)
    [pin] = map_data()["pins"]
    assert (pin["lat"], pin["lon"]) == (41.76, -72.69)  # Hartford 41.76371, -72.68509


def test_without_javascript_the_page_lists_the_same_incidents() -> None:
    make_confirmed_incident(make_town(), latitude="41.76", longitude="-72.69")
    make_confirmed_incident(make_town("New Haven", "41.30815", "-72.92816"), latitude="41.31")
    with translation.override("en"):
        html = Client().get(MAP_URL).content.decode()
    assert html.count('class="pin-item"') == 2
    assert "41.76, -72.69" in html
    assert "New Haven" in html
    # The map itself waits hidden for map.js; Leaflet comes from our own origin.
    assert '<div id="incident-map" class="incident-map" hidden' in html
    assert 'src="/static/leaflet/leaflet.js"' in html
    assert 'src="/static/alerts/map.js"' in html


def test_the_map_data_names_the_regions_towns_for_a_map_without_tiles() -> None:
    make_town()
    add_town(
        name="Springfield", state="MA", latitude=Decimal("42.10148"), longitude=Decimal("-72.58981")
    )
    towns = map_data()["towns"]
    assert [town["name"] for town in towns] == ["Hartford"]


def test_leaflet_is_served_from_our_own_origin() -> None:
    response = Client().get("/static/leaflet/leaflet.js")
    assert response.status_code == 200


def test_the_map_loads_no_tiles_and_allows_no_other_origin_by_default() -> None:
    response = Client().get(MAP_URL)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert 'data-tiles=""' in response.content.decode()


def test_a_configured_tile_server_is_allowed_on_the_map_page_only(settings) -> None:
    settings.AMPARO_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.AMPARO_MAP_TILE_ORIGIN = "https://tiles.example.org"
    settings.AMPARO_MAP_TILE_ATTRIBUTION = "Tiles by an invented server"
    response = Client().get(MAP_URL)
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in policy
    assert "script-src 'self';" in policy
    html = response.content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="Tiles by an invented server"' in html
    assert Client().get("/alerts/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("", ""),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        (
            "https://Tiles.Example.org:8443/osm/{z}/{x}/{y}.png?key=k",
            "https://tiles.example.org:8443",
        ),
    ],
)
def test_a_tile_template_gives_its_origin(url: str, origin: str) -> None:
    assert tile_origin(url, allow_http=False) == origin


@pytest.mark.parametrize(
    "url",
    [
        "http://tiles.example.org/{z}/{x}/{y}.png",  # plain HTTP in production
        "https://{s}.tiles.example.org/{z}/{x}/{y}.png",  # several origins
        "https://*.example.org/{z}/{x}/{y}.png",
        "https://user@tiles.example.org/{z}/{x}/{y}.png",
        "https://tiles.example.org/tiles.png",  # not a template
        "https://tiles.example.org; script-src *;/{z}/{x}/{y}",
        "javascript:alert(1)//{z}/{x}/{y}",
    ],
)
def test_a_tile_template_that_could_widen_the_policy_stops_the_start(url: str) -> None:
    with pytest.raises(ConfigError):
        tile_origin(url, allow_http=False)


def test_production_refuses_to_start_with_a_tile_server_of_several_origins(tmp_path: Path) -> None:
    env = production(AMPARO_MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    result = start(env, tmp_path)
    assert result.returncode != 0
    assert "AMPARO_MAP_TILE_URL must name one host" in result.stderr


def test_production_starts_with_an_https_tile_server(tmp_path: Path) -> None:
    env = production(AMPARO_MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
    result = start(env, tmp_path)
    assert result.returncode == 0, result.stderr


def test_plain_http_tiles_are_allowed_outside_production_only() -> None:
    url = "http://127.0.0.1:8080/{z}/{x}/{y}.png"
    assert tile_origin(url, allow_http=True) == "http://127.0.0.1:8080"


def test_the_pins_cost_one_query_however_many(django_assert_num_queries) -> None:
    hartford = make_town()
    for n in range(5):
        make_confirmed_incident(hartford, latitude=f"41.7{n}")
    assert Decimal("41.70") in Incident.objects.values_list("coarse_latitude", flat=True)
    client = Client()
    with django_assert_num_queries(2):  # the pins, the region's towns
        client.get(DATA_URL)
