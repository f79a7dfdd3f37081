"""The Twilio SDK's HTTP seam against a scripted server on 127.0.0.1.

The scripted server answers each request with the next canned reply, byte for
byte, so the tests can send what a real server or a broken network might:
chunked bodies, a body that runs to the close, an answer cut short, garbage,
silence.
"""

from __future__ import annotations

import http.client
import shlex
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from amparo.channels.gateways.twilio import http as seam
from amparo.channels.gateways.twilio.http import ConnectFailed, TwilioHttp, UnreadableAnswer


def _answer(status: str, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("ascii") + body


JSON_OK = _answer("201 Created", b'{"sid": "SM1"}', "Content-Type: application/json")


@dataclass
class Reply:
    data: bytes
    close: bool = False  # close the connection after sending
    hang: float = 0.0  # wait this long before sending


@dataclass
class Scripted:
    """A one-reply-per-request server; stops itself after ``deadline`` seconds."""

    replies: list[Reply]
    tls: ssl.SSLContext | None = None
    deadline: float = 20.0
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        until = time.monotonic() + self.deadline
        while not self.stopped.is_set() and time.monotonic() < until:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn, until), daemon=True).start()
        self.listener.close()

    def _read_request(self, conn: socket.socket, pending: bytes) -> tuple[bytes, bytes] | None:
        while b"\r\n\r\n" not in pending:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            pending += chunk
        head, _, rest = pending.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += conn.recv(65536)
        return head + b"\r\n\r\n" + rest[:length], rest[length:]

    def _talk(self, conn: socket.socket, until: float) -> None:
        conn.settimeout(max(0.1, until - time.monotonic()))
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                return  # the client refused our certificate
        pending = b""
        with conn:
            while self.replies:
                try:
                    got = self._read_request(conn, pending)
                except OSError:
                    return
                if got is None:
                    return
                request, pending = got
                self.requests.append(request)
                reply = self.replies.pop(0)
                if reply.hang:
                    time.sleep(reply.hang)
                conn.sendall(reply.data)
                if reply.close:
                    return

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)


@pytest.fixture
def script() -> Iterator[list[Scripted]]:
    servers: list[Scripted] = []
    yield servers
    for server in servers:
        server.stop()


def _serve(
    script: list[Scripted], *replies: Reply, tls: ssl.SSLContext | None = None
) -> tuple[Scripted, TwilioHttp]:
    server = Scripted(list(replies), tls=tls)
    script.append(server)
    return server, TwilioHttp(base_url=server.base_url, timeout=(2.0, 2.0))


def _post(client: TwilioHttp) -> tuple[int, str]:
    answer = client.request(
        "POST",
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
        data={"To": "+18605550142", "Body": "Hola, ¿qué tal? & 100%"},
        headers={"Accept": "application/json"},
        auth=("AC1", "fake-token"),
    )
    return answer.status_code, answer.text


def test_the_request_reaches_the_configured_base_as_a_form_post(script: list[Scripted]) -> None:
    server, client = _serve(script, Reply(JSON_OK))
    assert _post(client) == (201, '{"sid": "SM1"}')
    [request] = server.requests
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    assert lines[0] == "POST /2010-04-01/Accounts/AC1/Messages.json HTTP/1.1"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Host"] == server.base_url.removeprefix("http://")
    assert headers["Authorization"] == "Basic QUMxOmZha2UtdG9rZW4="  # AC1:fake-token
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert int(headers["Content-Length"]) == len(body)
    assert body == b"To=%2B18605550142&Body=Hola%2C+%C2%BFqu%C3%A9+tal%3F+%26+100%25"


def test_query_parameters_are_encoded_onto_the_target(script: list[Scripted]) -> None:
    server, client = _serve(script, Reply(JSON_OK))
    client.request("GET", "https://api.twilio.com/x.json", params={"To": "+1 860", "PageSize": 2})
    first_line = server.requests[0].split(b"\r\n")[0]
    assert first_line == b"GET /x.json?To=%2B1+860&PageSize=2 HTTP/1.1"
    assert b"Content-Length" not in server.requests[0]


def test_one_connection_carries_many_requests(script: list[Scripted]) -> None:
    server, client = _serve(script, *[Reply(JSON_OK) for _ in range(5)])
    for _ in range(5):
        assert _post(client)[0] == 201
    assert server.connections == 1


def test_a_chunked_answer_is_read_whole(script: list[Scripted]) -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Thing: Yes\r\n\r\n"
        b'5\r\n{"a":\r\n4\r\n 12}\r\n0\r\n\r\n'
    )
    _, client = _serve(script, Reply(chunked))
    answer = client.request("GET", "https://api.twilio.com/x.json")
    assert (answer.status_code, answer.text) == (200, '{"a": 12}')
    assert answer.headers["x-thing"] == "Yes"


def test_an_answer_that_runs_to_the_close_is_read_whole(script: list[Scripted]) -> None:
    server, client = _serve(
        script, Reply(b"HTTP/1.1 200 OK\r\n\r\nall of it", close=True), Reply(JSON_OK)
    )
    assert client.request("GET", "https://api.twilio.com/x").text == "all of it"
    assert _post(client)[0] == 201
    assert server.connections == 2


def test_connection_close_is_honoured_and_the_next_request_reconnects(
    script: list[Scripted],
) -> None:
    closing = _answer("200 OK", b"ok", "Connection: close")
    server, client = _serve(script, Reply(closing, close=True), Reply(JSON_OK))
    assert client.request("GET", "https://api.twilio.com/x").text == "ok"
    assert _post(client)[0] == 201
    assert server.connections == 2


def test_an_idle_connection_the_server_closed_is_replaced(script: list[Scripted]) -> None:
    # The server closes after answering without saying so (a keep-alive timeout).
    server, client = _serve(script, Reply(JSON_OK, close=True), Reply(JSON_OK))
    assert _post(client)[0] == 201
    time.sleep(0.1)  # let the close arrive
    assert _post(client)[0] == 201
    assert server.connections == 2


@pytest.mark.parametrize(
    "data",
    [
        b'HTTP/1.1 201 Created\r\nContent-Length: 50\r\n\r\n{"sid":',  # cut mid-body
        b"HTTP/1.1 201 Cre",  # cut mid-headers
        b"",  # closed with no answer at all
    ],
    ids=["mid-body", "mid-headers", "nothing"],
)
def test_an_answer_cut_short_may_have_been_accepted(script: list[Scripted], data: bytes) -> None:
    server, client = _serve(script, Reply(data, close=True), Reply(JSON_OK))
    with pytest.raises(http.client.HTTPException) as caught:
        _post(client)
    assert not isinstance(caught.value, ConnectFailed)
    assert _post(client)[0] == 201  # a fresh connection works
    assert server.connections == 2


def test_a_garbled_answer_is_unreadable(script: list[Scripted]) -> None:
    server, client = _serve(script, Reply(b"SMTP ready\r\n\r\n"), Reply(JSON_OK))
    with pytest.raises(UnreadableAnswer):
        _post(client)
    assert _post(client)[0] == 201
    assert server.connections == 2


def test_an_oversized_answer_is_refused(
    script: list[Scripted], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(seam, "MAX_ANSWER_BYTES", 100)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + b"x" * 500
    _, client = _serve(script, Reply(big))
    with pytest.raises(UnreadableAnswer, match="too large"):
        client.request("GET", "https://api.twilio.com/x")


def test_a_second_unasked_answer_does_not_poison_the_connection(script: list[Scripted]) -> None:
    two = JSON_OK + _answer("200 OK", b"stray")
    server, client = _serve(script, Reply(two), Reply(JSON_OK))
    assert _post(client) == (201, '{"sid": "SM1"}')
    assert _post(client) == (201, '{"sid": "SM1"}')
    assert server.connections == 2


def test_a_silent_server_times_out_as_a_possible_send(script: list[Scripted]) -> None:
    server, client = _serve(script, Reply(JSON_OK, hang=3.0))
    client.read_timeout = 0.3
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        _post(client)
    assert time.monotonic() - started < 2
    assert len(server.requests) == 1  # it did go out: the outcome is unknown


def test_a_refused_connection_is_connect_failed() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = TwilioHttp(base_url=f"http://127.0.0.1:{port}", timeout=(1.0, 1.0))
    with pytest.raises(ConnectFailed):
        _post(client)


@pytest.mark.parametrize("value", ["x\r\nX-Injected: 1", "x\ny", "x\x00"])
def test_a_header_with_control_characters_is_never_sent(script: list[Scripted], value: str) -> None:
    server, client = _serve(script, Reply(JSON_OK))
    with pytest.raises(ValueError, match="control character"):
        client.request("GET", "https://api.twilio.com/x", headers={"X-Thing": value})
    assert server.connections == 0


def test_fetch_returns_raw_bytes_and_their_type(script: list[Scripted]) -> None:
    audio = b"ID3\x04\x00\xff\xfe fake voicemail"
    _, client = _serve(script, Reply(_answer("200 OK", audio, "Content-Type: audio/mpeg")))
    assert client.fetch("https://api.twilio.com/r.mp3", auth=("AC1", "t")) == (
        200,
        audio,
        "audio/mpeg",
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for ``localhost`` (made by Debian's openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = shlex.split(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=localhost -addext subjectAltName=DNS:localhost"
    )
    subprocess.run(  # noqa: S603 (a fixed command and our own temp paths)
        [*command, "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    return cert, key


def _tls_pair(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_https_verifies_the_certificate_and_keeps_the_connection(
    script: list[Scripted], certificate: tuple[Path, Path]
) -> None:
    server_tls, client_tls = _tls_pair(certificate)
    server, _ = _serve(script, Reply(JSON_OK), Reply(JSON_OK), tls=server_tls)
    port = server.base_url.rsplit(":", 1)[1]
    client = TwilioHttp(base_url=f"https://localhost:{port}", timeout=(2.0, 2.0))
    client._tls = client_tls
    assert _post(client) == (201, '{"sid": "SM1"}')
    assert _post(client)[0] == 201
    assert (server.connections, len(server.requests)) == (1, 2)


def test_https_to_a_host_the_certificate_does_not_name_never_sends(
    script: list[Scripted], certificate: tuple[Path, Path]
) -> None:
    server_tls, client_tls = _tls_pair(certificate)
    server, client = _serve(script, Reply(JSON_OK), tls=server_tls)
    client.base_url = server.base_url.replace("http://", "https://")  # 127.0.0.1, not localhost
    client._tls = client_tls
    with pytest.raises(ConnectFailed):
        _post(client)
    assert server.requests == []
