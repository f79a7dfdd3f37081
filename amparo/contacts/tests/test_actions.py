"""find_or_create_contact: one contact per number, whatever its spelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.channels.tests.inbox_factories import make_inbound
from amparo.contacts.actions import (
    ContactsError,
    find_or_create_contact,
    forget_unused_contacts,
    opt_out,
)
from amparo.contacts.models import ConsentMethod, Contact
from amparo.crypto.fields import SealedQuerySet

pytestmark = pytest.mark.django_db


def test_it_creates_a_contact_with_the_number_in_e164() -> None:
    contact = find_or_create_contact(phone="(860) 555-0142", language="ht", name="Wilner Dorval")

    assert contact.phone == "+18605550142"
    assert contact.language == "ht"
    assert contact.name == "Wilner Dorval"


def test_it_finds_the_same_contact_for_another_spelling_of_the_number() -> None:
    first = find_or_create_contact(phone="+1 860 555 0142", name="Wilner Dorval")

    again = find_or_create_contact(phone="860.555.0142", language="es", name="Someone Else")

    assert again == first
    assert (again.name, again.language) == ("Wilner Dorval", "en")
    assert Contact.objects.count() == 1


def test_it_creates_separate_contacts_for_separate_numbers() -> None:
    find_or_create_contact(phone="+1 860 555 0142")
    find_or_create_contact(phone="+1 860 555 0199")

    assert Contact.objects.count() == 2


def test_a_name_may_be_left_blank() -> None:
    assert find_or_create_contact(phone="+1 860 555 0142").name == ""


@pytest.mark.parametrize("phone", ["", "hello", "555-0142", "+1 860 555 01"])
def test_it_refuses_an_invalid_number_without_repeating_it(phone: str) -> None:
    with pytest.raises(ContactsError) as raised:
        find_or_create_contact(phone=phone)

    if phone:
        assert phone not in str(raised.value)
    assert Contact.objects.count() == 0


def test_it_refuses_a_language_the_network_does_not_offer() -> None:
    with pytest.raises(ContactsError):
        find_or_create_contact(phone="+1 860 555 0142", language="fr")


def test_when_another_request_wins_the_race_it_returns_that_contact(monkeypatch: Any) -> None:
    winner = find_or_create_contact(phone="+1 860 555 0142", name="Wilner Dorval")
    real_first = SealedQuerySet.first
    calls = []

    def first_misses_once(self: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real_first(self)

    monkeypatch.setattr(SealedQuerySet, "first", first_misses_once)

    assert find_or_create_contact(phone="860-555-0142") == winner
    assert Contact.objects.count() == 1


def test_a_creation_is_audited_by_contact_id_only_and_a_find_is_not() -> None:
    contact = find_or_create_contact(phone="+1 860 555 0142", name="Wilner Dorval")
    find_or_create_contact(phone="+1 860 555 0142")

    (event,) = AuditEvent.objects.all()
    assert (event.action, event.actor_id) == ("contacts.contact_create", None)
    assert (event.target_type, event.target_id) == ("contacts.contact", str(contact.pk))


# --- forgetting ------------------------------------------------------------------------


def test_an_old_contact_nothing_uses_is_forgotten_but_a_used_or_opted_out_one_is_kept() -> None:
    unused = find_or_create_contact(phone="+18605550171")
    texted = find_or_create_contact(phone="+18605550172")
    make_inbound(texted)
    stopped = find_or_create_contact(phone="+18605550173")
    opt_out(contact=stopped, method=ConsentMethod.SMS_KEYWORD)
    recent = find_or_create_contact(phone="+18605550174")
    Contact.objects.exclude(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(days=40))

    forgotten = forget_unused_contacts(created_before=timezone.now() - dt.timedelta(days=30))

    assert forgotten == 1
    assert set(Contact.objects.all()) == {texted, stopped, recent}
    assert unused not in Contact.objects.all()
