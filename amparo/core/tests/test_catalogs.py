"""Every screen exists in every language: the gettext catalogs are complete and safe to format.

A missing or fuzzy msgstr shows English to someone who asked for their own language;
a lost or misspelt placeholder raises KeyError (or shows raw text) at the moment a
message is formatted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["es", "pt", "ht"]

# %(name)s, %(count)d, %s, %5.2f ... but not a literal "%%".
PYTHON_FORMAT = re.compile(r"%%|%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
# {name}, {0}, {name!r:>10} ... but not the literal "{{" / "}}".
PYTHON_BRACE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _python_format(text: str) -> list[str]:
    return sorted(m.group(0) for m in PYTHON_FORMAT.finditer(text) if m.group(0) != "%%")


def _python_brace(text: str) -> list[str]:
    return sorted(m.group(0) for m in PYTHON_BRACE.finditer(text) if m.group(1) is not None)


def _forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _load(language: str) -> Catalog:
    """The catalog as its own header describes it (no locale passed in to hide a bad one)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    with path.open("rb") as po_file:
        return read_po(po_file)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _label(message: Message) -> str:
    return repr(_forms(message.id)[0])


def test_every_non_english_language_has_a_catalog() -> None:
    configured = {code for code, _name in settings.LANGUAGES if code != "en"}
    assert configured == set(LANGUAGES)
    for language in LANGUAGES:
        assert (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_is_final_and_names_the_language(language: str) -> None:
    catalog = _load(language)
    assert not catalog.fuzzy, f"{language}: the header entry is still marked fuzzy"
    assert catalog.locale_identifier == language
    assert catalog.charset.lower() == "utf-8"
    # Spanish and Portuguese: one, other. Haitian Creole does not inflect for number.
    assert catalog.num_plurals == {"es": 2, "pt": 2, "ht": 1}[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = _load(language)
    messages = _messages(catalog)
    assert messages, f"{language}: the catalog has no messages"
    untranslated = []
    fuzzy = []
    for message in messages:
        strings = _forms(message.string)
        if message.pluralizable and len(strings) != catalog.num_plurals:
            untranslated.append(_label(message))
            continue
        if not all(s.strip() for s in strings):
            untranslated.append(_label(message))
        if message.fuzzy:
            fuzzy.append(_label(message))
    assert not untranslated, f"{language}: untranslated: {', '.join(untranslated)}"
    assert not fuzzy, f"{language}: fuzzy: {', '.join(fuzzy)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    catalog = _load(language)
    problems = []
    for message in _messages(catalog):
        extractors = []
        if "python-format" in message.flags:
            extractors.append(_python_format)
        if "python-brace-format" in message.flags:
            extractors.append(_python_brace)
        sources = _forms(message.id)
        translations = _forms(message.string)
        for extract in extractors:
            if len(sources) == 1:
                # The translation keeps the msgid's placeholders, each as often, no other.
                if extract(translations[0]) != extract(sources[0]):
                    problems.append(
                        f"{_label(message)}: {extract(sources[0])} != {extract(translations[0])}"
                    )
                continue
            # Plural: a form may drop the count ("one item"), but none may invent a
            # placeholder and together they keep every one of the msgid's.
            wanted = {p for source in sources for p in extract(source)}
            given = {p for translation in translations for p in extract(translation)}
            if given - wanted:
                problems.append(f"{_label(message)} has unknown {sorted(given - wanted)}")
            if wanted - given:
                problems.append(f"{_label(message)} lost {sorted(wanted - given)}")
    assert not problems, f"{language}: " + "; ".join(problems)


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder() -> None:
    assert _python_format("%(name)s is now %(role)s. 100%%") == ["%(name)s", "%(role)s"]
    assert _python_format("%(name)s ahora es %(rol)s.") != _python_format("%(name)s is %(role)s.")
    assert _python_format("%d of %s") == ["%d", "%s"]
    assert _python_brace("{name} has {{braces}} and {0!r}") == ["{0!r}", "{name}"]
