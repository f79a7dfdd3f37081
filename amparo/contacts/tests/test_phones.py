"""to_e164: one spelling per number."""

from __future__ import annotations

import pytest

from amparo.contacts.errors import ContactsError
from amparo.contacts.phones import to_e164


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
