"""How Amparo runs gunicorn: its command line, and logging without client addresses.

gunicorn names the client's address in some warnings ("Invalid request from
ip=..."); :class:`AddresslessLogger` blanks every IPv4/IPv6 address before a
line is written (DESIGN.md: no IP addresses stored).
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import sys
from typing import Any

from gunicorn.glogging import Logger

_ADDRESS = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b"  # IPv4
    r"|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}"  # IPv6, full form
    r"|[0-9a-fA-F:]*::[0-9a-fA-F:.]*"  # IPv6 with "::" (times like 12:30:45 never have it)
)


def redact_addresses(text: str) -> str:
    return _ADDRESS.sub("[address]", text)


class _RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_addresses(record.getMessage())
        record.args = ()
        return True


class AddresslessLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.addFilter(_RedactAddresses())


def command(*, bind: str, workers: int, threads: int) -> list[str]:
    """The gunicorn command ``amparo run`` starts (and ``amparo bench intake`` measures).

    ``--reuse-port``: each worker listens on a socket of its own and the kernel
    spreads new connections across them. With one shared socket, whichever
    worker woke first took a burst of keep-alive connections: 31 of 32 went to
    one of two workers in ``amparo bench intake``, which then did all the work
    at half the machine's rate while the other idled. The cost is that two
    servers may share a port unnoticed; :func:`port_is_free` is asked first.
    """
    return [
        sys.executable, "-m", "gunicorn", "amparo.wsgi:application",
        "--bind", bind,
        "--reuse-port",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--graceful-timeout", "5",
        "--log-level", "warning",
        "--logger-class", "amparo.core.gunicorn.AddresslessLogger",
        # SCRIPT_NAME/PATH_INFO from request headers would let a client
        # change the path Django sees after routing decisions were made
        "--forwarder-headers", "",
    ]  # fmt: skip


def port_is_free(bind: str) -> bool:
    """True if nothing listens on ``host:port`` (a bind without ``SO_REUSEPORT`` succeeds).

    A Unix socket (``unix:PATH``) is not shared by ``--reuse-port``: gunicorn checks it.
    """
    if bind.startswith("unix:"):
        return True
    host, _, port = bind.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"  # noqa: S104 (only a test bind, closed at once)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, int(port)))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True
