"""The texts of readiness drills: every one starts with the drill marker and says "do not go".

A drill's offer must never be mistaken for a real one, by a responder reading
it half awake or by anyone else who sees the phone. So every text of a drill
(the offer, the acknowledgement of an answer, the reply to a late answer)
starts with a marker word in the contact's language, followed by a plain
statement that it is practice and nobody goes.

The markers are fixed here, not left to the translation files, so a missing
or wrong translation can never drop them:

====  ==========  ============================================================
lang  marker      why
====  ==========  ============================================================
en    DRILL       the usual word ("fire drill").
es    SIMULACRO   what a fire or evacuation drill is called in Spanish.
pt    SIMULADO    Brazilian usage ("simulado de incêndio"), most of the
                  Portuguese speakers a US network serves; plain GSM-7, where
                  SIMULAÇÃO would turn the whole text into UCS-2 ("Ã" is not
                  in GSM-7) and cost twice the segments.
ht    SIMILASYON  the word used for drills in Haiti (civil protection
                  "similasyon"); plain GSM-7, where EGZÈSIS has an upper-case
                  "È", which GSM-7 lacks.
====  ==========  ============================================================

Like real offers, drill texts hold a town (or "your area") and a code, never
a name. The writes are in :mod:`amparo.dispatch.actions.drills`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from amparo.contacts.models import Contact, Language
from amparo.places.models import Town

MARKERS: dict[str, str] = {
    Language.ENGLISH: "DRILL",
    Language.SPANISH: "SIMULACRO",
    Language.PORTUGUESE: "SIMULADO",
    Language.HAITIAN_CREOLE: "SIMILASYON",
}


def marker(language: str) -> str:
    """The drill marker of ``language`` (English for a language the network lacks)."""
    return MARKERS.get(language, MARKERS[Language.ENGLISH])


def _drill_text(contact: Contact, render: Callable[[], str]) -> str:
    """``render()`` in the contact's language, after its marker."""
    with translation.override(contact.language):
        return f"{marker(contact.language)}: {render()}"


def _network() -> str:
    name: str = settings.AMPARO_NETWORK_NAME
    return name


def offer_text(contact: Contact, *, town: Town | None, code: str) -> str:
    """A drill's offer: practice, the town (or "your area") and the code; nothing else."""

    def render() -> str:
        place = town.name if town is not None else gettext("your area")
        return gettext(
            "%(network)s practice only, do not go. Would you go to a report near %(place)s? "
            "Reply 1 %(code)s or 2 %(code)s."
        ) % {"network": _network(), "place": place, "code": code}

    return _drill_text(contact, render)


def recorded_text(contact: Contact) -> str:
    """The acknowledgement of an answer to a drill, yes or no."""
    return _drill_text(
        contact,
        lambda: (
            gettext("%(network)s practice: answer recorded, thank you. Do not go.")
            % {"network": _network()}
        ),
    )


def ended_text(contact: Contact) -> str:
    """The reply to an answer that came after the drill ended."""
    return _drill_text(
        contact,
        lambda: (
            gettext("%(network)s practice: this drill has ended. Do not go, thank you.")
            % {"network": _network()}
        ),
    )
