"""to_e164: one spelling per number."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.contacts.errors import ContactsError
from amparo.contacts.phones import is_textable, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 860 555 0142", "+18605550142"),
        ("(860) 555-0142", "+18605550142"),
        ("+55 11 95555-0142", "+5511955550142"),
        ("+18605550142", "+18605550142"),
    ],
)
def test_it_writes_a_number_in_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


def test_it_reads_a_number_without_a_country_code_as_us() -> None:
    assert to_e164("860 555 0142") == "+18605550142"


@pytest.mark.parametrize("raw", ["", "call me", "555-0142", "+1 860 555 014"])
def test_it_refuses_what_is_not_a_valid_number(raw: str) -> None:
    with pytest.raises(ContactsError):
        to_e164(raw)


@pytest.mark.parametrize("e164", ["+18605550142", "+18005550142"])
def test_is_textable_accepts_an_ordinary_number_in_an_allowed_country(e164: str) -> None:
    assert is_textable(e164)


@pytest.mark.parametrize(
    "e164",
    [
        "+19005550142",  # premium rate
        "+5511955550142",  # country not allowed by default
        "not a number",
        "+1860555014",  # too short
    ],
)
def test_is_textable_refuses_premium_foreign_and_invalid_numbers(e164: str) -> None:
    assert not is_textable(e164)


def test_is_textable_follows_the_allowed_country_codes(settings: Any) -> None:
    settings.AMPARO_AUTO_REPLY_COUNTRY_CODES = ["1", "55", "44"]
    assert is_textable("+5511955550142")
    assert not is_textable("+33892123456")  # France is not allowed
    assert not is_textable("+447640123456")  # UK pager
    assert not is_textable("+443700100100")  # UK UAN
