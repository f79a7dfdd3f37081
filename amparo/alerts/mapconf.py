"""Settings of the public map, read once by ``amparo.settings`` at start.

Two facts only: where Leaflet's files are (the ``xstatic-leaflet`` package, so
they are served from our own origin, never a CDN), and which origin the
optional tile server has. The origin goes into the map page's Content Security
Policy, so it is checked strictly here: a value that could widen the policy
(a wildcard, a ``{s}`` sub-domain pattern, a list) stops the process at start.

No tile server is the default: then no visitor's browser asks anyone else for
anything. A tile server learns each visitor's address and which part of the
map they look at; a network should use one it runs or trusts.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from amparo.envconf import ConfigError

_HOST = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?\Z")


def leaflet_dir() -> str:
    """The folder holding leaflet.js, leaflet.css and its images (served as /static/leaflet/)."""
    from xstatic.pkg import leaflet

    return str(leaflet.BASE_DIR)


def tile_origin(url: str, *, allow_http: bool) -> str:
    """The origin (scheme://host[:port]) of a tile URL template; "" for no tile server.

    The template is Leaflet's: ``https://tiles.example.org/{z}/{x}/{y}.png``. It
    must name one host (no ``{s}``: the policy names exactly one origin) and use
    HTTPS (plain HTTP only outside production, for a tile server on this machine).
    """
    if not url:
        return ""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        raise ConfigError(
            f"AMPARO_MAP_TILE_URL must start with {' or '.join(s + '://' for s in schemes)}"
            f" (got {url!r})."
        )
    if not _HOST.match(parts.netloc):
        raise ConfigError(
            "AMPARO_MAP_TILE_URL must name one host, without {s}, a user name or spaces"
            f" (got {parts.netloc!r})."
        )
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ConfigError(
            "AMPARO_MAP_TILE_URL must be a tile template with {z}, {x} and {y}, such as "
            "https://tiles.example.org/{z}/{x}/{y}.png."
        )
    if any(char in url for char in " \"'<>\\"):
        raise ConfigError("AMPARO_MAP_TILE_URL must not hold spaces, quotes or angle brackets.")
    return f"{parts.scheme}://{parts.netloc.lower()}"
