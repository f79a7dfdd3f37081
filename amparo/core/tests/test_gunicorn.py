from __future__ import annotations

import pytest

from amparo.core.gunicorn import redact_addresses


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
