"""gunicorn logging without client addresses (DESIGN.md: no IP addresses stored).

gunicorn names the client's address in some warnings ("Invalid request from
ip=..."); this logger blanks every IPv4/IPv6 address before a line is written.
"""

from __future__ import annotations

import logging
import re
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
