"""find_contact_by_phone: by blind index, any spelling, nobody for a bad number."""

from __future__ import annotations

import pytest

from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.queries import find_contact_by_phone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spelling", ["+18605550142", "860 555 0142", "1-860-555-0142"])
def test_it_finds_a_contact_by_any_spelling_of_its_number(spelling: str) -> None:
    contact = find_or_create_contact(phone="+1 860 555 0142")

    assert find_contact_by_phone(spelling) == contact


def test_it_finds_nobody_for_another_number() -> None:
    find_or_create_contact(phone="+1 860 555 0142")

    assert find_contact_by_phone("+1 860 555 0143") is None


def test_it_finds_nobody_for_an_invalid_number() -> None:
    assert find_contact_by_phone("not a number") is None


def test_it_looks_up_with_one_query(django_assert_num_queries: object) -> None:
    find_or_create_contact(phone="+1 860 555 0142")

    with django_assert_num_queries(1):  # type: ignore[operator]
        find_contact_by_phone("+1 860 555 0142")
