"""opt_out, opt_in and set_language: consent recorded each time, state changed once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.audit.models import AuditEvent
from amparo.contacts.actions import (
    ContactsError,
    find_or_create_contact,
    opt_in,
    opt_out,
    set_language,
)
from amparo.contacts.models import ConsentMethod, ConsentRecord, ConsentScope, Contact

pytestmark = pytest.mark.django_db

PHONE = "+18605550142"


@pytest.fixture
def contact() -> Contact:
    return find_or_create_contact(phone=PHONE)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_a_new_contact_is_subscribed(contact: Contact) -> None:
    assert contact.opted_out_at is None
    assert not contact.is_opted_out


def test_opting_out_marks_the_contact_and_says_it_changed(contact: Contact) -> None:
    assert opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD) is True

    assert contact.is_opted_out
    assert Contact.objects.get(pk=contact.pk).is_opted_out


def test_opting_out_twice_changes_nothing_the_second_time(contact: Contact) -> None:
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
    first = Contact.objects.get(pk=contact.pk).opted_out_at

    assert opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD) is False

    assert Contact.objects.get(pk=contact.pk).opted_out_at == first


def test_a_stale_copy_of_the_contact_learns_the_state(contact: Contact) -> None:
    stale = Contact.objects.get(pk=contact.pk)
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)

    assert opt_out(contact=stale, method=ConsentMethod.PROVIDER) is False
    assert stale.is_opted_out


def test_opting_in_clears_the_opt_out(contact: Contact) -> None:
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)

    assert opt_in(contact=contact, method=ConsentMethod.SMS_KEYWORD) is True

    assert not contact.is_opted_out
    assert not Contact.objects.get(pk=contact.pk).is_opted_out


def test_opting_in_a_subscribed_contact_changes_nothing(contact: Contact) -> None:
    assert opt_in(contact=contact, method=ConsentMethod.WEB) is False
    assert not Contact.objects.get(pk=contact.pk).is_opted_out


def test_every_expression_of_consent_is_recorded_with_how_and_when(contact: Contact) -> None:
    before = timezone.now()
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
    opt_out(contact=contact, method=ConsentMethod.PROVIDER)
    opt_in(contact=contact, method=ConsentMethod.SMS_KEYWORD)

    records = list(ConsentRecord.objects.filter(contact=contact).order_by("at", "pk"))
    assert [(r.scope, r.granted, r.method) for r in records] == [
        (ConsentScope.MESSAGES, False, "sms-keyword"),
        (ConsentScope.MESSAGES, False, "provider"),
        (ConsentScope.MESSAGES, True, "sms-keyword"),
    ]
    assert all(before <= r.at <= timezone.now() for r in records)


def test_consent_changes_are_audited_by_the_system_with_the_contact_as_target(
    contact: Contact,
) -> None:
    opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
    opt_in(contact=contact, method=ConsentMethod.SMS_KEYWORD)

    for action in ("contacts.opt_out", "contacts.opt_in"):
        (event,) = events(action)
        assert event.actor_id is None
        assert (event.target_type, event.target_id) == ("contacts.contact", str(contact.pk))


def test_an_operator_opting_someone_out_is_audited_as_that_operator(contact: Contact) -> None:
    operator = User.objects.create_user(
        username="op-invented", password="x" * 20, role=Role.OPERATOR
    )

    opt_out(contact=contact, method=ConsentMethod.OPERATOR, by=operator)

    (event,) = events("contacts.opt_out")
    assert event.actor_id == operator.pk


def test_it_refuses_an_unknown_method_and_records_nothing(contact: Contact) -> None:
    with pytest.raises(ContactsError):
        opt_out(contact=contact, method="carrier pigeon")

    assert not ConsentRecord.objects.exists()
    assert not Contact.objects.get(pk=contact.pk).is_opted_out


def test_a_contact_created_from_a_text_has_english_not_yet_chosen(contact: Contact) -> None:
    assert (contact.language, contact.language_chosen) == ("en", False)


def test_a_contact_created_with_a_language_has_it_chosen() -> None:
    contact = find_or_create_contact(phone=PHONE, language="pt")

    assert (contact.language, contact.language_chosen) == ("pt", True)


def test_setting_a_language_makes_it_chosen_and_is_audited(contact: Contact) -> None:
    assert set_language(contact=contact, language="ht") is True

    loaded = Contact.objects.get(pk=contact.pk)
    assert (loaded.language, loaded.language_chosen) == ("ht", True)
    (event,) = events("contacts.language_set")
    assert (event.actor_id, event.target_id) == (None, str(contact.pk))


def test_an_inferred_language_sets_it_but_leaves_it_open(contact: Contact) -> None:
    assert set_language(contact=contact, language="es", inferred=True) is True
    assert set_language(contact=contact, language="pt", inferred=True) is True

    loaded = Contact.objects.get(pk=contact.pk)
    assert (loaded.language, loaded.language_chosen) == ("pt", False)


def test_an_inferred_language_never_overrides_a_chosen_one(contact: Contact) -> None:
    set_language(contact=contact, language="ht")

    assert set_language(contact=contact, language="es", inferred=True) is False

    assert Contact.objects.get(pk=contact.pk).language == "ht"
    assert contact.language == "ht"
    assert len(events("contacts.language_set")) == 1


def test_setting_the_same_language_again_changes_and_audits_nothing(contact: Contact) -> None:
    set_language(contact=contact, language="es")

    assert set_language(contact=contact, language="es") is False
    assert len(events("contacts.language_set")) == 1


def test_choosing_the_inferred_language_marks_it_chosen(contact: Contact) -> None:
    set_language(contact=contact, language="es", inferred=True)

    assert set_language(contact=contact, language="es") is True

    assert Contact.objects.get(pk=contact.pk).language_chosen


def test_it_refuses_a_language_the_network_does_not_offer(contact: Contact) -> None:
    with pytest.raises(ContactsError):
        set_language(contact=contact, language="fr")

    assert Contact.objects.get(pk=contact.pk).language == "en"
