"""Phone numbers in one spelling: E.164 (``+18605550142``), via ``phonenumbers``."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings

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


_NOT_TEXTABLE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.PAGER,
        phonenumbers.PhoneNumberType.UNKNOWN,
    }
)


def is_textable(e164: str) -> bool:
    """True if Amparo may send an unprompted text to ``e164``.

    The number must be valid, in a country of ``settings.AMPARO_AUTO_REPLY_COUNTRY_CODES``
    and not of a type that costs the sender money or cannot receive a text (premium rate,
    shared cost, UAN, pager, unknown). Guards against SMS pumping through numbers typed
    into a form.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    codes: list[str] = settings.AMPARO_AUTO_REPLY_COUNTRY_CODES
    if str(number.country_code) not in {code.lstrip("+") for code in codes}:
        return False
    return phonenumbers.number_type(number) not in _NOT_TEXTABLE_TYPES
