"""The texts of joining, changing and stopping alerts, in the contact's language.

An SMS goes through a third party: these hold the network's name, town names
(public places) and keywords; never a person's name or number. The words a
person must text back (``ALERTAS``, ``ACEPTO``...) are filled in by the code,
not by translators, so a translation can never ask for a word the router does
not know. Short, and GSM-7 where the language allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import phonenumbers
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from amparo.channels.registry import channel_configs
from amparo.contacts.models import Language
from amparo.places.models import Town

# The words each language is told to text (all are understood in any language).
KEYWORD = {"en": "ALERTS", "es": "ALERTAS", "pt": "ALERTAS", "ht": "ALET"}
CONFIRM = {"en": "JOIN", "es": "ACEPTO", "pt": "ACEITO", "ht": "DAKO"}
OFF = {"en": "OFF", "es": "NO", "pt": "NAO", "ht": "KANPE"}
INVITE = {"en": "INVITE", "es": "INVITAR", "pt": "CONVIDAR", "ht": "ENVITE"}
Renderer = Callable[[], str]

# A text names this many towns at most, then "+N".
TOWNS_LISTED = 5


def _network() -> str:
    name: str = settings.AMPARO_NETWORK_NAME
    return name


def _language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


def _words() -> dict[str, str]:
    language = _language()
    return {
        "network": _network(),
        "keyword": KEYWORD[language],
        "confirm": CONFIRM[language],
        "off": OFF[language],
    }


def town_list(towns: Iterable[Town]) -> str:
    names = [town.name for town in towns]
    shown = ", ".join(names[:TOWNS_LISTED])
    return f"{shown} +{len(names) - TOWNS_LISTED}" if len(names) > TOWNS_LISTED else shown


def in_languages(languages: Sequence[str], render: Renderer) -> str:
    """``render()`` in each of ``languages``, one per line (one language in the common case)."""
    parts = []
    for language in languages:
        with translation.override(language):
            parts.append(render())
    return "\n".join(parts)


def _missed(not_understood: int) -> str:
    if not not_understood:
        return ""
    return (
        " "
        + gettext("We could not find one place: text %(keyword)s + its town or ZIP to add it.")
        % _words()
    )


def ask_to_confirm(towns: Sequence[Town], *, not_understood: int = 0) -> str:
    """Double opt-in: the person must answer with the confirmation word."""
    text = gettext(
        "%(network)s alerts for %(towns)s: reply %(confirm)s to confirm. Msg freq varies. "
        "Msg&data rates may apply. Reply HELP for help, STOP to stop."
    ) % (_words() | {"towns": town_list(towns)})
    return text + _missed(not_understood)


def ask_for_a_town() -> str:
    return (
        gettext(
            "%(network)s: We did not find that place. Text %(keyword)s and your town or "
            "5-digit ZIP code."
        )
        % _words()
    )


def confirmed(towns: Sequence[Town]) -> str:
    return gettext(
        "%(network)s: You will get alerts for %(towns)s. To add a town: %(keyword)s + town. "
        "To stop alerts: %(keyword)s %(off)s. STOP ends all our messages."
    ) % (_words() | {"towns": town_list(towns)})


def active(towns: Sequence[Town], *, not_understood: int = 0) -> str:
    """What an active subscriber gets for: after a change, or asked with the keyword alone."""
    text = gettext(
        "%(network)s: You get alerts for %(towns)s. To add a town: %(keyword)s + town. "
        "To stop alerts: %(keyword)s %(off)s."
    ) % (_words() | {"towns": town_list(towns)})
    return text + _missed(not_understood)


def waiting(towns: Sequence[Town]) -> str:
    """A pending subscription, asked about with the keyword alone."""
    return gettext(
        "%(network)s: Your alerts for %(towns)s are waiting: reply %(confirm)s to confirm."
    ) % (_words() | {"towns": town_list(towns)})


def how_to_join() -> str:
    return (
        gettext("%(network)s alerts: text %(keyword)s and your town or 5-digit ZIP code to join.")
        % _words()
    )


def stopped() -> str:
    return (
        gettext(
            "%(network)s: Alerts stopped. Other messages from us still come. To get alerts "
            "again, text %(keyword)s and your town."
        )
        % _words()
    )


def invitation(town: Town | None) -> str:
    """A ready-to-forward invitation: the network's number and the keyword, nobody's data."""
    words = _words()
    example = town.name.upper() if town is not None else ""
    values = words | {"example": f"{words['keyword']} {example}".strip(), "number": hotline()}
    return gettext("Get %(network)s alerts: text %(example)s to %(number)s") % values


def hotline() -> str:
    """The network's number as people dial it (the first SMS sender)."""
    for raw in channel_configs()["sms"].senders[:1]:
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            return raw
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return ""
