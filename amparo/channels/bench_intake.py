"""``amparo bench intake``: signed inbound-SMS webhooks against the real WSGI server.

Starts gunicorn and ``amparo worker`` the way ``amparo run`` does (the same
command, :func:`amparo.core.gunicorn.command`) on a free port of 127.0.0.1,
over a database of its own: a temporary SQLite file in WAL mode, migrated
fresh (on PostgreSQL, the throw-away test database that ``amparo bench``
made). Then, over
``CONNECTIONS`` keep-alive connections opened once for the whole run:

1. the ceiling and the webhook in turns: ``ROUNDS`` rounds, each first
   ``size / ROUNDS`` requests to the same server's bare ``/healthz/ping``,
   then as many signed inbound texts to ``/hooks/twilio/sms``, each with a
   fresh ``MessageSid`` and idempotency token, from a pool of fictional
   senders (each texts about four times, always in the same language), with
   no worker running. The ceiling is all pings over their time, the webhook
   (``intake_*``, the issue's goal) all texts over theirs;
2. the worker starts and routes that backlog alone (``routing_alone_per_s``:
   contact, keywords, report, reply for each);
3. ``size`` more texts while the worker routes them, as in production
   (``with_routing_*``), and how long routing runs on after the load.

Why rounds on the same connections: a keep-alive connection stays with the
gunicorn process that accepted it. The kernel spreads connections across the
workers (``--reuse-port``), by a hash of their addresses, so the spread is
even only on average. Both measures meet the same spread, and the slow
drifts of a shared machine's speed (readings of one phase varied up to
threefold within a run) fall on both alike. Each round's figures are printed
too.

The load generator is one thread driving the sockets with requests built
(and signed) before the clock starts, so it takes as little CPU from the
server as it can. The server is stopped when the benchmark ends or fails, and
also if this process dies (Linux: parent-death signal).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import selectors
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

import phonenumbers
from django.db import connection
from twilio.request_validator import RequestValidator

from amparo.core import gunicorn
from amparo.core.bench import percentile, register_bench

CONNECTIONS = 32
ROUNDS = 5
WEB_WORKERS = 2  # as `amparo run`
THREADS = 4
WARMUP_REQUESTS = 4 * CONNECTIONS
SERVER_START_SECONDS = 60
RESPONSE_TIMEOUT_SECONDS = 30
ROUTING_TIMEOUT_SECONDS = 300
BODIES = [
    "Hello, I need help",
    "Hay agentes en la parada del autobús de Main St",
    "Tem gente sendo parada na frente da escola",
    "Gen ajan ICE devan legliz la",
]
_LOG_RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\[\d{4}-\d\d-\d\d ")
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


class BenchFailed(RuntimeError):
    pass


@register_bench("intake")
def bench_intake(size: int = 5000) -> dict[str, Any]:
    token = uuid.uuid4().hex
    with _server(auth_token=token) as server:
        port = server.port
        public_url = f"http://127.0.0.1:{port}"
        ping = _ping_request(port)
        senders = _fake_phones(max(1, size // 4))
        texts = [
            # Each sender keeps to one language, as people do.
            _text_request(
                port, public_url, token, senders[i % len(senders)], BODIES[i % len(senders) % 4]
            )
            for i in range(2 * size + WARMUP_REQUESTS)
        ]
        with _connected(port, CONNECTIONS) as sockets:
            # Warm both paths: every worker imports, connects and fills its caches.
            _run(sockets, [ping] * WARMUP_REQUESTS)
            _run(sockets, texts[:WARMUP_REQUESTS])
            # 1. The ceiling and the webhook alone (texts stored, nobody routes them yet).
            ceiling_rounds: list[Results] = []
            alone_rounds: list[Results] = []
            for batch in _rounds(texts[WARMUP_REQUESTS : WARMUP_REQUESTS + size], ROUNDS):
                ceiling_rounds.append(_run(sockets, [ping] * len(batch)))
                alone_rounds.append(_run(sockets, batch))
        ceiling, alone = combined(ceiling_rounds), combined(alone_rounds)
        # 2. The worker routes that backlog with no traffic beside it.
        started = time.monotonic()
        server.start_worker()
        server.wait_until_routed()
        routing_alone_seconds = time.monotonic() - started
        # 3. Webhooks while the worker routes them, as in production (new
        # connections: the server closes keep-alive ones idle for seconds).
        started = time.monotonic()
        with _connected(port, CONNECTIONS) as sockets:
            busy = _run(sockets, texts[WARMUP_REQUESTS + size :])
        load_seconds = time.monotonic() - started
        server.wait_until_routed()
        routed_seconds = time.monotonic() - started
        stored = server.count_stored()
        errors = ceiling.errors + alone.errors + busy.errors
        if errors:
            sys.stderr.write("bench intake: errors; the end of the server's log:\n")
            sys.stderr.write(server.log_tail())

    figures: dict[str, Any] = {
        "size": size,
        "connections": CONNECTIONS,
        "web_workers": WEB_WORKERS,
        "threads": THREADS,
        "database": connection.vendor,
        "senders": len(senders),
        "rounds": ROUNDS,
        "ceiling_ping_per_s": round(ceiling.per_second),
        "ceiling_rounds_per_s": [round(run.per_second) for run in ceiling_rounds],
        "ceiling_p50_ms": ceiling.p50_ms,
        "ceiling_p99_ms": ceiling.p99_ms,
        "intake_per_s": round(alone.per_second),
        "intake_rounds_per_s": [round(run.per_second) for run in alone_rounds],
        "intake_p50_ms": alone.p50_ms,
        "intake_p99_ms": alone.p99_ms,
        "intake_max_ms": round(max(alone.latencies_ms), 1),
        "intake_to_ceiling_ratio": round(alone.per_second / ceiling.per_second, 3),
        "round_ratios": [
            round(text.per_second / ping.per_second, 3)
            for ping, text in zip(ceiling_rounds, alone_rounds, strict=True)
        ],
        "routing_alone_per_s": round((WARMUP_REQUESTS + size) / routing_alone_seconds),
        "with_routing_per_s": round(busy.per_second),
        "with_routing_p50_ms": busy.p50_ms,
        "with_routing_p99_ms": busy.p99_ms,
        "with_routing_to_ceiling_ratio": round(busy.per_second / ceiling.per_second, 3),
        "routing_done_after_load_s": round(routed_seconds - load_seconds, 2),
        "errors": errors,
        "inbound_stored": stored,
    }
    if stored != 2 * size + WARMUP_REQUESTS:
        figures["warning"] = "not every text was stored"
    return figures


def _rounds(requests: list[bytes], rounds: int) -> list[list[bytes]]:
    """``requests`` cut into ``rounds`` consecutive parts of (nearly) equal length."""
    bounds = [len(requests) * i // rounds for i in range(rounds + 1)]
    return [requests[start:end] for start, end in itertools.pairwise(bounds) if end > start]


# --- the server -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the benchmark process dies (Linux)."""
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


def _database_url(directory: Path) -> tuple[str, Callable[[str], int]]:
    """A database for the server, and a function running a ``count(*)`` query in it."""
    if connection.vendor == "postgresql":
        # `amparo bench` already made and migrated a throw-away database: share it.
        conf = connection.settings_dict
        url = "postgres://{}:{}@{}:{}/{}".format(
            quote(conf["USER"] or "", safe=""),
            quote(conf["PASSWORD"] or "", safe=""),
            conf["HOST"] or "127.0.0.1",
            conf["PORT"] or 5432,
            conf["NAME"],
        )

        def count_postgresql(query: str) -> int:
            with connection.cursor() as cursor:
                cursor.execute(query)
                return int(cursor.fetchone()[0])

        return url, count_postgresql
    path = directory / "bench.sqlite3"

    def count_sqlite(query: str) -> int:
        with sqlite3.connect(path) as db:
            return int(db.execute(query).fetchone()[0])

    return f"sqlite:///{path}", count_sqlite


@dataclass(frozen=True)
class _Server:
    port: int
    count: Callable[[str], int]
    log_path: Path
    start_worker: Callable[[], None] = lambda: None

    def count_stored(self) -> int:
        return self.count("SELECT count(*) FROM channels_inboundmessage")

    def wait_until_routed(self) -> None:
        deadline = time.monotonic() + ROUTING_TIMEOUT_SECONDS
        waiting = "SELECT count(*) FROM channels_inboundmessage WHERE routed_at IS NULL"
        while self.count(waiting):
            if time.monotonic() > deadline:
                raise BenchFailed("the worker did not route every text in time")
            time.sleep(0.05)

    def log_tail(self) -> str:
        """The server's error records with their tracebacks (or the log's end if none)."""
        lines = self.log_path.read_text("utf-8", "replace").splitlines()
        errors: list[str] = []
        in_error = False
        for line in lines:
            if _LOG_RECORD.match(line):
                in_error = " ERROR " in line or " CRITICAL " in line
            if in_error:
                errors.append(line)
        return "\n".join(errors or lines[-40:])[-6000:] + "\n"


@contextmanager
def _server(*, auth_token: str) -> Iterator[_Server]:
    directory = Path(tempfile.mkdtemp(prefix="amparo-bench-intake-"))
    port = _free_port()
    database_url, count = _database_url(directory)
    env = {
        **os.environ,
        "AMPARO_MODE": "demo",  # keys generated into the temporary directory
        "AMPARO_VAR_DIR": str(directory),
        "DATABASE_URL": database_url,
        "TWILIO_AUTH_TOKEN": auth_token,
        "AMPARO_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "AMPARO_SMS_GATEWAY": "console",
    }
    env.pop("TWILIO_AUTH_TOKEN_FILE", None)
    server: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = []
    log: IO[bytes] | None = None
    try:
        if connection.vendor != "postgresql":
            subprocess.run(
                [sys.executable, "-m", "amparo.cli", "migrate", "--no-input", "-v0"],
                env=env,
                check=True,
            )
        web = gunicorn.command(bind=f"127.0.0.1:{port}", workers=WEB_WORKERS, threads=THREADS)
        # The server's log (one line per routed text) would drown the figures.
        log = (directory / "server.log").open("wb")
        server = subprocess.Popen(  # noqa: S603
            web,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        worker_log = log

        def start_worker() -> None:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "amparo.cli", "worker"],
                    env=env,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )
            )

        _wait_until_serving(server, port)
        yield _Server(port, count, directory / "server.log", start_worker)
    except BaseException:
        if log is not None:
            log.flush()
            sys.stderr.write("bench intake: the end of the server's log:\n")
            sys.stderr.write(_Server(port, count, directory / "server.log").log_tail())
        raise
    finally:
        for process in (server, *workers):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if log is not None:
            log.close()
        shutil.rmtree(directory, ignore_errors=True)


def _wait_until_serving(server: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailed(f"the server exited with status {server.returncode}")
        try:
            with _connected(port, 1) as sockets:
                if _run(sockets, [_ping_request(port)], quiet=True).errors == 0:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchFailed("the server did not start in time")


# --- requests -------------------------------------------------------------------


def _fake_phones(count: int) -> list[str]:
    """555-01xx numbers (reserved for fiction) across as many area codes as needed."""
    phones: list[str] = []
    for area_code in range(200, 1000):
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{area_code}5550100")):
            phones.extend(f"+1{area_code}55501{line:02d}" for line in range(100))
            if len(phones) >= count:
                return phones[:count]
    raise BenchFailed(f"cannot invent {count} distinct 555-01xx numbers")


def _ping_request(port: int) -> bytes:
    return f"GET /healthz/ping HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode("ascii")


def _text_request(port: int, public_url: str, token: str, phone: str, body: str) -> bytes:
    path = "/hooks/twilio/sms"
    sid = "SM" + uuid.uuid4().hex
    fields = {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": body,
        "To": "+18605550100",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "ApiVersion": "2010-04-01",
    }
    form = urlencode(fields).encode("ascii")
    signature = RequestValidator(token).compute_signature(public_url + path, fields)
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n"
        f"X-Twilio-Signature: {signature}\r\n"
        f"I-Twilio-Idempotency-Token: {uuid.uuid4()}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + form


# --- the load generator ---------------------------------------------------------


@dataclass
class Results:
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return round(percentile(sorted(self.latencies_ms), 0.50), 2)

    @property
    def p99_ms(self) -> float:
        return round(percentile(sorted(self.latencies_ms), 0.99), 2)


def combined(runs: list[Results]) -> Results:
    """Several runs as one: all their requests over all their time."""
    return Results(
        seconds=sum(run.seconds for run in runs),
        latencies_ms=[latency for run in runs for latency in run.latencies_ms],
        errors=sum(run.errors for run in runs),
    )


@dataclass
class _Connection:
    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)
    started: float = 0.0
    busy: bool = False


def _response_length(buffer: bytearray) -> tuple[int, int] | None:
    """(status, total length) once the head is in; None while it is not."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end])
    length = _CONTENT_LENGTH.search(head)
    return int(head[9:12]), end + 4 + (int(length.group(1)) if length else 0)


@contextmanager
def _connected(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections to the server, closed afterwards."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _run(sockets: list[socket.socket], requests: list[bytes], *, quiet: bool = False) -> Results:
    """Send ``requests`` over the keep-alive ``sockets``, each next one as soon as answered."""
    results = Results()
    pending = iter(requests)
    selector = selectors.DefaultSelector()
    connections = [_Connection(sock) for sock in sockets[: len(requests)]]

    def send_next(conn: _Connection) -> bool:
        request = next(pending, None)
        if request is None:
            conn.busy = False
            return False
        conn.started = time.perf_counter()
        conn.busy = True
        conn.sock.sendall(request)
        return True

    started = time.perf_counter()
    try:
        # Blocking sockets, read only when the selector says there is data.
        for conn in connections:
            send_next(conn)
            selector.register(conn.sock, selectors.EVENT_READ, conn)
        while any(conn.busy for conn in connections):
            events = selector.select(timeout=RESPONSE_TIMEOUT_SECONDS)
            if not events:
                raise BenchFailed("the server stopped answering")
            for key, _ in events:
                conn = key.data
                chunk = conn.sock.recv(65536)
                if not chunk:
                    raise BenchFailed("the server closed a keep-alive connection")
                conn.buffer += chunk
                parsed = _response_length(conn.buffer)
                if parsed is None or len(conn.buffer) < parsed[1]:
                    continue
                status, length = parsed
                results.latencies_ms.append((time.perf_counter() - conn.started) * 1000)
                if status >= 300:
                    results.errors += 1
                    if not quiet:
                        sys.stderr.write(f"bench intake: HTTP {status}\n")
                del conn.buffer[:length]
                send_next(conn)
        results.seconds = time.perf_counter() - started
    finally:
        selector.close()
    return results
