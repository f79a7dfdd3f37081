from __future__ import annotations

import pytest

from amparo.intake.language import guess_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hay agentes de ICE en la calle Park", "es"),
        ("Se llevaron a mi esposo, tengo miedo", "es"),
        ("Tem agentes da imigração na minha rua", "pt"),
        ("Levaram meu marido, preciso de ajuda", "pt"),
        ("Gen ajan imigrasyon devan lakay mwen", "ht"),
        ("Yo pran mari mwen, tanpri ede m", "ht"),
        ("There are agents outside my house", "en"),
        ("They took my husband, please help", "en"),
    ],
)
def test_it_recognises_reports_in_each_language(text: str, language: str) -> None:
    assert guess_language(text) == language


@pytest.mark.parametrize("text", ["ICE 06106", "Park St", "", "ok", "?!"])
def test_it_does_not_guess_from_too_little(text: str) -> None:
    assert guess_language(text) is None
