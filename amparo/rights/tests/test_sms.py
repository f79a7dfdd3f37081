"""Rights by text: the menu and the topics in every language, within the segment budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from amparo.channels.models import OutboundMessage
from amparo.channels.segments import count_segments
from amparo.contacts.models import Language
from amparo.incidents.models import Report
from amparo.intake.tests.texts import contact_of, replies_to, text_in
from amparo.rights.models import RightsMenuSent, TopicVersion
from amparo.rights.seed_content import SEED_TOPICS
from amparo.rights.sms import (
    BUDGET_SEGMENTS,
    menu_messages,
    split_for_sms,
    topic_messages,
)
from amparo.rights.tests.factories import publish_seed

pytestmark = pytest.mark.django_db

WORDS = [("en", "RIGHTS"), ("es", "DERECHOS"), ("pt", "DIREITOS"), ("ht", "DWA")]


@pytest.fixture
def library() -> list[TopicVersion]:
    return publish_seed()


def _within_budget(parts: list[str]) -> bool:
    return all(count_segments(part)[1] <= BUDGET_SEGMENTS for part in parts)


# --- splitting ------------------------------------------------------------------------


def test_a_short_text_is_one_message_as_it_is() -> None:
    assert split_for_sms("Do not open the door. Call the hotline.") == [
        "Do not open the door. Call the hotline."
    ]


def test_a_long_text_is_split_at_sentence_ends_into_numbered_messages() -> None:
    sentences = [f"Sentence number {n} says something short and calm." for n in range(1, 21)]
    text = " ".join(sentences)

    parts = split_for_sms(text)

    assert len(parts) > 1
    assert [part.split(" ", 1)[0] for part in parts] == [
        f"({n}/{len(parts)})" for n in range(1, len(parts) + 1)
    ]
    assert _within_budget(parts)
    assert all(part.endswith(".") for part in parts)  # never cut inside a sentence
    assert " ".join(part.split(" ", 1)[1] for part in parts) == text


def test_accents_outside_gsm7_make_the_budget_smaller() -> None:
    text = " ".join(["Não abra a porta, peça o mandado por baixo da porta."] * 6)

    parts = split_for_sms(text)

    assert count_segments(text)[0] == "ucs2"
    assert len(parts) >= 2 and _within_budget(parts)


def test_a_sentence_longer_than_a_message_is_cut_between_words() -> None:
    text = " ".join(["word"] * 200) + "."

    parts = split_for_sms(text)

    assert _within_budget(parts)
    assert all(not part.split(" ", 1)[1].startswith(" ") for part in parts)


# --- the seeded texts -------------------------------------------------------------------


def test_every_seeded_topic_in_every_language_fits_the_budget(
    library: list[TopicVersion],
) -> None:
    assert len(library) == len(SEED_TOPICS) * len(Language.values)
    for version in library:
        parts = topic_messages(version)
        assert _within_budget(parts), version
        assert len(parts) <= 2, version
        assert version.title in parts[0]


@pytest.mark.parametrize("language", Language.values)
def test_the_menu_in_every_language_fits_the_budget_and_numbers_every_topic(
    library: list[TopicVersion], language: str
) -> None:
    parts = menu_messages(language)

    assert len(parts) == 1 and _within_budget(parts)
    for seed in SEED_TOPICS:
        assert f"\n{seed.order} {seed.texts[language].title}\n" in parts[0]


def test_the_seeded_sms_texts_are_gsm7_so_a_segment_holds_160_characters() -> None:
    for seed in SEED_TOPICS:
        for language, text in seed.texts.items():
            assert count_segments(text.sms_text)[0] == "gsm7", (seed.slug, language)
            assert count_segments(text.title)[0] == "gsm7", (seed.slug, language)


# --- the keywords -----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "word"), WORDS)
def test_the_keyword_alone_sends_the_menu_in_its_language(
    library: list[TopicVersion], language: str, word: str
) -> None:
    message = text_in(word.lower())

    assert message is not None and message.routed_to == "rights"
    assert contact_of().language == language
    assert replies_to() == menu_messages(language)
    assert RightsMenuSent.objects.filter(contact=contact_of()).exists()
    assert not Report.objects.exists()


@pytest.mark.parametrize(("language", "word"), WORDS)
def test_the_keyword_and_a_number_sends_that_topic(
    library: list[TopicVersion], language: str, word: str
) -> None:
    text_in(f"{word} 7")

    (warrants,) = [v for v in library if v.topic.order == 7 and v.language == language]
    assert replies_to() == topic_messages(warrants)
    assert warrants.sms_text in "".join(replies_to())


def test_a_bare_number_after_the_menu_picks_a_topic(library: list[TopicVersion]) -> None:
    text_in("DERECHOS")
    message = text_in("3")

    assert message is not None and message.routed_to == "rights_choice"
    assert not message.needs_operator
    (at_work,) = [v for v in library if v.topic.order == 3 and v.language == "es"]
    assert replies_to()[-len(topic_messages(at_work)) :] == topic_messages(at_work)
    assert not Report.objects.exists()


def test_a_bare_1_after_the_menu_is_a_topic_when_dispatch_made_no_offer(
    library: list[TopicVersion],
) -> None:
    text_in("RIGHTS")
    message = text_in("1")

    assert message is not None and message.routed_to == "rights_choice"
    (door,) = [v for v in library if v.topic.order == 1 and v.language == "en"]
    assert replies_to()[-1] == topic_messages(door)[-1]


def test_a_bare_number_without_a_recent_menu_goes_to_the_operators(
    library: list[TopicVersion],
) -> None:
    message = text_in("3")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("default", True)
    assert Report.objects.count() == 1


def test_a_bare_number_long_after_the_menu_goes_to_the_operators(
    library: list[TopicVersion],
) -> None:
    text_in("RIGHTS")
    RightsMenuSent.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=31))

    message = text_in("3")

    assert message is not None and message.routed_to == "default"


def test_a_number_followed_by_words_is_a_report_even_after_the_menu(
    library: list[TopicVersion],
) -> None:
    text_in("RIGHTS")
    message = text_in("3 agents at the corner of Main St")

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("default", True)
    assert Report.objects.count() == 1


def test_a_number_with_no_topic_sends_the_menu_again(library: list[TopicVersion]) -> None:
    text_in("RIGHTS 15")

    assert replies_to() == menu_messages("en")


def test_a_topic_missing_in_the_contacts_language_comes_in_english(
    library: list[TopicVersion],
) -> None:
    TopicVersion.objects.filter(topic__order=2, language="ht").delete()

    text_in("DWA 2")

    (street,) = [v for v in library if v.topic.order == 2 and v.language == "en"]
    assert replies_to() == topic_messages(street)


def test_without_published_texts_the_keyword_says_so_briefly() -> None:
    with translation.override("en"):
        text_in("RIGHTS")

    (reply,) = replies_to()
    assert "not ready" in reply
    assert OutboundMessage.objects.count() == 1


def test_the_default_menu_lists_the_rights_keyword() -> None:
    text_in("Hello, is this the hotline?")

    (menu,) = replies_to()
    assert "\nRIGHTS" in menu
    assert count_segments(menu) == ("gsm7", 1)


# --- responders: a bare number is dispatch's, never a topic ---------------------------


def test_a_responder_with_an_open_offer_is_told_to_write_rights_and_a_number(
    library: list[TopicVersion],
) -> None:
    from amparo.dispatch.models import OfferStatus
    from amparo.dispatch.tests.scene_factories import an_incident, offered, responder

    volunteer = responder()
    offer = offered(volunteer, an_incident())
    phone = volunteer.contact.phone

    text_in("RIGHTS", phone=phone)

    menu = menu_messages("en", in_dispatch=True)
    assert replies_to(phone)[-len(menu) :] == menu
    with translation.override("en"):
        assert "write RIGHTS 3" in "".join(menu)
    assert "write RIGHTS 3" not in "".join(menu_messages("en"))

    message = text_in("1", phone=phone)  # a bare number stays a dispatch answer

    assert message is not None and message.routed_to != "rights_choice"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED

    text_in("RIGHTS 1", phone=phone)  # the way to a topic

    (door,) = [v for v in library if v.topic.order == 1 and v.language == "en"]
    assert replies_to(phone)[-1] == topic_messages(door)[-1]


def test_a_responder_on_the_way_who_texts_a_bare_2_after_the_menu_reaches_the_operators(
    library: list[TopicVersion],
) -> None:
    from amparo.dispatch.models import OfferStatus
    from amparo.dispatch.tests.scene_factories import an_incident, going, responder

    volunteer = responder()
    offer = going(volunteer, an_incident())
    phone = volunteer.contact.phone
    text_in("RIGHTS", phone=phone)
    sent_before = len(replies_to(phone))

    message = text_in("2", phone=phone)

    assert message is not None
    assert (message.routed_to, message.needs_operator) == ("default", True)
    (topic_2,) = [v for v in library if v.topic.order == 2 and v.language == "en"]
    assert topic_messages(topic_2)[-1] not in replies_to(phone)[sent_before:]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_a_responder_who_left_the_scene_picks_topics_by_number_again(
    library: list[TopicVersion],
) -> None:
    from amparo.dispatch.tests.scene_factories import an_incident, going, responder

    volunteer = responder()
    offer = going(volunteer, an_incident())
    type(offer).objects.filter(pk=offer.pk).update(left_at=timezone.now())
    phone = volunteer.contact.phone
    text_in("RIGHTS", phone=phone)

    message = text_in("2", phone=phone)

    assert message is not None and message.routed_to == "rights_choice"
