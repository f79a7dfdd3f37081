"""Keyword matching: first word, any case, any accents, compliance keywords first."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from amparo.intake.keywords import (
    COMPLIANCE_WORDS,
    EVERYDAY_STOP_WORDS,
    HELP,
    START,
    STOP,
    KeywordContext,
    match_keyword,
    next_matches,
    normalize_word,
    register_keyword,
    registered_keywords,
    split_first_word,
)
from amparo.intake.router import DEFAULT, plan_route

ALL_COMPLIANCE = sorted(
    {
        (name, word)
        for name, table in COMPLIANCE_WORDS.items()
        for ws in table.values()
        for word in ws
    }
)
STOP_WORDS = sorted({w for words in COMPLIANCE_WORDS[STOP].values() for w in words})
ACCENTS = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u0327"]  # grave ... cedilla
AROUND = st.text(alphabet=" \t\n.,;:!?¡¿'\"*()-…🛑", max_size=4)


def nothing(context: KeywordContext) -> None:
    pass


def other(context: KeywordContext) -> None:
    pass


@pytest.mark.parametrize(("name", "word"), ALL_COMPLIANCE)
def test_every_compliance_word_matches_its_keyword(name: str, word: str) -> None:
    match = match_keyword(word)

    assert match is not None
    assert match.name == name
    assert match.argument == ""


def test_the_four_languages_each_have_stop_start_and_help_words() -> None:
    for name in (STOP, START, HELP):
        assert set(COMPLIANCE_WORDS[name]) == {"en", "es", "pt", "ht"}


@st.composite
def disguised(draw: st.DrawFn, word: str) -> str:
    """``word`` in random case with random accents, wrapped in whitespace and punctuation."""
    letters = []
    for letter in unicodedata.normalize("NFD", word):
        letters.append(letter.lower() if draw(st.booleans()) else letter.upper())
        if letter.isalpha() and draw(st.integers(0, 4)) == 0:
            letters.append(draw(st.sampled_from(ACCENTS)))
    return draw(AROUND) + unicodedata.normalize("NFC", "".join(letters)) + draw(AROUND)


@given(data=st.data(), word=st.sampled_from(STOP_WORDS))
@example(data=None, word="STOP").via("the plain word")
def test_any_casing_accents_and_punctuation_of_a_stop_word_still_stops(
    data: st.DataObject | None, word: str
) -> None:
    text = word if data is None else data.draw(disguised(word))

    match = match_keyword(text)

    assert match is not None and match.name == STOP


@given(
    data=st.data(),
    word=st.sampled_from([w for w in STOP_WORDS if normalize_word(w) not in EVERYDAY_STOP_WORDS]),
    rest=st.text(min_size=1).filter(lambda s: any(c.isalnum() for c in s)),
)
def test_an_unambiguous_stop_word_followed_by_more_text_still_stops(
    data: st.DataObject, word: str, rest: str
) -> None:
    text = data.draw(disguised(word)) + " " + rest

    match = match_keyword(text)

    assert match is not None and match.name == STOP
    assert match.argument  # the rest goes to the operators too
    assert plan_route(match).needs_operator


ALL_WORDS = {w for k in ALL_COMPLIANCE for w in [normalize_word(k[1])]}


@given(st.text())
@example("yes")
@example("Ed, they are at the school")
@example("Inicio de la redada en Main St")
@example("STOPPED by ICE on Route 9")
@example("")
def test_a_text_that_starts_with_no_keyword_goes_to_the_default_handler(text: str) -> None:
    first, rest = split_first_word(text)
    assume(first not in ALL_WORDS or (first in {"START", "UNSTOP", "INICIO", "ALTA"} and rest))
    assume(not any(first in keyword.words for keyword in registered_keywords()))

    route = plan_route(match_keyword(text))

    assert route.routed_to == DEFAULT
    assert route.needs_operator


@pytest.mark.parametrize("text", ["START", "start", " Start! ", "KÒMANSE", "komanse", "alta."])
def test_start_matches_when_it_is_the_whole_text(text: str) -> None:
    match = match_keyword(text)
    assert match is not None and match.name == START


@pytest.mark.parametrize("text", ["Start the car, they are coming", "ALTA la policia", "volta"])
def test_start_followed_by_other_words_is_not_consent(text: str) -> None:
    assert match_keyword(text) is None


@pytest.mark.parametrize("text", ["yes", "YES", "Sí", "ok"])
def test_an_ordinary_yes_is_not_an_opt_in(text: str) -> None:
    match = match_keyword(text)
    # Dispatch takes "yes" from responders answering an offer and "ok" from
    # responders checking in from a scene (others' texts fall through); never START.
    assert match is None or match.name in {"dispatch_yes", "scene_check_in"}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("AYUDA", "es"),
        ("ALTO", "es"),
        ("AJUDA", "pt"),
        ("SAIR", "pt"),
        ("SISPANN", "ht"),
        ("Kòmanse", "ht"),
        ("STOP", None),  # English keywords are everyone's
        ("HELP", None),
        ("PARAR", None),  # Spanish and Portuguese
        ("CANCELAR", None),
    ],
)
def test_a_word_tells_its_language_only_when_it_has_one_other_than_english(
    text: str, language: str | None
) -> None:
    match = match_keyword(text)
    assert match is not None
    assert match.language == language


def test_the_argument_is_the_rest_without_surrounding_punctuation() -> None:
    assert split_first_word("  ¡Ayuda!  ICE en la escuela Lincoln...  ") == (
        "AYUDA",
        "ICE en la escuela Lincoln",
    )


def test_invisible_characters_do_not_hide_a_keyword() -> None:
    match = match_keyword("\u200bS\u00adTOP")
    assert match is not None and match.name == STOP


@pytest.mark.usefixtures("keyword_registry")
def test_a_registered_keyword_matches_its_words_in_any_language_with_an_argument() -> None:
    register_keyword("alerts", {"en": ["ALERTS"], "es": ["ALERTAS"], "pt": ["ALERTAS"]}, nothing)

    match = match_keyword("alertás  Hartford.")

    assert match is not None
    assert (match.name, match.word, match.argument) == ("alerts", "ALERTAS", "Hartford")
    assert match.languages == {"es", "pt"}
    assert match.language is None


@pytest.mark.usefixtures("keyword_registry")
def test_a_compliance_word_cannot_be_registered() -> None:
    with pytest.raises(ValueError, match="compliance"):
        register_keyword("quitting", {"en": ["quit"]}, nothing)
    with pytest.raises(ValueError, match="compliance"):
        register_keyword("ayudar", {"es": ["Áyuda"]}, nothing)

    assert match_keyword("QUIT").name == STOP  # type: ignore[union-attr]


@pytest.mark.usefixtures("keyword_registry")
@pytest.mark.parametrize("name", ["stop", "help", "default", "voicemail", "Alerts", "", "a b"])
def test_a_keyword_needs_a_short_code_of_its_own(name: str) -> None:
    with pytest.raises(ValueError):
        register_keyword(name, {"en": ["ALERTS"]}, nothing)


@pytest.mark.usefixtures("keyword_registry")
@pytest.mark.parametrize("words", [{"fr": ["ALERTE"]}, {"en": ["TWO WORDS"]}, {"en": ["..."]}, {}])
def test_a_keyword_needs_words_of_one_word_each_in_offered_languages(words: dict) -> None:
    with pytest.raises(ValueError):
        register_keyword("alerts", words, nothing)


@pytest.mark.usefixtures("keyword_registry")
def test_registering_again_is_harmless_but_a_second_handler_is_refused() -> None:
    register_keyword("alerts", {"en": ["ALERTS"]}, nothing)
    register_keyword("alerts", {"en": ["ALERTS"]}, nothing)

    with pytest.raises(ValueError, match="already"):
        register_keyword("alerts", {"en": ["ALERTS"]}, other)
    assert [k.name for k in registered_keywords()] == ["alerts"]


@pytest.mark.usefixtures("keyword_registry")
def test_a_lower_priority_wins_a_shared_word_then_the_earlier_registration() -> None:
    register_keyword("plans", {"en": ["PLAN"]}, nothing)
    register_keyword("dispatch", {"en": ["PLAN", "OK"]}, other, priority=10)
    register_keyword("rights", {"en": ["OK"]}, nothing, priority=10)

    assert match_keyword("plan 1234").name == "dispatch"  # type: ignore[union-attr]
    assert match_keyword("ok").name == "dispatch"  # type: ignore[union-attr]


@pytest.mark.usefixtures("keyword_registry")
def test_the_next_matches_are_the_later_keywords_sharing_the_word_in_order() -> None:
    register_keyword("rights_choice", {"en": ["1", "3"]}, nothing)
    register_keyword("dispatch", {"en": ["1", "2"]}, other, priority=50)
    register_keyword("plans", {"en": ["1"]}, nothing, priority=200)

    match = match_keyword("1")

    assert match is not None and match.name == "dispatch"
    assert [m.name for m in next_matches(match)] == ["rights_choice", "plans"]
    assert all(m.word == "1" and m.argument == "" for m in next_matches(match))
    assert next_matches(next_matches(match)[1]) == []


def test_a_compliance_keyword_has_no_next_match() -> None:
    match = match_keyword("STOP")

    assert match is not None and next_matches(match) == []


@pytest.mark.parametrize(
    "report",
    [
        "End of Main St, 3 ICE vans",
        "Baja la calle hay migra",
        "Quit my job, they took my husband",
        "Cancel? no, ICE at the school now",
        "Alto ahí, hay agentes",
    ],
)
def test_a_report_that_opens_with_an_everyday_opt_out_word_is_not_an_opt_out(
    report: str,
) -> None:
    assert match_keyword(report) is None


@pytest.mark.parametrize("word", ["END", "quit", "Cancel", "BAJA", "alto", "Pare", "ANILE"])
def test_an_everyday_opt_out_word_alone_still_stops(word: str) -> None:
    match = match_keyword(word)
    assert match is not None and match.name == "stop"


def test_an_unambiguous_opt_out_word_stops_even_with_more_text() -> None:
    match = match_keyword("STOP texting me")
    assert match is not None and match.name == "stop"
