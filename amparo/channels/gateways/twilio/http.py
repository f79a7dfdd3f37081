"""The one seam for the Twilio SDK's outbound HTTP (STYLE.md rule 6).

:class:`TwilioHttp` is the SDK's ``HttpClient``: it sends the SDK's requests to
``settings.TWILIO_API_BASE`` instead of ``https://api.twilio.com`` (tests and
benchmarks point it at :mod:`amparo.channels.fake_twilio` on 127.0.0.1), with
connect and read timeouts, a thread-safe pool of keep-alive connections, no
automatic retry (a retried POST could send a text twice: the outbox decides
what to resend), and no logging of URLs or parameters, which hold phone numbers.

It speaks urllib3 directly rather than through ``requests``: the outbox sends
a thousand texts a second from one process, and ``requests`` would spend more
CPU preparing each request than the rest of the send put together.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import urllib3
from twilio.http import HttpClient
from twilio.http.response import Response

TWILIO_PUBLIC_BASE = "https://api.twilio.com"

# (connect, read) seconds: a connect timeout means nothing was sent; a read
# timeout means the provider may have the message (OutcomeUnknown).
DEFAULT_TIMEOUT = (3.05, 15.0)


class TwilioHttp(HttpClient):
    def __init__(
        self,
        *,
        base_url: str = TWILIO_PUBLIC_BASE,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        pool_size: int = 8,
    ) -> None:
        super().__init__(logger=_SILENT, is_async=False, timeout=None)
        self.base_url = base_url.rstrip("/")
        self.timeout_pair = timeout
        self.pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=pool_size,
            retries=False,  # never resend on our own: see the module docstring
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
        )

    def rewrite(self, url: str) -> str:
        """``url`` with the public API host replaced by the configured base."""
        if url.startswith(TWILIO_PUBLIC_BASE):
            return self.base_url + url[len(TWILIO_PUBLIC_BASE) :]
        return url

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
        url = self.rewrite(url)
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        all_headers = dict(headers or {})
        if auth is not None:
            all_headers.update(urllib3.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
        body: bytes | None = None
        if data:
            body = urlencode(data, doseq=True).encode("utf-8")
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        answer = self.pool.request(
            method.upper(),
            url,
            body=body,
            headers=all_headers,
            redirect=allow_redirects,
            timeout=urllib3.Timeout(
                connect=self.timeout_pair[0], read=timeout or self.timeout_pair[1]
            ),
        )
        return Response(answer.status, answer.data.decode("utf-8", "replace"), answer.headers)

    def log_request(self, kwargs: dict[str, Any]) -> None:
        return  # URLs and parameters hold phone numbers and message bodies

    def log_response(self, status_code: int, response: Any) -> None:
        return


class _SilentLogger:
    """Stands in for the SDK's logger: nothing it could log is safe to log."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


_SILENT: Any = _SilentLogger()
