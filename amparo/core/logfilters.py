"""Logging filters: secrets that travel in a URL never reach a log line.

A responder's calendar feed lives at ``/staff/dispatch/feed/<secret>.ics``
(calendar apps cannot sign in); Django logs the path of every 4xx answer
("Method Not Allowed (HEAD): /staff/..."), which would write the secret down.
"""

from __future__ import annotations

import logging
import re

SECRET_PATHS = re.compile(r"(/feed/)[^/\s]+(\.ics)")
MASK = r"\1[secret]\2"


def _masked(value: object) -> object:
    return SECRET_PATHS.sub(MASK, value) if isinstance(value, str) else value


class MaskSecretPaths(logging.Filter):
    """Replace the secret part of feed URLs in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        return True
