"""A fake Twilio REST API on 127.0.0.1, for tests and benchmarks: no account, no network.

It answers what the official SDK calls to send and list messages
(``POST``/``GET /2010-04-01/Accounts/{AccountSid}/Messages.json``), checks HTTP
basic auth, and can misbehave on purpose:

- ``fail_rate``: answers 500 or 429 *without* accepting the message;
- ``drop_rate``: accepts the message, then closes the connection without an
  answer (the sender cannot know whether it went out);
- ``opted_out``: numbers answered with Twilio error 21610 (recipient unsubscribed).

Every accepted message is kept in :attr:`FakeTwilio.accepted` (to, body, sid,
sender, time). Use it as a context manager; it runs in a daemon thread and
stops itself after ``deadline`` seconds whatever happens, so a failed test
never leaves it running. ``GET /_fake/accepted`` returns the accepted messages
as JSON, for a caller in another process (``python -m amparo.channels.fake_twilio``).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime as dt
import json
import random
import secrets
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"
FAKE_AUDIO = b"ID3\x04\x00fake voicemail "  # what every fake recording sounds like
FAKE_ACCOUNT_SID = "AC" + "0" * 32
FAKE_AUTH_TOKEN = "fake-auth-token-for-tests"  # noqa: S105 (not a secret: the fake's own)


@dataclass(frozen=True)
class AcceptedMessage:
    sid: str
    to: str
    body: str
    sender: str
    at: float  # time.time() when accepted


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many keep-alive connections from a sender's thread pool.
    request_queue_size = 128
    fake: FakeTwilio


def _rfc2822(moment: float) -> str:
    return format_datetime(dt.datetime.fromtimestamp(moment, tz=dt.UTC))


def _parse_date_filter(value: str) -> float | None:
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            parsed = dt.datetime.strptime(value, layout).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return parsed.timestamp()
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    # Headers and body go out in two writes: without this, Nagle's algorithm and
    # delayed ACKs hold every answer for 40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry phone numbers in query strings: never log them.
        return

    # --- helpers ---------------------------------------------------------------

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: int, message: str) -> None:
        self._answer(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _authorised(self) -> bool:
        fake = self.server.fake
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user, fake.account_sid) and secrets.compare_digest(
            password, fake.auth_token
        )

    def _messages_path(self) -> bool:
        path = urlsplit(self.path).path
        return path == f"/{API_VERSION}/Accounts/{self.server.fake.account_sid}/Messages.json"

    # --- routes ----------------------------------------------------------------

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self._messages_path():
            self._error(404, 20404, "The requested resource was not found")
            return
        if not self._authorised():
            self._error(401, 20003, "Authenticate")
            return
        form = {key: values[0] for key, values in parse_qs(raw.decode("utf-8")).items()}
        to, body = form.get("To", ""), form.get("Body", "")
        sender = form.get("From") or form.get("MessagingServiceSid", "")
        if not to or not body or not sender:
            self._error(400, 21604, "A 'To', 'From' and 'Body' are required")
            return
        fake = self.server.fake
        validity = form.get("ValidityPeriod")
        if validity is not None and not (validity.isdigit() and 1 <= int(validity) <= 36_000):
            self._error(400, 21624, "Invalid validity period value")
            return
        fate = fake._fate(to)
        if fate == "fail":
            if fake._coin() < 0.5:
                self._error(429, 20429, "Too Many Requests")
            else:
                self._error(500, 20500, "Internal Server Error")
            return
        if fate == "opted-out":
            self._error(400, 21610, "Attempt to send to unsubscribed recipient")
            return
        message = fake._accept(to=to, body=body, sender=sender)
        if validity is not None:
            with fake._lock:
                fake.validity_periods[message.sid] = int(validity)
        if fate == "drop":
            # Accepted, then the answer is lost: the caller cannot tell.
            self.close_connection = True
            return
        self._answer(201, fake._resource(message, status_callback=form.get("StatusCallback")))

    def do_DELETE(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path).path.split("/")
        # /2010-04-01/Accounts/{AccountSid}/{Messages|Recordings}/{Sid}.json
        if (
            len(parts) != 6
            or parts[1:3] != [API_VERSION, "Accounts"]
            or parts[3] != fake.account_sid
            or parts[4] not in ("Messages", "Recordings")
            or not parts[5].endswith(".json")
        ):
            self._error(404, 20404, "The requested resource was not found")
            return
        if not self._authorised():
            self._error(401, 20003, "Authenticate")
            return
        with fake._lock:
            failing = fake.failing_erasures > 0
            if failing:
                fake.failing_erasures -= 1
            else:
                fake.erased.append((parts[4], parts[5].removesuffix(".json")))
        if failing:
            self._error(503, 20503, "Service Unavailable")
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        if split.path == "/_fake/accepted":
            self._answer(200, {"accepted": [m.__dict__ for m in fake.accepted_messages()]})
            return
        recordings = f"/{API_VERSION}/Accounts/{fake.account_sid}/Recordings/"
        if split.path.startswith(recordings) and split.path.endswith(".mp3"):
            if not self._authorised():
                self._error(401, 20003, "Authenticate")
                return
            sid = split.path[len(recordings) : -len(".mp3")]
            if ("Recordings", sid) in fake.erased:
                self._error(404, 20404, "The requested resource was not found")
                return
            audio = FAKE_AUDIO + sid.encode("ascii", "replace")
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            self.wfile.write(audio)
            return
        if not self._messages_path():
            self._error(404, 20404, "The requested resource was not found")
            return
        if not self._authorised():
            self._error(401, 20003, "Authenticate")
            return
        query = {key: values[0] for key, values in parse_qs(split.query).items()}
        self._answer(200, fake._page(split.path, query))


class FakeTwilio:
    """A Twilio-compatible REST server on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        drop_rate: float = 0.0,
        opted_out: Iterable[str] = (),
        account_sid: str = FAKE_ACCOUNT_SID,
        auth_token: str = FAKE_AUTH_TOKEN,
        seed: int | None = None,
        deadline: float = 600.0,
        port: int = 0,
    ) -> None:
        self.fail_rate = fail_rate
        self.drop_rate = drop_rate
        self.opted_out = frozenset(opted_out)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.deadline = deadline
        self.requested_port = port
        self.requests = 0
        self.failed = 0
        self.dropped = 0
        self._random = random.Random(seed)  # noqa: S311 (failure injection, not security)
        self._lock = threading.Lock()
        self._accepted: list[AcceptedMessage] = []
        self.validity_periods: dict[str, int] = {}  # sid -> ValidityPeriod asked for
        # ("Messages" | "Recordings", sid) deleted through the API, in order
        self.erased: list[tuple[str, str]] = []
        self.failing_erasures = 0  # the next this many deletes answer 503
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    # --- lifecycle -------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "the fake Twilio is not running"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What ``settings.TWILIO_API_BASE`` must be to reach this server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTwilio:
        server = _Server(("127.0.0.1", self.requested_port), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        self._timer = threading.Timer(self.deadline, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if self._timer is not None:
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what it accepted ------------------------------------------------------

    def accepted_messages(self) -> list[AcceptedMessage]:
        with self._lock:
            return list(self._accepted)

    @property
    def accepted(self) -> list[AcceptedMessage]:
        return self.accepted_messages()

    # --- used by the handler ---------------------------------------------------

    def _coin(self) -> float:
        with self._lock:
            return self._random.random()

    def _fate(self, to: str) -> str:
        with self._lock:
            self.requests += 1
            if to in self.opted_out:
                return "opted-out"
            draw = self._random.random()
            if draw < self.fail_rate:
                self.failed += 1
                return "fail"
            if draw < self.fail_rate + self.drop_rate:
                self.dropped += 1
                return "drop"
            return "accept"

    def _accept(self, *, to: str, body: str, sender: str) -> AcceptedMessage:
        message = AcceptedMessage(
            sid="SM" + secrets.token_hex(16), to=to, body=body, sender=sender, at=time.time()
        )
        with self._lock:
            self._accepted.append(message)
        return message

    def _resource(self, message: AcceptedMessage, *, status_callback: str | None = None) -> dict:
        stamp = _rfc2822(message.at)
        sender_is_service = message.sender.startswith("MG")
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": stamp,
            "date_sent": stamp,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": None if sender_is_service else message.sender,
            "messaging_service_sid": message.sender if sender_is_service else None,
            "num_media": "0",
            # Rough on purpose: the fake runs without Django, and nothing reads it.
            "num_segments": str(1 + len(message.body) // 154),
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": "queued" if status_callback is not None else "sent",
            "subresource_uris": {},
            "to": message.to,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }

    def _page(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        to = query.get("To")
        after = _parse_date_filter(query["DateSent>"]) if "DateSent>" in query else None
        page_size = max(1, min(1000, int(query.get("PageSize") or 50)))
        page = max(0, int(query.get("Page") or 0))
        with self._lock:
            matching = [
                m
                for m in reversed(self._accepted)  # newest first, like Twilio
                if (to is None or m.to == to) and (after is None or int(m.at) >= after)
            ]
        chunk = matching[page * page_size : (page + 1) * page_size]

        def page_uri(number: int) -> str:
            params = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
            params.update(PageSize=str(page_size), Page=str(number))
            return f"{path}?{urlencode(params)}"

        has_next = (page + 1) * page_size < len(matching)
        return {
            "messages": [self._resource(m) for m in chunk],
            "page": page,
            "page_size": page_size,
            "start": page * page_size,
            "end": page * page_size + max(0, len(chunk) - 1),
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
            "next_page_uri": page_uri(page + 1) if has_next else None,
            "previous_page_uri": page_uri(page - 1) if page > 0 else None,
        }


def main(argv: list[str] | None = None) -> None:
    """Serve a fake Twilio until killed or ``--deadline`` seconds; print its base URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    fake = FakeTwilio(
        fail_rate=args.fail_rate,
        drop_rate=args.drop_rate,
        deadline=args.deadline,
        seed=args.seed,
        port=args.port,
    ).start()
    sys.stdout.write(json.dumps({"base_url": fake.base_url}) + "\n")
    sys.stdout.flush()
    assert fake._thread is not None
    fake._thread.join()


if __name__ == "__main__":
    main()
