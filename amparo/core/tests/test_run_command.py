"""``amparo run`` serves over WSGI with a worker beside it, and Ctrl-C stops both."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_run_answers_healthz_with_a_live_worker_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMPARO_", "DATABASE_"))}
    env.update(
        AMPARO_MODE="demo",
        AMPARO_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
    )
    amparo = [sys.executable, "-m", "amparo.cli"]
    subprocess.run([*amparo, "migrate", "-v0"], env=env, check=True, timeout=120)  # noqa: S603
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [*amparo, "run", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body: dict[str, object] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
                if body.get("worker") == "ok":
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert body == body | {"status": "ok", "database": "ok", "worker": "ok"}
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0
    assert "stopped web and worker" in output
    assert "with the password" in output


def test_run_refuses_an_address_already_in_use(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMPARO_", "DATABASE_"))}
    env.update(AMPARO_MODE="demo", AMPARO_VAR_DIR=str(tmp_path))
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "amparo.cli", "run", "--bind", f"127.0.0.1:{port}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"127.0.0.1:{port} is in use" in result.stderr
