"""The one seam for the Twilio SDK's outbound HTTP (STYLE.md rule 6).

:class:`TwilioHttp` is the SDK's ``HttpClient``: it sends the SDK's requests to
``settings.TWILIO_API_BASE`` instead of ``https://api.twilio.com`` (tests and
benchmarks point it at :mod:`amparo.channels.fake_twilio` on 127.0.0.1), with
a connect timeout and a read timeout, one keep-alive connection per thread
(certificates verified for HTTPS), no automatic retry (a retried POST could
send a text twice: the outbox decides what to resend), and no logging of URLs
or parameters, which hold phone numbers.

It speaks the standard library's ``http.client`` directly: the outbox sends
over a thousand texts a second from one process, and the per-request CPU of
``requests`` (or even ``urllib3``) was more than the rest of the send together.

Failures come in two kinds, which the gateway must tell apart:
:class:`ConnectFailed` means the request never left (safe to retry); any other
``OSError`` or ``http.client.HTTPException`` may have reached the provider.
"""

from __future__ import annotations

import base64
import http.client
import select
import ssl
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

TWILIO_PUBLIC_BASE = "https://api.twilio.com"

# (connect, read) seconds: a connect timeout means nothing was sent; a read
# timeout means the provider may have the message (OutcomeUnknown).
DEFAULT_TIMEOUT = (3.05, 15.0)


class ConnectFailed(OSError):
    """The connection could not be opened: the request was never sent."""


def _dropped(sock: Any) -> bool:
    """True if an idle keep-alive connection was closed by the other side."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    # Readable while idle means EOF (or stray bytes): either way, start afresh.
    return bool(poller.poll(0))


class TwilioHttp(HttpClient):
    def __init__(
        self,
        *,
        base_url: str = TWILIO_PUBLIC_BASE,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(logger=_SILENT, is_async=False, timeout=None)
        self.base_url = base_url.rstrip("/")
        self.connect_timeout, self.read_timeout = timeout
        self._local = threading.local()
        self._tls: ssl.SSLContext | None = None  # loading CA certificates takes ~40 ms

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    def rewrite(self, url: str) -> str:
        """``url`` with the public API host replaced by the configured base."""
        if url.startswith(TWILIO_PUBLIC_BASE):
            return self.base_url + url[len(TWILIO_PUBLIC_BASE) :]
        return url

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        connections: dict[tuple[str, str], http.client.HTTPConnection] = getattr(
            self._local, "connections", {}
        )
        self._local.connections = connections
        connection = connections.get((scheme, netloc))
        if connection is None:
            if scheme == "https":
                connection = http.client.HTTPSConnection(
                    netloc, timeout=self.connect_timeout, context=self._tls_context()
                )
            elif scheme == "http":
                connection = http.client.HTTPConnection(netloc, timeout=self.connect_timeout)
            else:
                raise ConnectFailed(f"unsupported scheme {scheme!r}")
            connections[(scheme, netloc)] = connection
        if connection.sock is not None and _dropped(connection.sock):
            connection.close()
        if connection.sock is None:
            try:
                connection.connect()
            except OSError as exc:
                connection.close()
                raise ConnectFailed(type(exc).__name__) from exc
        assert connection.sock is not None
        connection.sock.settimeout(self.read_timeout)
        return connection

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(self.rewrite(url))
        target = parts.path or "/"
        query = "&".join(q for q in (parts.query, urlencode(params or {}, doseq=True)) if q)
        if query:
            target += "?" + query
        all_headers = {"Accept-Encoding": "identity", **(headers or {})}
        if auth is not None:
            all_headers["Authorization"] = _basic(auth)
        body: bytes | None = None
        if data:
            body = urlencode(data, doseq=True).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection = self._connection(parts.scheme, parts.netloc)
        if timeout:
            assert connection.sock is not None
            connection.sock.settimeout(timeout)
        try:
            connection.request(method.upper(), target, body=body, headers=all_headers)
            answer = connection.getresponse()
            payload = answer.read()
        except BaseException:
            connection.close()
            raise
        if answer.will_close:
            connection.close()
        return Response(answer.status, payload.decode("utf-8", "replace"), answer.headers)

    def fetch(self, url: str, *, auth: tuple[str, str]) -> tuple[int, bytes, str]:
        """GET ``url`` (rewritten to the configured base): status, raw body, content type.

        For media (a voicemail's audio), which the SDK's text responses would garble.
        """
        parts = urlsplit(self.rewrite(url))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Accept-Encoding": "identity", "Authorization": _basic(auth)}
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            connection.request("GET", target, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        except BaseException:
            connection.close()
            raise
        if answer.will_close:
            connection.close()
        return answer.status, payload, answer.headers.get("Content-Type", "")

    def log_request(self, kwargs: dict[str, Any]) -> None:
        return  # URLs and parameters hold phone numbers and message bodies

    def log_response(self, status_code: int, response: Any) -> None:
        return


def _basic(auth: tuple[str, str]) -> str:
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
    return f"Basic {token}"


class _SilentLogger:
    """Stands in for the SDK's logger: nothing it could log is safe to log."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


_SILENT: Any = _SilentLogger()
