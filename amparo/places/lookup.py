"""Where did it happen? Places from a pin, a ZIP code, a town, or the words of a report.

Reports arrive as free text in English, Spanish, Portuguese and Haitian Creole,
typed in a hurry: "hay agentes en la parada de Main St en Hartfrod", "Tem ICE
perto da escola em Danbury", "Gen ajan ICE nan Stamford". :func:`find_in_text`
finds the landmark, ZIP code or town they name, tolerating a typo or two, and
:func:`locate` weighs that against a form's pin, ZIP and town fields.

It runs on every inbound text, so the region's gazetteer is held in memory, one
copy per process, built once and rebuilt when a cheap fingerprint of the tables
(row counts and the newest ``updated_at``) changes: an edit in the admin or a new
``amparo places load`` reaches every process on its next look-up.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.db import connection
from django.db.models import QuerySet
from rapidfuzz.distance import OSA

from amparo.places.geo import distance_m
from amparo.places.models import Landmark, Town, ZipCode


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


Precision = Literal["pin", "zip", "landmark", "town"]

# Longer texts are read only this far: a report names its place early, and the
# look-up must stay fast whatever a web form or a transcription sends.
MAX_TEXT_CHARS = 4000
# A pin this far from every ZIP centroid of the region gets no town.
PIN_TOWN_RADIUS_M = 25_000
# A landmark counts as "in" a town named alongside it when it belongs to that
# town or lies this close to the town's (or ZIP's) centroid.
LANDMARK_NEAR_M = 2_000
# Typo tolerance: names shorter than this must be typed exactly; longer ones may
# be one edit (a wrong, missing, extra or swapped letter) away, and names of at
# least LONG_NAME_CHARS two edits. The first letter must be right: people rarely
# get it wrong, and requiring it keeps "Hilton" from becoming Wilton.
MIN_FUZZY_CHARS = 5
LONG_NAME_CHARS = 10
MAX_PHRASE_WORDS = 8

# Town names that are also everyday words, first names or famous places elsewhere
# ("Union", "Orange", "Berlin", "Columbia", "chaplain"). They count only when the
# text places them ("en Berlin", "in Union, CT"), typed exactly.
COMMON_WORD_TOWNS = _word_set("""
    andover avon baltic bantam berlin bethany bethlehem bolton bridgewater bristol brooklyn
    canaan canton chaplin chester clinton cobalt columbia cornwall coventry derby durham
    essex franklin georgetown gilman goshen hampton hanover hebron kensington kent
    lakeside lebanon lisbon lyme madison marion melrose monroe morris
    mystic norfolk orange oxford plymouth portland preston prospect ridgeway
    riverside rogers roxbury salem scotland sharon sherman sterling storrs thompson union
    vernon versailles warren washington windsor
    """)
# Everyday words one typo away from a town ("reading" / Redding, "granny" / Granby).
NOT_TYPOS = _word_set("reading granny moods wilson bradford newton heaven")
# How Spanish, Portuguese and Haitian Creole speakers write some Connecticut names.
OTHER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Hartford": ("Hatfòd", "Hatfod"),
    "New Haven": ("Nueva Haven", "Nuevo Haven", "Nova Haven", "Nouvo Haven", "Niu Haven"),
    "New London": ("Nueva Londres", "Nuevo Londres", "Nova Londres"),
    "New Britain": ("Nueva Bretaña", "Nova Bretanha"),
}
# "Manchester United", "Orange County", "Washington DC": not the town.
NOT_TOWN_AFTER = _word_set("united county dc")
# Words after which a place name is "in" that place (en, es, pt, ht).
LOCATIVE_WORDS = _word_set(
    "in at near around inside en cerca em perto no na nos nas nan kote bo pres"
)
STATE_WORDS = frozenset({"ct", "conn", "connecticut"})
# "Hartford Ave", "Berlin Turnpike", "calle Washington": a street, not the town.
STREET_AFTER = _word_set("""
    st street ave av avenue rd road tpke tpk turnpike blvd boulevard hwy highway dr drive ln
    lane pkwy parkway ter terrace cir circle sq square pl place way
    """)
STREET_BEFORE = _word_set("calle avenida av rua ri wout rue")
# Words that never start or end a misspelt place name (articles, prepositions...).
STOPWORDS = _word_set("""
    a an and the in at on of to by for from near with is are was there here now
    y e o u el la los las un una de del en con por para que hay ahora cerca esta estan
    um uma os as da do das dos no na nos nas em com por para tem agora perto esta estao
    an nan ak pou ki gen yo li se sou kote bo ye kounye
    """)
# Direction abbreviations: "W Hartford", "N. Haven", "S Windsor". A lone "e" is
# "and" in Portuguese and Creole, so it stands for East only when written "E".
# ("no" and "so" are words: "ICE no Branford" is in Branford, not North Branford.)
DIRECTIONS = {"w": "west", "n": "north", "s": "south", "e": "east"}

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")


@dataclass(frozen=True)
class PlaceMatch:
    town: Town | None
    latitude: float
    longitude: float
    precision: Precision
    words: str = ""  # the words of the text that matched ("" for pin/zip/town given directly)


def towns_in_region() -> QuerySet[Town]:
    """The towns of settings.AMPARO_REGION, by name (for form choices)."""
    from amparo.places.actions import region_states

    return Town.objects.filter(state__in=region_states()).order_by("name")


def find_in_text(text: str) -> PlaceMatch | None:
    """The most precise place the text names: a landmark, a ZIP code, or a town; else None."""
    return locate(text=text)


def locate(
    *,
    text: str = "",
    zip_code: str = "",
    town: str = "",
    pin: tuple[float, float] | None = None,
) -> PlaceMatch | None:
    """Where a report happened, from whatever the reporter gave; None if nothing is known.

    The most precise wins: a pin; then a landmark named in the text, if it fits the
    ZIP code and towns given (a landmark is a point inside them); then the ZIP code
    (the field, else one in the text); then the town field; then a town in the text.
    Of several towns in a text, one spelt right beats a misspelt one, then one the
    text places ("in", "en", "em", "nan"...) beats one it only names, then the first.
    A landmark name that fits two places ("Union Station") counts only when the ZIP
    code or a town tells them apart.
    """
    gazetteer = _current_gazetteer()
    point = _valid_pin(pin)
    if point is not None:
        nearest = gazetteer.nearest_town(*point)
        return PlaceMatch(nearest, point[0], point[1], "pin", "")

    found = _scan(gazetteer, text[:MAX_TEXT_CHARS]) if text else _Found()
    zip_place = gazetteer.zips.get(_zip5(zip_code))
    zip_words = ""
    if zip_place is None and found.zips:
        zip_place, zip_words = found.zips[0]
    town_field = gazetteer.town_named(town) if town.strip() else None

    context: list[_Point] = [p for p in (zip_place, town_field) if p is not None]
    context += [mention.entry for mention in found.towns]
    landmark = _pick_landmark(found.landmarks, context)
    if landmark is not None:
        return gazetteer.match(landmark.entry, "landmark", landmark.words)
    if zip_place is not None:
        return gazetteer.match(zip_place, "zip", zip_words)
    if town_field is not None:
        return gazetteer.match(town_field, "town", "")
    if found.towns:
        best = min(found.towns, key=lambda m: (m.edits > 0, not m.placed, m.start))
        return gazetteer.match(best.entry, "town", best.words)
    return None


# --- the gazetteer in memory ---------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A town, ZIP code or landmark: where it is and which town it belongs to."""

    town_id: int
    latitude: float
    longitude: float
    kind: str = "town"
    key: int | str = 0
    common_word: bool = False


@dataclass
class _Gazetteer:
    key: tuple[object, ...]
    towns: dict[int, Town] = field(default_factory=dict)
    town_points: list[_Point] = field(default_factory=list)
    zips: dict[str, _Point] = field(default_factory=dict)
    zip_points: list[_Point] = field(default_factory=list)
    # normalised phrase -> the places it names
    phrases: dict[str, list[_Point]] = field(default_factory=dict)
    # (words, first letter, length) -> phrases open to typo-tolerant matching
    fuzzy: dict[tuple[int, str, int], list[str]] = field(default_factory=dict)
    fuzzy_heads: set[tuple[int, str]] = field(default_factory=set)
    max_words: int = 1
    max_chars: int = 0

    def add_phrase(self, name: str, point: _Point) -> None:
        phrase = _normalise(name)
        if not phrase:
            return
        words = phrase.split()
        if len(words) > MAX_PHRASE_WORDS:
            return
        self.max_words = max(self.max_words, len(words))
        self.max_chars = max(self.max_chars, len(phrase))
        entries = self.phrases.setdefault(phrase, [])
        if point not in entries:
            entries.append(point)
        if not point.common_word and len(phrase) >= MIN_FUZZY_CHARS:
            self.fuzzy_heads.add((len(words), phrase[0]))
            bucket = self.fuzzy.setdefault((len(words), phrase[0], len(phrase)), [])
            if phrase not in bucket:
                bucket.append(phrase)
        if len(words) > 1 and point.kind == "town":
            self.add_phrase("".join(words), point)  # "NewHaven", "Westhartford"

    def nearest_town(self, latitude: float, longitude: float) -> Town | None:
        """The town of the nearest ZIP centroid (denser than town centroids), if near enough."""
        best: tuple[float, int] | None = None
        for point in self.zip_points or self.town_points:
            metres = distance_m(latitude, longitude, point.latitude, point.longitude)
            if best is None or metres < best[0]:
                best = (metres, point.town_id)
        if best is None or best[0] > PIN_TOWN_RADIUS_M:
            return None
        return self.towns[best[1]]

    def town_named(self, name: str) -> _Point | None:
        phrase = _normalise(name)
        for point in self.phrases.get(phrase, ()):
            if point.kind == "town":
                return point
        fuzzy = _fuzzy_phrase(self, phrase)
        if fuzzy is not None:
            for point in self.phrases[fuzzy[0]]:
                if point.kind == "town":
                    return point
        return None

    def match(self, point: _Point, precision: Precision, words: str) -> PlaceMatch:
        return PlaceMatch(
            self.towns.get(point.town_id), point.latitude, point.longitude, precision, words
        )


_lock = threading.Lock()
_cached: _Gazetteer | None = None


def _current_gazetteer() -> _Gazetteer:
    global _cached
    from amparo.places.actions import region_states

    key = (connection.alias, tuple(region_states()), _fingerprint())
    cached = _cached
    if cached is not None and cached.key == key:
        return cached
    with _lock:
        if _cached is None or _cached.key != key:
            _cached = _build(key)
        return _cached


def _fingerprint() -> tuple[object, ...]:
    """Row counts and newest change of the gazetteer's tables, in one small query."""
    parts = []
    for model in (Town, ZipCode, Landmark):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(updated_at) FROM {table})")  # noqa: S608 (names from the models)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone() or ())


def _build(key: tuple[object, ...]) -> _Gazetteer:
    states = key[1]
    assert isinstance(states, tuple)
    gazetteer = _Gazetteer(key=key)
    for town in Town.objects.filter(state__in=states):
        gazetteer.towns[town.pk] = town
        point = _Point(
            town.pk,
            float(town.latitude),
            float(town.longitude),
            "town",
            town.pk,
            common_word=_normalise(town.name) in COMMON_WORD_TOWNS,
        )
        gazetteer.town_points.append(point)
        gazetteer.add_phrase(town.name, point)
        for spelling in OTHER_SPELLINGS.get(town.name, ()):
            gazetteer.add_phrase(spelling, point)
    for code, town_id, latitude, longitude in ZipCode.objects.filter(
        town__state__in=states
    ).values_list("code", "town_id", "latitude", "longitude"):
        point = _Point(town_id, float(latitude), float(longitude), "zip", code)
        gazetteer.zips[code] = point
        gazetteer.zip_points.append(point)
    for landmark in Landmark.objects.filter(town__state__in=states):
        point = _Point(
            landmark.town_id,
            float(landmark.latitude),
            float(landmark.longitude),
            "landmark",
            landmark.pk,
        )
        for name in landmark.names():
            gazetteer.add_phrase(name, point)
    return gazetteer


# --- reading a text ------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    word: str  # normalised
    start: int
    end: int
    capitalised: bool


@dataclass(frozen=True)
class _Mention:
    entry: _Point
    start: int  # token index
    end: int
    chars: int
    edits: int
    words: str  # as written
    placed: bool = False  # preceded by "in", "en", "em", "nan"...


@dataclass
class _Found:
    zips: list[tuple[_Point, str]] = field(default_factory=list)
    landmarks: list[list[_Mention]] = field(default_factory=list)  # one list per phrase
    towns: list[_Mention] = field(default_factory=list)


def _normalise(text: str) -> str:
    """Lower case, no accents, apostrophes dropped, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("'", "").replace("\u2019", "")
    return " ".join(_WORD.findall(plain))


@functools.lru_cache(maxsize=8192)
def _normalise_word(word: str) -> str:
    return _normalise(word)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _WORD.finditer(text):
        written = match.group()
        word = _normalise_word(written) if len(written) <= 40 else _normalise(written)
        if word:
            first = match.group()[0]
            tokens.append(
                _Token(word.replace(" ", ""), match.start(), match.end(), first.isupper())
            )
    return tokens


def _zip5(text: str) -> str:
    match = _ZIP.search(text.strip())
    return match.group(1) if match else ""


def _allowed_edits(chars: int) -> int:
    if chars < MIN_FUZZY_CHARS:
        return 0
    return 2 if chars >= LONG_NAME_CHARS else 1


def _fuzzy_phrase(gazetteer: _Gazetteer, phrase: str) -> tuple[str, int] | None:
    """The closest known phrase within the typo allowance, and its distance."""
    if not phrase:
        return None
    allowed = _allowed_edits(len(phrase))
    if not allowed:
        return None
    words = phrase.count(" ") + 1
    best: tuple[str, int] | None = None
    tied = False
    for length in range(len(phrase) - allowed, len(phrase) + allowed + 1):
        limit = min(allowed, _allowed_edits(length))
        for candidate in gazetteer.fuzzy.get((words, phrase[0], length), ()):
            edits = OSA.distance(phrase, candidate, score_cutoff=limit)
            if edits > limit:
                continue
            if best is None or edits < best[1]:
                best, tied = (candidate, edits), False
            elif edits == best[1]:
                tied = True
    # "Stanford" is one letter from Stamford and from Stafford: better no guess.
    return None if tied else best


def _scan(gazetteer: _Gazetteer, text: str) -> _Found:
    found = _Found()
    for match in _ZIP.finditer(text):
        point = gazetteer.zips.get(match.group(1))
        if point is not None:
            found.zips.append((point, match.group()))

    tokens = _tokens(text)
    cased = _writes_capitals(tokens, text)
    landmark_mentions: list[list[_Mention]] = []
    town_mentions: list[_Mention] = []
    for start in range(len(tokens)):
        phrase = ""
        for size in range(1, min(gazetteer.max_words, len(tokens) - start) + 1):
            word = tokens[start + size - 1].word
            phrase = f"{phrase} {word}" if phrase else word
            if len(phrase) > gazetteer.max_chars + 2:
                break
            hit = _phrase_hit(gazetteer, tokens, start, phrase, size)
            if hit is None:
                continue
            known, edits = hit
            written = text[tokens[start].start : tokens[start + size - 1].end]
            placed = start > 0 and tokens[start - 1].word in LOCATIVE_WORDS
            mentions = [
                _Mention(point, start, start + size, len(known), edits, written, placed)
                for point in gazetteer.phrases[known]
            ]
            landmarks = [m for m in mentions if m.entry.kind == "landmark"]
            if landmarks:
                landmark_mentions.append(landmarks)
            town_mentions += [
                m
                for m in mentions
                if m.entry.kind == "town" and _reads_as_town(m, tokens, text, cased)
            ]

    taken: set[int] = set()
    for group in sorted(landmark_mentions, key=lambda g: (-g[0].chars, g[0].edits, g[0].start)):
        span = set(range(group[0].start, group[0].end))
        if not span & taken:
            taken |= span
            found.landmarks.append(group)
    for mention in sorted(town_mentions, key=lambda m: (-m.chars, m.edits, m.start)):
        span = set(range(mention.start, mention.end))
        if not span & taken:
            taken |= span
            found.towns.append(mention)
    found.towns.sort(key=lambda m: m.start)
    return found


def _phrase_hit(
    gazetteer: _Gazetteer, tokens: Sequence[_Token], start: int, phrase: str, size: int
) -> tuple[str, int] | None:
    """The known phrase these words name, and the typos it took; None if none."""
    if phrase in gazetteer.phrases:
        return phrase, 0
    words = phrase.split(" ")
    first = words[0]
    if size > 1 and first in DIRECTIONS and (first != "e" or tokens[start].capitalised):
        expanded = " ".join([DIRECTIONS[first], *words[1:]])
        if expanded in gazetteer.phrases:
            return expanded, 0
    if (
        len(phrase) < MIN_FUZZY_CHARS
        or (size, phrase[0]) not in gazetteer.fuzzy_heads
        or first in STOPWORDS
        or words[-1] in STOPWORDS
        or phrase.replace(" ", "").isdigit()
        or not NOT_TYPOS.isdisjoint(words)
    ):
        return None
    return _fuzzy_phrase(gazetteer, phrase)


def _reads_as_town(mention: _Mention, tokens: Sequence[_Token], text: str, cased: bool) -> bool:
    before = tokens[mention.start - 1].word if mention.start > 0 else ""
    after = tokens[mention.end].word if mention.end < len(tokens) else ""
    if after in STREET_AFTER or after in NOT_TOWN_AFTER or before in STREET_BEFORE:
        return False
    if not mention.entry.common_word:
        return True
    if mention.edits or not (mention.placed or after in STATE_WORDS):
        return False
    if cased:
        return tokens[mention.start].capitalised  # "ICE agents in orange vests": not Orange
    # Without capitals to go by, the name must end the phrase: "they are in kent",
    # "en berlin ahora", "in union, ct"; not "in orange vests".
    if mention.end == len(tokens) or after in STOPWORDS or after in STATE_WORDS:
        return True
    between = text[tokens[mention.end - 1].end : tokens[mention.end].start]
    return any(mark in between for mark in ",.;:!?()")


def _writes_capitals(tokens: Sequence[_Token], text: str) -> bool:
    """Whether the writer capitalises names (some word is Capitalised, not just an acronym)."""
    for token in tokens:
        written = text[token.start : token.end]
        if token.capitalised and len(written) > 1 and any(c.islower() for c in written):
            return True
    return False


def _pick_landmark(groups: list[list[_Mention]], context: list[_Point]) -> _Mention | None:
    """The landmark named in the text, if only one place fits it and the towns given."""
    for group in groups:
        fitting = [m for m in group if not context or any(_near(m.entry, c) for c in context)]
        places = {m.entry.key for m in fitting}
        if len(places) == 1:
            return fitting[0]
    return None


def _near(landmark: _Point, place: _Point) -> bool:
    if landmark.town_id == place.town_id:
        return True
    metres = distance_m(landmark.latitude, landmark.longitude, place.latitude, place.longitude)
    return metres <= LANDMARK_NEAR_M


def _valid_pin(pin: tuple[float, float] | None) -> tuple[float, float] | None:
    if pin is None:
        return None
    try:
        latitude, longitude = float(pin[0]), float(pin[1])
    except (TypeError, ValueError, IndexError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def forget_gazetteer() -> None:
    """Drop this process's copy (tests; the fingerprint already catches every change)."""
    global _cached
    with _lock:
        _cached = None
