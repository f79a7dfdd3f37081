"""Writes of the contacts app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from amparo.audit.actions import record_event
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Contact, Language
from amparo.contacts.phones import to_e164

if TYPE_CHECKING:
    from amparo.accounts.models import User

__all__ = ["ContactsError", "find_or_create_contact"]


def find_or_create_contact(
    *, phone: str, language: str = Language.ENGLISH, name: str = "", by: User | None = None
) -> Contact:
    """The contact for ``phone``, created with ``language`` and ``name`` if there is none.

    ``phone`` may be in any spelling ``phonenumbers`` reads (US numbers without
    ``+1``); it is stored in E.164. An existing contact is returned unchanged.
    A creation is audited as done by ``by`` (None: the system, e.g. an inbound text).
    Raise :class:`ContactsError` for an invalid number or an unknown language.
    """
    e164 = to_e164(phone)
    if language not in Language.values:
        raise ContactsError("That language is not offered.")
    with transaction.atomic():
        existing = Contact.objects.matching(phone=e164).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                contact = Contact.objects.create(phone=e164, language=language, name=name)
        except IntegrityError:
            # Another request created it between our lookup and our insert.
            return Contact.objects.matching(phone=e164).get()
        record_event(actor=by, action="contacts.contact_create", target=contact)
        return contact
