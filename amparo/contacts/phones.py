"""Phone numbers in one spelling: E.164 (``+18605550142``), via ``phonenumbers``."""

from __future__ import annotations

import re

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


_FICTIONAL = re.compile(r"^\+1[2-9]\d{2}55501\d{2}$")


def is_fictional_number(e164: str) -> bool:
    """True for North American 555-0100..0199 numbers, reserved for fiction."""
    return bool(_FICTIONAL.match(e164))
