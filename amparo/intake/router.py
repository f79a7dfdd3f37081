"""Where a stored inbound text goes: compliance keywords, registered keywords, the default.

Rules, in order (amparo/intake/keywords.py has the keyword table):

1. A keyword whose word tells a language sets the contact's language, unless
   the contact chose one; the reply is then in that language.
2. STOP opts the contact out and confirms it (the one message sent after an
   opt-out). HELP answers with the help text, also to an opted-out contact
   (carriers expect HELP answered whatever the subscription). START opts back
   in and confirms. Text after STOP or HELP also goes to the operators: the
   person may be reporting something ("ALTO, ICE en la escuela").
3. A registered keyword runs its handler. A handler that raises
   :class:`~amparo.intake.keywords.NotForThisKeyword` (the word was not meant
   for it: "No" from someone dispatch made no offer to) hands the text to the
   next registered keyword with the same word, if any (a bare "3" answering
   the rights menu), and when none takes it to rule 4, as if no keyword had
   matched.
4. Anything else is stored for the operators' inbox, becomes a report
   (amparo/incidents: clustered into an incident, or "needs a place"), and is
   answered with a short menu. A number that texts more than
   ``AMPARO_SMS_REPORT_LIMIT`` reports in ``AMPARO_SMS_REPORT_WINDOW_SECONDS``
   still reaches the operators, but its texts stop becoming reports, so one
   phone cannot flood the board. An opted-out contact gets no answer, and the
   menu is not sent again to a contact who was sent anything in the last
   :data:`MENU_QUIET_PERIOD` (an operator's conversation is not interrupted by
   menus; an auto-responder gets one menu, not a loop). The outbox's own
   loop guard backs this up (the menu is ``automatic``).

A reply that repeats what the contact already got (a second STOP, a HELP) is
``automatic`` too, so the outbox's loop guard caps it; a confirmation that
changed the subscription is not.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from amparo.channels.actions import queue_message
from amparo.channels.models import InboundMessage, OutboundMessage
from amparo.contacts.actions import opt_in, opt_out, set_language
from amparo.contacts.models import ConsentMethod, Contact
from amparo.core.ratelimit import allow
from amparo.incidents.actions import submit_report
from amparo.incidents.models import ReportSource
from amparo.intake import messages
from amparo.intake.keywords import (
    HELP,
    START,
    STOP,
    KeywordContext,
    KeywordMatch,
    NotForThisKeyword,
    next_matches,
)
from amparo.intake.language import guess_language

log = logging.getLogger("amparo.intake")

DEFAULT = "default"
MENU_QUIET_PERIOD = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Route:
    """Where a text goes, known before it is stored."""

    routed_to: str
    needs_operator: bool
    match: KeywordMatch | None


def plan_route(match: KeywordMatch | None) -> Route:
    if match is None:
        return Route(routed_to=DEFAULT, needs_operator=True, match=None)
    extra_text = bool(match.argument) and match.name in {STOP, HELP}
    return Route(routed_to=match.name, needs_operator=extra_text, match=match)


def follow_route(*, route: Route, message: InboundMessage, contact: Contact) -> None:
    """Do what ``route`` says with the stored ``message``, inside the caller's transaction."""
    match = route.match
    if match is not None and match.language is not None:
        set_language(contact=contact, language=match.language, inferred=True)
    if match is None:
        _default_route(message=message, contact=contact)
    elif match.name == STOP:
        changed = opt_out(contact=contact, method=ConsentMethod.SMS_KEYWORD)
        _reply(
            message,
            contact,
            messages.stop_confirmation(contact),
            automatic=not changed,
            even_if_opted_out=True,
        )
    elif match.name == START:
        changed = opt_in(contact=contact, method=ConsentMethod.SMS_KEYWORD)
        _reply(message, contact, messages.start_confirmation(contact), automatic=not changed)
    elif match.name == HELP:
        _reply(
            message, contact, messages.help_text(contact), automatic=True, even_if_opted_out=True
        )
    else:
        taken: KeywordMatch | None = None
        stored_body = message.body
        for candidate in (match, *next_matches(match)):
            if _run_handler(match=candidate, message=message, contact=contact):
                taken = candidate
                break
            stored_body = _redact_refused(message=message, body=stored_body, refused=candidate)
        if taken is None:
            message.routed_to, message.needs_operator = DEFAULT, True
            message.save(update_fields=["routed_to", "needs_operator"])
            _default_route(message=message, contact=contact)
        elif taken is not match:
            message.routed_to = taken.name
            message.save(update_fields=["routed_to"])
    log.info("intake: message %s routed to %s", message.pk, message.routed_to or route.routed_to)


def _redact_refused(*, message: InboundMessage, body: str, refused: KeywordMatch) -> str:
    """Store ``body`` (the text as it stood before ``refused``'s handler ran) less what
    that keyword keeps secret; return it.

    A plan keyword refuses "DETAINED 4821 9307 PIN 2580 please" if it cannot
    read it; the code and PIN must not then reach the next keyword's handler,
    the operators' inbox or a report. The refusing handler's own writes were
    rolled back (not what it changed on the object in memory), so it is done
    here, before the text goes anywhere else.
    """
    redact = refused.keyword.redact
    kept = body if redact is None else redact(body)
    message.body = kept
    if redact is not None and kept != body:
        message.save(update_fields=["body"])
    return kept


def _default_route(*, message: InboundMessage, contact: Contact) -> None:
    guess = None if contact.language_chosen else guess_language(message.body)
    if guess is not None:
        set_language(contact=contact, language=guess, inferred=True)
    _report(message=message, contact=contact)
    _answer_with_menu(message=message, contact=contact)


def _report(*, message: InboundMessage, contact: Contact) -> None:
    """The text becomes a report for the board, unless its number is flooding us."""
    if not allow(
        scope="report-sms",
        key=str(contact.pk),
        limit=settings.AMPARO_SMS_REPORT_LIMIT,
        window_seconds=settings.AMPARO_SMS_REPORT_WINDOW_SECONDS,
    ):
        log.warning(
            "intake: message %s not made a report (its number is over the limit)", message.pk
        )
        return
    submit_report(
        source=ReportSource.SMS,
        text=message.body,
        reporter=contact,
        inbound=message,
        language=contact.language,
        received_at=message.received_at,
    )


def _answer_with_menu(*, message: InboundMessage, contact: Contact) -> None:
    if contact.is_opted_out:
        return
    recently = timezone.now() - MENU_QUIET_PERIOD
    if OutboundMessage.objects.filter(contact=contact, created_at__gte=recently).exists():
        return
    _reply(message, contact, messages.menu(contact), automatic=True)


def _run_handler(*, match: KeywordMatch, message: InboundMessage, contact: Contact) -> bool:
    """Run the keyword's handler; False if it said the text was not for it."""
    handler = match.keyword.handler
    assert handler is not None  # only the compliance keywords have none
    context = KeywordContext(
        keyword=match.name,
        word=match.word,
        argument=match.argument,
        languages=match.languages,
        contact=contact,
        message=message,
    )
    body = message.body
    try:
        with transaction.atomic():
            handler(context)
    except NotForThisKeyword:
        return False
    except Exception as exc:
        # The person's text must not be lost to another app's bug: the operators get it,
        # less what the keyword keeps secret. Only the error's type is logged; its
        # message might quote the text.
        log.error("intake: keyword handler %s failed (%s)", match.name, type(exc).__name__)
        message.needs_operator = True
        if match.keyword.redact is not None:
            message.body = match.keyword.redact(body)
            message.save(update_fields=["body"])
    if message.needs_operator:
        message.save(update_fields=["needs_operator"])
    return True


def _answers_automatically(contact: Contact) -> bool:
    return any(
        contact.phone.startswith(f"+{code}") for code in settings.AMPARO_AUTO_REPLY_COUNTRY_CODES
    )


def _reply(
    message: InboundMessage,
    contact: Contact,
    body: str,
    *,
    automatic: bool,
    even_if_opted_out: bool = False,
) -> OutboundMessage | None:
    if automatic and not _answers_automatically(contact):
        # SMS pumping: texts from abroad reach the operators but get no
        # automatic reply that someone else's premium number would be paid for.
        return None
    return queue_message(
        contact=contact,
        body=body,
        channel=message.channel,
        in_reply_to=message,
        automatic=automatic,
        even_if_opted_out=even_if_opted_out,
    )
