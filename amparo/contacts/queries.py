"""Reads of the contacts app."""

from __future__ import annotations

from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Contact
from amparo.contacts.phones import to_e164


def find_contact_by_phone(phone: str) -> Contact | None:
    """The contact whose number is ``phone`` (any spelling), found by its blind index.

    An invalid number matches nobody.
    """
    try:
        e164 = to_e164(phone)
    except ContactsError:
        return None
    return Contact.objects.matching(phone=e164).first()
