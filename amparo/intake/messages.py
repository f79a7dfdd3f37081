"""The router's own replies, in the contact's language.

An SMS goes through a third party: no names, A-numbers or immigration status
here, ever. Keep each one short, and in GSM-7 where the language allows (an
accent outside GSM-7 makes a segment 70 characters instead of 160), which is
why some translations choose words without accents.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from amparo.contacts.models import Contact
from amparo.intake.keywords import registered_keywords


def _in_language_of(contact: Contact, render: Callable[[], str]) -> str:
    with translation.override(contact.language):
        return render()


def _network() -> str:
    name: str = settings.AMPARO_NETWORK_NAME
    return name


def stop_confirmation(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: You are unsubscribed and will get no more messages. "
                "Reply START to rejoin."
            )
            % {"network": _network()}
        ),
    )


def start_confirmation(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s: You will get our messages again. Reply HELP for help, "
                "STOP to stop. Msg&data rates may apply."
            )
            % {"network": _network()}
        ),
    )


def help_text(contact: Contact) -> str:
    return _in_language_of(
        contact,
        lambda: (
            gettext(
                "%(network)s community line: text us what is happening and a volunteer "
                "will read it. Reply STOP to stop, START to rejoin. Msg&data rates may apply."
            )
            % {"network": _network()}
        ),
    )


def menu(contact: Contact) -> str:
    """The answer to a text that matched no keyword, with the registered keywords' lines."""

    def render() -> str:
        lines = [
            gettext(
                "%(network)s: We got your message. A volunteer will read it. "
                "Reply HELP for help, STOP to stop."
            )
            % {"network": _network()}
        ]
        lines.extend(str(k.menu) for k in registered_keywords() if k.menu)
        return "\n".join(lines)

    return _in_language_of(contact, render)
