"""Know your rights by text message.

Registered from :meth:`amparo.rights.apps.RightsConfig.ready`:

=============  ==========================================  ==================================
keyword        words                                        what it does
=============  ==========================================  ==================================
rights         en RIGHTS; es DERECHOS; pt DIREITOS; ht DWA  alone: a numbered menu of topics;
                                                            + a number ("DERECHOS 3"): that
                                                            topic's text
rights_choice  a bare number, 1 to 20                       the topic of that number, but only
                                                            from a contact sent the menu in the
                                                            last :data:`MENU_ANSWER_WINDOW`
=============  ==========================================  ==================================

A bare "1" or "2" is first a responder's answer to a dispatch offer (dispatch,
priority 50); dispatch passes it on when the contact has no offer it can name,
and the router then tries this keyword. A bare number is never a topic from a
responder with an offer open or accepted (not left): it reaches the operators
instead, and the menu such a responder gets tells them to write "RIGHTS 3".
A number followed by words ("3 agents on Main St") is never a choice: it goes to
the operators as a report.

Every reply is at most :data:`BUDGET_SEGMENTS` segments; a longer text is
split at sentence ends into numbered messages, "(1/2) ...". The texts are the
topics' current versions in the contact's language (English where a topic has
none yet); the words around them are gettext. No SMS names anyone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from amparo.channels.segments import count_segments
from amparo.contacts.models import Contact
from amparo.intake.keywords import KeywordContext, NotForThisKeyword, split_first_word
from amparo.rights.actions import note_rights_menu_sent
from amparo.rights.models import RightsMenuSent, TopicVersion
from amparo.rights.queries import current_by_number, current_versions

RIGHTS = "rights"
CHOICE = "rights_choice"
WORD_BY_LANGUAGE = {"en": "RIGHTS", "es": "DERECHOS", "pt": "DIREITOS", "ht": "DWA"}
RIGHTS_WORDS = {language: [word] for language, word in WORD_BY_LANGUAGE.items()}
MAX_CHOICE = 20
CHOICE_WORDS = {
    language: [str(n) for n in range(1, MAX_CHOICE + 1)] for language in WORD_BY_LANGUAGE
}
# A bare number picks a topic this long after the menu was sent.
MENU_ANSWER_WINDOW = dt.timedelta(minutes=30)
# At most this many segments a message: three GSM-7 segments are 459 characters,
# three UCS-2 ones 201. A longer text goes as several numbered messages.
BUDGET_SEGMENTS = 3

_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def fits(text: str, budget: int = BUDGET_SEGMENTS) -> bool:
    return count_segments(text)[1] <= budget


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator before, sentence): lines are kept as lines, sentences joined by a space."""
    pieces: list[tuple[str, str]] = []
    for line in text.splitlines():
        for index, sentence in enumerate(s for s in _SENTENCE_END.split(line.strip()) if s):
            pieces.append(("\n" if index == 0 else " ", sentence))
    return pieces


def _pack(pieces: list[tuple[str, str]], fit: Callable[[str], bool]) -> list[str]:
    parts: list[str] = []
    current = ""
    for separator, sentence in pieces:
        candidate = current + separator + sentence if current else sentence
        if fit(candidate):
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
        if fit(sentence):
            current = sentence
            continue
        # One sentence longer than a whole message: cut it between words.
        for word in sentence.split():
            candidate = f"{current} {word}" if current else word
            if fit(candidate) or not current:
                current = candidate
            else:
                parts.append(current)
                current = word
    if current:
        parts.append(current)
    return parts


def _fits_with(marker: str, budget: int) -> Callable[[str], bool]:
    return lambda body: fits(marker + body, budget)


def split_for_sms(text: str, budget: int = BUDGET_SEGMENTS) -> list[str]:
    """``text`` as one message, or as numbered messages of at most ``budget`` segments each.

    Cut at line and sentence ends (between words only inside a sentence too
    long for one message); "(1/3) " opens each message of a split text.
    """
    text = text.strip()
    if fits(text, budget):
        return [text]
    pieces = _pieces(text)
    parts: list[str] = []
    for width in (1, 2, 3):
        parts = _pack(pieces, _fits_with(f"({'9' * width}/{'9' * width}) ", budget))
        if len(parts) < 10**width:
            break
    total = len(parts)
    return [f"({index}/{total}) {part}" for index, part in enumerate(parts, start=1)]


def _link(path: str) -> str:
    return str(settings.AMPARO_PUBLIC_URL) + path


def menu_text(language: str, *, in_dispatch: bool = False) -> str:
    """The numbered list of topics, in ``language``.

    ``in_dispatch``: for a responder with an open or accepted offer, whose bare
    numbers go to dispatch (never to this menu): the menu says so.
    """
    with translation.override(language):
        versions = current_versions(language)
        if not versions:
            return gettext("Know your rights: these texts are not ready yet. Call the hotline.")
        word = WORD_BY_LANGUAGE.get(language, WORD_BY_LANGUAGE["en"])
        lines = [gettext("Know your rights. Reply %(word)s and a number:") % {"word": word}]
        if in_dispatch:
            lines.append(
                gettext(
                    "You have a dispatch offer: a number alone goes to dispatch. "
                    "For topic 3, write %(word)s 3."
                )
                % {"word": word}
            )
        lines.extend(f"{version.topic.order} {version.title}" for version in versions)
        lines.append(gettext("General information, not legal advice."))
        lines.append(_link(reverse("public_rights:index")))
        return "\n".join(lines)


def topic_text(version: TopicVersion) -> str:
    """A topic's SMS text with its title and a link, in the version's own language."""
    with translation.override(version.language):
        return "\n".join(
            [
                version.title,
                version.sms_text.strip(),
                gettext("General information, not legal advice. More: %(link)s")
                % {"link": _link(reverse("public_rights:topic", args=[version.topic.slug]))},
            ]
        )


def menu_messages(language: str, *, in_dispatch: bool = False) -> list[str]:
    return split_for_sms(menu_text(language, in_dispatch=in_dispatch))


def topic_messages(version: TopicVersion) -> list[str]:
    return split_for_sms(topic_text(version))


# --- the keywords -------------------------------------------------------------------


def _number(argument: str) -> int | None:
    first, _rest = split_first_word(argument)
    return int(first) if first.isdigit() and len(first) <= 3 else None


def in_dispatch(contact: Contact) -> bool:
    """True for a responder with an offer open or accepted (and not left): their bare
    numbers answer dispatch or reach the operators, never pick a rights topic."""
    from amparo.dispatch.models import Offer, OfferStatus

    return Offer.objects.filter(
        responder__contact=contact,
        status__in=[OfferStatus.OFFERED, OfferStatus.ACCEPTED],
        left_at__isnull=True,
    ).exists()


def _send_menu(context: KeywordContext) -> None:
    messages = menu_messages(context.contact.language, in_dispatch=in_dispatch(context.contact))
    for part in messages:
        # Asking again repeats what they know: the outbox's loop guard may cap it.
        context.reply(part, automatic=True)
    note_rights_menu_sent(contact=context.contact)


def _send_topic(context: KeywordContext, number: int) -> None:
    version = current_by_number(number, context.contact.language)
    if version is None:
        _send_menu(context)
        return
    for part in topic_messages(version):
        context.reply(part)


def rights_keyword(context: KeywordContext) -> None:
    """RIGHTS: the menu; RIGHTS 3: topic 3 (the menu again if there is no topic 3)."""
    number = _number(context.argument)
    if number is None:
        _send_menu(context)
    else:
        _send_topic(context, number)


def menu_recently_sent(contact: Contact) -> bool:
    since = timezone.now() - MENU_ANSWER_WINDOW
    return RightsMenuSent.objects.filter(contact=contact, sent_at__gte=since).exists()


def rights_choice_keyword(context: KeywordContext) -> None:
    """A bare number answers the menu, if the contact was sent one lately and is not busy
    with a dispatch offer (a responder's "2" to the coordinators must not become topic 2);
    else not ours."""
    if context.argument or not menu_recently_sent(context.contact) or in_dispatch(context.contact):
        raise NotForThisKeyword
    _send_topic(context, int(context.word))
