"""Phone numbers in one spelling: E.164 (``+18605550142``), via ``phonenumbers``."""

from __future__ import annotations

import phonenumbers

from amparo.contacts.errors import ContactsError

DEFAULT_REGION = "US"


def to_e164(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Normalise ``raw`` to E.164; a number without ``+`` is read as ``region``'s.

    Raise :class:`ContactsError` if it is not a valid phone number.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ContactsError("That is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise ContactsError("That is not a valid phone number.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
