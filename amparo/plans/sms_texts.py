"""What the plan keywords answer by text, in the language that is active.

An SMS goes through a third party: these carry a case code, counts, the
hotline number and the public manage link; never a name, an A-number, a
status, the plan code or a PIN. The word "detained" (in any language) is
left out too: the text is seen by whoever holds the phone. Short and GSM-7
in English (translators keep them so where their language allows).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext


def _hotline() -> str:
    number: str = settings.AMPARO_HOTLINE_NUMBER
    return number


def manage_link() -> str:
    """The public page where a family changes its plan (code and PIN asked there, not here)."""
    base: str = settings.AMPARO_PUBLIC_URL
    return base.rstrip("/") + "/plan/manage/"


def activated(*, reference: str) -> str:
    return gettext(
        "Family plan activated. Your contacts are being texted now and our legal team "
        "will call. Case code: {code}"
    ).format(code=reference)


def already_active(*, reference: str) -> str:
    return gettext(
        "This family plan is already activated and its contacts were texted. Case code: {code}"
    ).format(code=reference)


def capped(*, reference: str) -> str:
    """A plan activated again after its contacts were texted twice today: nobody texted."""
    return gettext(
        "This family plan was already activated today. Contacts were not texted again; "
        "our team will call. Case code: {code}"
    ).format(code=reference)


def no_match() -> str:
    """Wrong code, wrong PIN and a plan locked by wrong PINs alike: the answer never tells
    whether a code exists, and still tells a real family what to do."""
    return gettext(
        "That code and PIN do not open a plan now. Check them, or call {hotline}."
    ).format(hotline=_hotline())


def too_many_from_this_phone() -> str:
    return gettext(
        "Too many tries from this phone. Try again in an hour or call {hotline}."
    ).format(hotline=_hotline())


def status(*, contacts: int, people: int, lockouts: int) -> str:
    parts = [
        gettext("Your family plan: %(people)d people, %(contacts)d contacts.")
        % {"people": people, "contacts": contacts}
    ]
    if lockouts:
        parts.append(gettext("Times locked after wrong PINs: %(count)d.") % {"count": lockouts})
    parts.append(gettext("Change it at {link}").format(link=manage_link()))
    return " ".join(parts)


def pin_changed() -> str:
    return gettext("Your new PIN is set. Keep it secret.")


def deleted() -> str:
    return gettext("Your family plan was deleted for good. It cannot be undone.")


def failed() -> str:
    return gettext("Something went wrong. Please try again or call {hotline}.").format(
        hotline=_hotline()
    )
