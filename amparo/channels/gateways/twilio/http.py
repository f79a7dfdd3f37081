"""The one seam for the Twilio SDK's outbound HTTP (STYLE.md rule 6).

:class:`TwilioHttp` is the SDK's ``HttpClient``: it sends the SDK's requests to
``settings.TWILIO_API_BASE`` instead of ``https://api.twilio.com`` (tests and
benchmarks point it at :mod:`amparo.channels.fake_twilio` on 127.0.0.1), with
a connect timeout and a read timeout, one keep-alive connection per thread
(certificates verified for HTTPS), no automatic retry (a retried POST could
send a text twice: the outbox decides what to resend), and no logging of URLs
or parameters, which hold phone numbers.

The outbox sends over a thousand texts a second from one process, so the
request path is kept lean: the request is written in one ``sendall`` and the
answer is parsed by ``httptools`` (llhttp, the parser of Node.js, in C). The
standard library's ``http.client`` spent more CPU on an answer's headers (it
runs them through the ``email`` package) than the SDK spent on the rest of the
send; ``requests`` and ``urllib3`` spent more still.

Failures come in two kinds, which the gateway must tell apart:
:class:`ConnectFailed` means the request never left (safe to retry); any other
``OSError`` or ``http.client.HTTPException`` may have reached the provider.
"""

from __future__ import annotations

import base64
import http.client
import re
import select
import socket
import ssl
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit

import httptools
from twilio.http import HttpClient
from twilio.http.response import Response

TWILIO_PUBLIC_BASE = "https://api.twilio.com"

# (connect, read) seconds: a connect timeout means nothing was sent; a read
# timeout means the provider may have the message (OutcomeUnknown).
DEFAULT_TIMEOUT = (3.05, 15.0)
# A voicemail recording is the largest answer (a few MB); nothing legitimate is near this.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_READ_SIZE = 65536


class ConnectFailed(OSError):
    """The connection could not be opened: the request was never sent."""


class UnreadableAnswer(http.client.HTTPException):
    """The answer was cut short, malformed or too large: the request may have gone through."""


class _Answer:
    """One HTTP answer as ``httptools`` parses it (its callbacks fill this in)."""

    __slots__ = (
        "body",
        "complete",
        "headers",
        "keep_alive",
        "messages",
        "parser",
        "size",
        "status",
    )

    def __init__(self) -> None:
        self.parser: Any = httptools.HttpResponseParser(self)
        self.status = 0  # set once the headers are in
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.size = 0
        self.messages = 0  # more than one: the server sent what we did not ask for
        self.complete = False
        self.keep_alive = False  # as the parser saw it when the answer ended

    def on_message_begin(self) -> None:
        self.messages += 1

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.messages == 1:
            self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self.messages == 1:
            self.status = self.parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        if self.messages != 1:
            return  # an answer to nothing we asked: the connection is dropped after
        self.size += len(body)
        if self.size > MAX_ANSWER_BYTES:
            raise UnreadableAnswer("answer too large")
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.messages == 1:
            self.keep_alive = self.parser.should_keep_alive()
        self.complete = True

    @property
    def ends_at_close(self) -> bool:
        """No length and not chunked: the body runs until the server closes."""
        return "content-length" not in self.headers and "transfer-encoding" not in self.headers


class _Connection:
    """A keep-alive HTTP/1.1 connection to one host (used by one thread at a time)."""

    def __init__(
        self, scheme: str, netloc: str, *, connect_timeout: float, tls: ssl.SSLContext | None
    ) -> None:
        parts = urlsplit(f"{scheme}://{netloc}")
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if scheme == "https" else 80)
        self.netloc = netloc
        self.connect_timeout = connect_timeout
        self.tls = tls
        self.sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def open(self) -> socket.socket:
        if self.sock is not None and _dropped(self.sock):
            self.close()
        if self.sock is None:
            try:
                sock = socket.create_connection((self.host, self.port), self.connect_timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.tls is not None:
                    sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            except OSError as exc:
                raise ConnectFailed(type(exc).__name__) from exc
            self.sock = sock
        return self.sock

    def exchange(self, head: bytes, body: bytes, *, read_timeout: float) -> _Answer:
        """Send one request, read its whole answer; on any failure the connection is closed."""
        sock = self.open()
        answer = _Answer()
        parser = answer.parser
        try:
            sock.settimeout(read_timeout)
            sock.sendall(head + body)
            while not answer.complete:
                data = sock.recv(_READ_SIZE)
                if not data:
                    if answer.status and answer.ends_at_close:
                        answer.complete = True
                        break
                    raise http.client.RemoteDisconnected("closed without a whole answer")
                parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            self.close()
            raise UnreadableAnswer(str(exc.__context__ or exc)) from None
        except httptools.HttpParserError as exc:
            self.close()
            raise UnreadableAnswer("malformed answer") from exc
        except BaseException:
            self.close()
            raise
        finally:
            answer.parser = None  # no cycle between the answer and its parser
        if answer.messages != 1 or not answer.keep_alive:
            self.close()
        return answer


def _dropped(sock: socket.socket) -> bool:
    """True if an idle keep-alive connection was closed by the other side."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    # Readable while idle means EOF (or stray bytes): either way, start afresh.
    return bool(poller.poll(0))


def _head(method: str, target: str, netloc: str, headers: dict[str, str], body: bytes) -> bytes:
    """The request line and headers, as HTTP/1.1 wants them."""
    fields = [("Host", netloc), *headers.items()]
    if body or method in _BODY_METHODS:
        fields.append(("Content-Length", str(len(body))))
    parts = [method, target, *(text for pair in fields for text in pair)]
    if any(_FORBIDDEN.search(part) for part in parts) or " " in method + target:
        raise ValueError("control character or space in the request line or a header")
    lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in fields)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")


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

    def _connection(self, scheme: str, netloc: str) -> _Connection:
        connections: dict[tuple[str, str], _Connection] = getattr(self._local, "connections", {})
        self._local.connections = connections
        connection = connections.get((scheme, netloc))
        if connection is None:
            if scheme not in ("http", "https"):
                raise ConnectFailed(f"unsupported scheme {scheme!r}")
            tls = self._tls_context() if scheme == "https" else None
            connection = _Connection(scheme, netloc, connect_timeout=self.connect_timeout, tls=tls)
            connections[(scheme, netloc)] = connection
        return connection

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes = b"",
        timeout: float | None = None,
    ) -> _Answer:
        parts = urlsplit(self.rewrite(url))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        head = _head(method, target, parts.netloc, headers, body)
        connection = self._connection(parts.scheme, parts.netloc)
        return connection.exchange(head, body, read_timeout=timeout or self.read_timeout)

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
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        all_headers = {"Accept-Encoding": "identity", **(headers or {})}
        if auth is not None:
            all_headers["Authorization"] = _basic(auth)
        body = b""
        if data:
            body = urlencode(data, doseq=True).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        answer = self._exchange(
            method.upper(), url, headers=all_headers, body=body, timeout=timeout
        )
        text = b"".join(answer.body).decode("utf-8", "replace")
        return Response(answer.status, text, answer.headers)

    def fetch(self, url: str, *, auth: tuple[str, str]) -> tuple[int, bytes, str]:
        """GET ``url`` (rewritten to the configured base): status, raw body, content type.

        For media (a voicemail's audio), which the SDK's text responses would garble.
        """
        headers = {"Accept-Encoding": "identity", "Authorization": _basic(auth)}
        answer = self._exchange("GET", url, headers=headers)
        return answer.status, b"".join(answer.body), answer.headers.get("content-type", "")

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
