"""The router's replies: in each language, short, naming nobody."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from amparo.channels.models import Encoding
from amparo.channels.segments import count_segments
from amparo.contacts.models import Contact, Language
from amparo.intake import messages

REPLIES = [
    messages.stop_confirmation,
    messages.start_confirmation,
    messages.help_text,
    messages.menu,
]


def contact_speaking(language: str) -> Contact:
    return Contact(phone="+18605550142", name="Invented Person", language=language)


@pytest.mark.parametrize("reply", REPLIES)
def test_each_reply_exists_in_every_language(reply: object) -> None:
    texts = {language: reply(contact_speaking(language)) for language in Language.values}  # type: ignore[operator]

    assert len(set(texts.values())) == 4
    for text in texts.values():
        assert text.startswith("Amparo")


@pytest.mark.parametrize("language", Language.values)
@pytest.mark.parametrize("reply", REPLIES)
def test_each_reply_is_one_gsm7_text_and_names_nobody(reply: object, language: str) -> None:
    contact = contact_speaking(language)

    text = reply(contact)  # type: ignore[operator]

    assert count_segments(text) == (Encoding.GSM7, 1)
    assert "Invented" not in text and "0142" not in text


@override_settings(AMPARO_NETWORK_NAME="Hartford Rapid Response")
def test_replies_name_the_network() -> None:
    assert messages.help_text(contact_speaking("es")).startswith("Hartford Rapid Response")


def test_rendering_a_reply_leaves_the_active_language_alone() -> None:
    with translation.override("pt"):
        messages.stop_confirmation(contact_speaking("ht"))
        assert translation.get_language() == "pt"
