"""A guess at the language of a free-text message, so the first reply is understood.

A frightened person texting "hay agentes en mi calle" should not get an English
menu back. This counts words that belong to only one of the network's four
languages; it guesses only when one language clearly leads, and the guess never
overrides a language the person chose (``set_language(inferred=True)``).
"""

from __future__ import annotations

import re

from amparo.intake.keywords import normalize_word

# Common words of reports and pleas for help, each in one language only
# (accents stripped, upper case, as normalize_word gives them).
_DISTINCTIVE: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "THE",
            "THERE",
            "ARE",
            "IS",
            "MY",
            "STREET",
            "HELP",
            "AGENTS",
            "THEY",
            "TOOK",
            "NEED",
            "PLEASE",
            "AT",
            "HOUSE",
            "HOME",
            "HUSBAND",
            "WIFE",
            "KIDS",
            "CHILDREN",
            "POLICE",
            "DOOR",
            "OUTSIDE",
            "WITH",
            "WHAT",
            "WHERE",
        ]
    ),
    "es": frozenset(
        [
            "HAY",
            "LOS",
            "LAS",
            "EL",
            "Y",
            "CALLE",
            "AGENTES",
            "AQUI",
            "DONDE",
            "LLEVARON",
            "TENGO",
            "MIEDO",
            "ESPOSO",
            "HIJOS",
            "NECESITO",
            "ESTAN",
            "ESQUINA",
            "MIGRA",
            "CAMIONETA",
            "PUERTA",
            "AFUERA",
            "AYUDA",
            "MI",
            "CASA",
        ]
    ),
    "pt": frozenset(
        [
            "NAO",
            "VOCE",
            "RUA",
            "TEM",
            "UMA",
            "UM",
            "OS",
            "MEU",
            "MINHA",
            "AJUDA",
            "ESTAO",
            "LEVARAM",
            "TENHO",
            "MEDO",
            "MARIDO",
            "FILHOS",
            "PRECISO",
            "NA",
            "NO",
            "E",
            "COM",
            "DO",
            "DA",
            "PORTA",
            "FORA",
        ]
    ),
    "ht": frozenset(
        [
            "MWEN",
            "OU",
            "YO",
            "NAN",
            "PA",
            "GEN",
            "LAKAY",
            "KOTE",
            "KI",
            "SA",
            "AJAN",
            "IMIGRASYON",
            "PRAN",
            "PITIT",
            "MARI",
            "MADANM",
            "BEZWEN",
            "TANPRI",
            "GENYEN",
            "KOUNYE",
            "LARI",
            "POLIS",
            "DEVAN",
            "PINGA",
        ]
    ),
}
_WORD = re.compile(r"\w+", re.UNICODE)


def guess_language(text: str) -> str | None:
    """The language most of ``text``'s distinctive words belong to, or None if unclear."""
    scores = dict.fromkeys(_DISTINCTIVE, 0)
    for raw in _WORD.findall(text):
        word = normalize_word(raw)
        for language, words in _DISTINCTIVE.items():
            if word in words:
                scores[language] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    return best if top >= 2 and top > second else None
