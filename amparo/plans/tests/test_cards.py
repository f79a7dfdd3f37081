"""The wallet card: code, hotline, the activation word in the plan's language; no name, no PIN."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import override_settings
from pypdf import PdfReader

from amparo.plans.cards import (
    ACTIVATION_WORDS,
    _scale_that_fits,
    activation_text,
    plan_hotline,
    render_wallet_card,
)
from amparo.plans.sms import ACTIVATE_WORDS
from amparo.plans.tests.factories import PIN, make_contents

CODE = "48219307"


def card_text(language: str) -> str:
    pdf = render_wallet_card(code=CODE, language=language)
    reader = PdfReader(BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "DETAINED"), ("es", "DETENIDO"), ("pt", "DETIDO"), ("ht", "ARETE")],
)
def test_the_card_holds_the_code_hotline_and_activation_word(language: str, word: str) -> None:
    text = card_text(language)

    assert "4821 9307" in text
    assert "(860) 555-0100" in text
    assert f"{word} 4821 9307" in text


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht"])
def test_the_card_holds_no_name_and_never_the_pin(language: str) -> None:
    text = card_text(language)
    contents = make_contents()

    names = [m.name for m in contents.members] + [c.name for c in contents.contacts]
    names += [contents.caregiver.name, contents.attorney.name]
    assert not any(name in text for name in names)
    assert PIN not in text


def test_the_card_summarizes_the_rights_in_its_language() -> None:
    english = card_text("en")
    spanish = card_text("es")

    assert "remain silent" in english
    assert "judge" in english and "sign" in english and "lawyer" in english
    # Spanish letters survive Helvetica's encoding (a catalog phrase already translated).
    assert "derecho a guardar silencio" in spanish


def test_the_card_is_wallet_sized_on_one_sheet() -> None:
    reader = PdfReader(BytesIO(render_wallet_card(code=CODE, language="en")))

    (page,) = reader.pages
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


@override_settings(AMPARO_HOTLINE_NUMBER="+18605550177")
def test_the_hotline_comes_from_the_settings_at_call_time() -> None:
    assert plan_hotline().display == "(860) 555-0177"
    assert "(860) 555-0177" in card_text("pt")


def test_the_activation_text_puts_a_placeholder_where_the_pin_goes() -> None:
    assert activation_text(code=CODE, language="es") == "DETENIDO 4821 9307 PIN"


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht"])
def test_the_text_fits_the_card_at_full_size(language: str) -> None:
    assert _scale_that_fits(code=CODE, language=language, hotline=plan_hotline()) == 1.0


@override_settings(AMPARO_NETWORK_NAME="A network with a very long name " * 15)
def test_a_long_text_is_drawn_smaller_to_stay_on_the_card() -> None:
    assert _scale_that_fits(code=CODE, language="en", hotline=plan_hotline()) < 1.0
    assert "4821 9307" in card_text("en")


def test_each_card_word_is_one_the_sms_keyword_understands() -> None:
    for language, word in ACTIVATION_WORDS.items():
        assert word in ACTIVATE_WORDS[language]
