from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from amparo.core.gunicorn import command, port_is_free, redact_addresses


@pytest.mark.parametrize(
    "line",
    [
        "Invalid request from ip=198.51.100.23: Invalid HTTP method",
        "Invalid request from ip=2001:db8::1: bad",
        "Invalid request from ip=::ffff:192.0.2.1: bad",
    ],
)
def test_client_addresses_never_reach_the_log(line: str) -> None:
    cleaned = redact_addresses(line)
    assert "[address]" in cleaned
    for fragment in ("198.51", "2001:db8", "192.0.2"):
        assert fragment not in cleaned


def test_times_and_plain_words_are_left_alone() -> None:
    line = "Worker (pid:1234) exited at 12:30:45 with code 1"
    assert redact_addresses(line) == line


@pytest.fixture
def port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_port_something_listens_on_is_not_free(port: int) -> None:
    assert port_is_free(f"127.0.0.1:{port}")
    with socket.create_server(("127.0.0.1", port)):
        assert not port_is_free(f"127.0.0.1:{port}")
    assert port_is_free(f"127.0.0.1:{port}")


def test_a_unix_socket_is_left_to_gunicorn(tmp_path: Path) -> None:
    assert port_is_free(f"unix:{tmp_path / 'amparo.sock'}")


def test_a_port_shared_by_workers_is_not_free_either(port: int) -> None:
    # What a running Amparo's workers hold: sockets with SO_REUSEPORT, which
    # a second server using --reuse-port would silently share.
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert not port_is_free(f"127.0.0.1:{port}")


ESTABLISHED, LISTENING = "01", "0A"


def _sockets(pid: int, port: int, state: str) -> int:
    """How many sockets on ``port`` in ``state`` process ``pid`` holds (Linux /proc)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        found = re.fullmatch(r"socket:\[(\d+)\]", target)
        held += bool(found and found.group(1) in inodes)
    return held


def test_the_workers_share_a_burst_of_keep_alive_connections(tmp_path: Path, port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMPARO_", "DATABASE_"))}
    env.update(AMPARO_MODE="demo", AMPARO_VAR_DIR=str(tmp_path))
    server = subprocess.Popen(  # noqa: S603
        command(bind=f"127.0.0.1:{port}", workers=2, threads=1),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    connections: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
            workers = [int(pid) for pid in children.read_text().split()]
            time.sleep(0.2)
        while time.monotonic() < deadline:  # each worker on a socket of its own
            if all(_sockets(pid, port, LISTENING) for pid in workers):
                break
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/ping", timeout=10) as r:
            assert r.status == 200
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        time.sleep(0.5)  # let the workers accept them
        held = [_sockets(pid, port, ESTABLISHED) for pid in workers]
    finally:
        for sock in connections:
            sock.close()
        server.terminate()
        server.wait(timeout=30)
    assert sum(held) == 32
    # A hash of the client ports: even on average, never all on one worker.
    assert min(held) >= 4, held
