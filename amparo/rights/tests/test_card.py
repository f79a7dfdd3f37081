"""The red card: a PDF per language, with its statement and a QR code to the rights pages."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from amparo.contacts.models import Language
from amparo.rights.card import render_card
from amparo.rights.seed_content import CARD_STATEMENT_EN, CARD_TEXTS

pytestmark = pytest.mark.django_db

# Words of each language's card, accents included (WinAnsi Helvetica must keep them).
WORDS = {
    "en": ["Know your rights", "General information, not legal advice."],
    "es": ["Conozca sus derechos", "No abriré la puerta", "Información general"],
    "pt": ["Conheça os seus direitos", "Não vou abrir a porta", "Informação geral"],
    "ht": ["Konnen dwa ou", "Mwen p ap louvri pòt la", "Enfòmasyon jeneral", "fenèt"],
}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def _squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", Language.values)
def test_the_card_renders_in_each_language_with_its_own_words_and_the_english_statement(
    language: str,
) -> None:
    response = Client().get(f"/rights/card/{language}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for word in WORDS[language]:
        assert word in text, word
    # The agents read English: the statement is on every card, whole.
    assert "I do not consent to a search" in text
    assert "warrant signed by a judge" in text
    assert "I want to speak with a lawyer" in text
    assert CARD_TEXTS[language].heading in text
    assert len(response.content) < 40_000


def test_the_card_has_a_qr_code_to_the_public_rights_page(settings) -> None:
    settings.AMPARO_PUBLIC_URL = "https://rights.example.org"

    response = Client().get("/rights/card/es.pdf")

    text = _text(response.content)
    assert "https://rights.example.org/rights/" in text  # printed under the code
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    drawn = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
    # The QR code is drawn as many small filled squares, a few hundred of them.
    assert drawn.count(" re") > 200


def test_a_card_in_another_qr_url_differs_only_by_its_code() -> None:
    one = render_card(language="en", url="https://a.example.org/rights/")
    other = render_card(language="en", url="https://b.example.org/rights/")

    assert one != other
    assert _squeeze(" ".join(CARD_STATEMENT_EN[:1])) in _text(one)


def test_an_unknown_language_has_no_card() -> None:
    assert Client().get("/rights/card/fr.pdf").status_code == 404
