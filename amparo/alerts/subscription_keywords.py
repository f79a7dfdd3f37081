"""Joining, changing and stopping alerts by text; and passing an invitation on.

Registered from :meth:`amparo.alerts.apps.AlertsConfig.ready`:

=============  ==========================================  ==================================
keyword        words                                        what it does
=============  ==========================================  ==================================
alerts         en ALERTS ALERT; es pt ALERTAS ALERTA;       + towns or ZIP codes: join
               ht ALÈT ALET                                 (pending) or add towns; alone: say
                                                            which towns and how to change;
                                                            + OFF/STOP/NO/NAO/PARAR/PARE/KANPE
                                                            (+ towns): stop alerts (for those
                                                            towns only); + EN/ES/PT/HT:
                                                            choose the language
alerts_join    en JOIN; es ACEPTO; pt ACEITO; ht DAKO       confirm a pending subscription
alerts_invite  en INVITE; es INVITAR; pt CONVIDAR;          an active subscriber gets an
               ht ENVITE                                    invitation to forward (+ EN/ES/PT/HT
                                                            for another language)
=============  ==========================================  ==================================

Double opt-in: the keyword with a town only makes a pending subscription and
asks for the confirmation word; nothing is sent to the subscriber until they
answer it. The confirmation and invitation words are ordinary words too
("Join us at the church"), so they are taken only from a contact with a
pending (confirmation) or active (invitation) subscription; anyone else's text
goes on as if no keyword had matched (:class:`NotForThisKeyword`): to the
operators.

Stopping alerts stops alerts only; STOP as the first word stops everything
and is the router's.

The invitation is a text for the subscriber to forward themselves. The system
never texts a number a person typed or sent: that person asked for nothing.

Replies are in the contact's language. A contact whose language is still
unknown who texts a word shared by two languages (ALERTAS: Spanish and
Portuguese) gets the reply in both, one after the other, until their answer
(ACEPTO or ACEITO) tells which.
"""

from __future__ import annotations

import contextlib

from amparo.alerts import subscription_texts as texts
from amparo.alerts.actions.subscriptions import (
    MAX_TOWNS,
    add_towns,
    confirm_subscription,
    remove_towns,
    stop_subscription,
    subscribe,
)
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import Subscription, SubscriptionSource, SubscriptionStatus
from amparo.alerts.town_words import TownsRead, read_towns
from amparo.contacts.actions import set_language
from amparo.contacts.models import ConsentMethod, Contact, Language
from amparo.intake.keywords import (
    KeywordContext,
    NotForThisKeyword,
    normalize_word,
    split_first_word,
)
from amparo.places.models import Town

ALERTS = "alerts"
JOIN = "alerts_join"
INVITE = "alerts_invite"

ALERTS_WORDS = {
    "en": ["ALERTS", "ALERT"],
    "es": ["ALERTAS", "ALERTA"],
    "pt": ["ALERTAS", "ALERTA"],
    "ht": ["ALÈT", "ALET"],
}
JOIN_WORDS = {"en": ["JOIN"], "es": ["ACEPTO"], "pt": ["ACEITO"], "ht": ["DAKO", "DAKÒ"]}
INVITE_WORDS = {"en": ["INVITE"], "es": ["INVITAR"], "pt": ["CONVIDAR"], "ht": ["ENVITE"]}
# The second word that stops alerts ("ALERTAS NO", "ALET KANPE"), normalised.
_OFF = "OFF STOP NO NAO NÃO NON PARAR PARE BAJA SAIR KANPE SISPANN END CANCEL CANCELAR"
OFF_WORDS = frozenset(normalize_word(word) for word in _OFF.split(" "))
# "INVITE ES": the invitation in another language.
LANGUAGE_WORDS = {
    "EN": "en",
    "ENGLISH": "en",
    "INGLES": "en",
    "ANGLE": "en",
    "ES": "es",
    "SPANISH": "es",
    "ESPANOL": "es",
    "PANYOL": "es",
    "ESPANHOL": "es",
    "PT": "pt",
    "PORTUGUESE": "pt",
    "PORTUGUES": "pt",
    "POTIGE": "pt",
    "HT": "ht",
    "KREYOL": "ht",
    "CREOLE": "ht",
    "CRIOLLO": "ht",
    "CRIOULO": "ht",
}


def _subscription(contact: Contact) -> Subscription | None:
    return Subscription.objects.filter(contact=contact).first()


def _towns(subscription: Subscription) -> list[Town]:
    return list(subscription.towns.order_by("name"))


def _reply_languages(context: KeywordContext) -> list[str]:
    """The contact's language; both languages of a shared word while theirs is unknown."""
    contact = context.contact
    unknown = not contact.language_chosen and contact.language == Language.ENGLISH
    if unknown and Language.ENGLISH not in context.languages:
        return sorted(context.languages)
    return [contact.language]


def _reply(context: KeywordContext, render: texts.Renderer, *, automatic: bool = False) -> None:
    context.reply(texts.in_languages(_reply_languages(context), render), automatic=automatic)


# --- ALERTS ----------------------------------------------------------------------


def alerts_keyword(context: KeywordContext) -> None:
    """ALERTS [towns] | ALERTS OFF [towns]: join, add towns, say which, or stop."""
    subscription = _subscription(context.contact)
    first, rest = split_first_word(context.argument)
    if not context.argument:
        _tell_status(context, subscription)
    elif first in LANGUAGE_WORDS and not rest:
        # "ALERTAS PT": the person chooses the language of everything we send them.
        set_language(contact=context.contact, language=LANGUAGE_WORDS[first])
        _tell_status(context, subscription, chosen=True)
    elif first in OFF_WORDS:
        _stop(context, subscription, rest)
    else:
        _join_or_add(context, subscription, read_towns(context.argument))


def _tell_status(
    context: KeywordContext, subscription: Subscription | None, *, chosen: bool = False
) -> None:
    status = subscription.status if subscription is not None else None
    towns = _towns(subscription) if subscription is not None else []
    # After a language change, the answer is only in the language chosen.
    languages = [context.contact.language] if chosen else _reply_languages(context)
    if status == SubscriptionStatus.ACTIVE:
        body = texts.in_languages(languages, lambda: texts.active(towns))
    elif status == SubscriptionStatus.PENDING and towns:
        body = texts.in_languages(languages, lambda: texts.waiting(towns))
    else:
        body = texts.in_languages(languages, texts.how_to_join)
    # A change is confirmed like any change; a question repeats what they know (loop guard).
    context.reply(body, automatic=not chosen)


def _stop(context: KeywordContext, subscription: Subscription | None, rest: str) -> None:
    if subscription is None or subscription.status == SubscriptionStatus.STOPPED:
        _reply(context, texts.stopped, automatic=True)
        return
    method = ConsentMethod.SMS_KEYWORD
    if rest:
        read = read_towns(rest)
        remove_towns(subscription=subscription, towns=read.towns, method=method)
        if subscription.status != SubscriptionStatus.STOPPED:
            towns = _towns(subscription)
            if subscription.status == SubscriptionStatus.ACTIVE:
                _reply(context, lambda: texts.active(towns, not_understood=read.not_understood))
            else:
                _reply(context, lambda: texts.waiting(towns) if towns else texts.how_to_join())
            return
    else:
        stop_subscription(subscription=subscription, method=method)
    _reply(context, texts.stopped)


def _join_or_add(
    context: KeywordContext, subscription: Subscription | None, read: TownsRead
) -> None:
    towns = read.towns[:MAX_TOWNS]
    if subscription is not None and subscription.status == SubscriptionStatus.ACTIVE:
        with contextlib.suppress(AlertsError):  # too many towns: the answer lists those it has
            add_towns(subscription=subscription, towns=towns)
        now = _towns(subscription)
        _reply(context, lambda: texts.active(now, not_understood=read.not_understood))
        return
    if not towns and subscription is None:
        # Nothing to keep: no place we know, and no request to add to.
        _reply(context, texts.ask_for_a_town)
        return
    try:
        subscription = subscribe(
            contact=context.contact, towns=towns, source=SubscriptionSource.SMS
        )
    except AlertsError:
        # Confirmed or filled up by a text that crossed this one: answer with what is there.
        subscription = _subscription(context.contact)
        if subscription is None:
            raise
        if subscription.status == SubscriptionStatus.ACTIVE:
            now = _towns(subscription)
            _reply(context, lambda: texts.active(now, not_understood=read.not_understood))
            return
    pending = _towns(subscription)
    if not pending:
        _reply(context, texts.ask_for_a_town)
        return
    _reply(context, lambda: texts.ask_to_confirm(pending, not_understood=read.not_understood))


# --- JOIN / ACEPTO / ACEITO / DAKO ---------------------------------------------------


def join_keyword(context: KeywordContext) -> None:
    """The confirmation word: a pending subscription with towns becomes active."""
    subscription = _subscription(context.contact)
    if subscription is None or subscription.status == SubscriptionStatus.STOPPED:
        raise NotForThisKeyword
    if subscription.status == SubscriptionStatus.ACTIVE:
        if context.argument:
            raise NotForThisKeyword  # "Join us at...": words for the operators
        towns = _towns(subscription)
        _reply(context, lambda: texts.active(towns), automatic=True)
        return
    read = read_towns(context.argument) if context.argument else TownsRead()
    if read.towns:
        with contextlib.suppress(AlertsError):  # too many towns: confirmed with those it has
            add_towns(subscription=subscription, towns=read.towns[:MAX_TOWNS])
    elif context.argument:
        # Words that name no town ("Acepto, y hay ICE en la escuela"): the operators read them.
        context.message.needs_operator = True
    towns = _towns(subscription)
    if not towns:
        _reply(context, texts.ask_for_a_town)
        return
    confirm_subscription(subscription=subscription, method=ConsentMethod.SMS_KEYWORD)
    _reply(context, lambda: texts.confirmed(towns))


# --- INVITE ------------------------------------------------------------------------


def invite_keyword(context: KeywordContext) -> None:
    """An active subscriber gets a ready-to-forward invitation ("INVITE ES": in Spanish).

    The invitation goes only to the subscriber who asked, who forwards it
    themselves. A number (or anything else) written after the word is ignored,
    never texted: its owner asked for nothing.
    """
    subscription = _subscription(context.contact)
    if subscription is None or subscription.status != SubscriptionStatus.ACTIVE:
        raise NotForThisKeyword
    # Anything after the word but a language (a number, a name) is ignored: never texted.
    language = LANGUAGE_WORDS.get(split_first_word(context.argument)[0])
    towns = _towns(subscription)
    town = towns[0] if towns else None
    languages = [language or context.contact.language]
    context.reply(texts.in_languages(languages, lambda: texts.invitation(town)), automatic=True)
