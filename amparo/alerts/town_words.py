"""Which towns a person asks alerts for: "HARTFORD", "06106", "New Haven, Hamden y Orange".

Used by the ``ALERTS`` keyword and the join form's free "towns or ZIP codes"
field. A ZIP code stands for its town; names are read by the gazetteer
(:func:`amparo.places.lookup.locate`, ``town=``: exact, or one or two typos
away in a long name). Parts are separated by commas, semicolons, slashes,
"and"/"y"/"e"/"ak"; without separators ("NEW HAVEN HAMDEN") the longest known
names are taken from the left. State names and filler words ("CT", "in",
"para", "pou") are skipped.

What is not understood is only counted, never kept or repeated: the person
typed it, and it could be anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amparo.places.lookup import locate
from amparo.places.models import Town

# A text is read this far: a list of towns is short, and each part costs a look-up.
MAX_CHARS = 300
MAX_WORDS_PER_PART = 12
# Longest town name in words ("North Stonington", "East Haddam"...; three is plenty).
MAX_NAME_WORDS = 4

_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
# A lone "E" is East ("E Hartford"), so only a lower-case "e" separates.
_SEPARATORS = re.compile(r"[,;/&+\n|]+|\s(?i:and|y|ak|et)\s|\se\s")
_DIRECTIONS = {"n": "North", "s": "South", "e": "East", "w": "West"}
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words around a list of towns that are not town names (states, "in", "para"...).
_SKIP = _word_set("""
    ct conn connecticut usa in at for of the town towns zip
    en de para por la el em do da na nan pou lavil vil ciudad cidade
    """)


@dataclass
class TownsRead:
    """The towns found, in the order given, each once; and how many parts were not."""

    towns: list[Town] = field(default_factory=list)
    not_understood: int = 0

    def add(self, town: Town | None) -> bool:
        if town is None:
            return False
        if all(known.pk != town.pk for known in self.towns):
            self.towns.append(town)
        return True


def read_towns(text: str) -> TownsRead:
    """The towns (and ZIP codes' towns) of the region that ``text`` names."""
    read = TownsRead()
    text = text[:MAX_CHARS]
    for match in _ZIP.finditer(text):
        place = locate(zip_code=match.group(1))
        if not read.add(place.town if place else None):
            read.not_understood += 1
    for part in _SEPARATORS.split(_ZIP.sub(" ", text)):
        words = _directions([w for w in _WORD.findall(part) if w.casefold() not in _SKIP])
        if words:
            _read_part(words[:MAX_WORDS_PER_PART], read)
    return read


def _directions(words: list[str]) -> list[str]:
    """ "W Hartford" -> "West Hartford"; a lone "e" is "and" (pt, ht), so only "E" is East."""
    return [
        _DIRECTIONS[word.casefold()]
        if index + 1 < len(words) and word.casefold() in _DIRECTIONS and word != "e"
        else word
        for index, word in enumerate(words)
    ]


def _read_part(words: list[str], read: TownsRead) -> None:
    whole = _town_named(" ".join(words))
    if whole is not None:
        read.add(whole)
        return
    start, missed = 0, False
    while start < len(words):
        for end in range(min(len(words), start + MAX_NAME_WORDS), start, -1):
            town = _town_named(" ".join(words[start:end]))
            if town is not None:
                read.add(town)
                start, missed = end, False
                break
        else:
            if not missed:  # a run of unknown words is one thing not understood
                read.not_understood += 1
            start, missed = start + 1, True


def _town_named(name: str) -> Town | None:
    place = locate(town=name)
    return place.town if place is not None and place.precision == "town" else None
