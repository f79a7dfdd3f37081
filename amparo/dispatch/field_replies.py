"""Responders' texts from the scene: "HERE", "OK", "CONFIRM ...", "FALSE ...", "LEAVING".

Registered as five keywords from :meth:`amparo.dispatch.apps.DispatchConfig.ready`
(priority 50, like the answers to offers):

=================  ==============  ===================  ==================  ===========
keyword            en              es                   pt                  ht
=================  ==============  ===================  ==================  ===========
scene_arrived      HERE ARRIVED    LLEGUE (LLEGUÉ)      CHEGUEI             RIVE
scene_check_in     OK SAFE         BIEN SEGURO SEGURA   BEM SEGURO SEGURA   BYEN OKE
scene_confirm      CONFIRM         CONFIRMO CONFIRMADO  CONFIRMO CONFIRMADO KONFIME
scene_false_alarm  FALSE           FALSO FALSA          FALSO FALSA         (FALSE, FALSO)
scene_leaving      LEAVING         SALGO SALI (SALÍ)    SAINDO SAI (SAÍ)    PATI
=================  ==============  ===================  ==================  ===========

The word may be followed by the offer's code ("OK 4821"), needed only by a
responder on two scenes at once (they are asked for it); the words after
the code (or after the word) are the report's note ("CONFIRMO 3 camionetas
en la escuela"): sealed in the report for the coordinators, and the text
also goes to the operators, who read what responders say.

Left out on purpose: SAIR (Portuguese for "leave") is a STOP word; ALE
(Haitian Creole "go") answers nothing here. Words that open ordinary
sentences are not keywords here: LEFT ("Left side of the building"), KITE
(Haitian "leave", also "let"), and FO (Haitian "must": "Fò nou rele avoka"
is no false alarm). A Haitian responder texts FALSE or FALSO.

What a word decides is limited to what one text can safely decide:

- **Leaving ends the safety watch only when the text is the word alone**
  (optionally with the offer's code): "LEAVING" or "SALGO 4821". With other
  words after it ("Leaving soon, agents still here") it is not a leaving
  report: it is recorded as a sign of life with the words as note, and the
  responder is told to text the word alone to end the watch.
- **A check-in with other words** ("Ok they grabbed me") is a sign of life
  but does not clear a missed check-in alert: only a bare check-in, a
  leaving or a coordinator's :func:`~amparo.dispatch.actions.close_deployment`
  does. Its words go to the operators.
- **A confirmation or a false alarm decides nothing**: it is recorded and put
  before the coordinators (see :mod:`amparo.dispatch.actions.scene`).

These are ordinary words ("Ok, they are gone", "Here they come"), so a text
is a report from the scene only from a contact who is an active responder
(with a staff account: an open one) with an accepted offer of an incident
they have not left. Any other text raises
:class:`~amparo.intake.keywords.NotForThisKeyword`: it reaches the operators
and the board as it would have before these keywords existed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from amparo.dispatch import scene as texts
from amparo.dispatch.actions import report_from_scene
from amparo.dispatch.models import FieldReportKind, Offer, OfferStatus
from amparo.intake.keywords import KeywordContext, NotForThisKeyword, split_first_word

WORDS: dict[str, dict[str, list[str]]] = {
    FieldReportKind.ARRIVED: {
        "en": ["HERE", "ARRIVED"],
        "es": ["LLEGUE", "LLEGUÉ"],
        "pt": ["CHEGUEI"],
        "ht": ["RIVE"],
    },
    FieldReportKind.CHECK_IN: {
        "en": ["OK", "SAFE"],
        "es": ["BIEN", "SEGURO", "SEGURA"],
        "pt": ["BEM", "SEGURO", "SEGURA"],
        "ht": ["BYEN", "OKE"],
    },
    FieldReportKind.CONFIRM: {
        "en": ["CONFIRM"],
        "es": ["CONFIRMO", "CONFIRMADO"],
        "pt": ["CONFIRMO", "CONFIRMADO"],
        "ht": ["KONFIME"],
    },
    FieldReportKind.FALSE_ALARM: {
        "en": ["FALSE"],
        "es": ["FALSO", "FALSA"],
        "pt": ["FALSO", "FALSA"],
        # No Haitian word: FO is "must" in Haitian, the start of ordinary sentences.
        "ht": [],
    },
    FieldReportKind.LEAVING: {
        "en": ["LEAVING"],
        "es": ["SALGO", "SALÍ"],
        "pt": ["SAINDO", "SAÍ"],
        "ht": ["PATI"],
    },
}
# The keyword's registered name for each kind of report.
NAMES: dict[str, str] = {kind: f"scene_{kind.replace('-', '_')}" for kind in WORDS}


def _deployment(context: KeywordContext) -> tuple[Offer, str]:
    """The offer the text reports on and its note; else NotForThisKeyword."""
    mine = list(
        Offer.objects.filter(
            Q(responder__user__isnull=True) | Q(responder__user__is_active=True),
            responder__contact=context.contact,
            responder__active=True,
            status=OfferStatus.ACCEPTED,
            incident__isnull=False,
            left_at__isnull=True,
        ).order_by("sent_at")
    )
    if not mine:
        raise NotForThisKeyword
    code, rest = split_first_word(context.argument)
    named = next((offer for offer in mine if code and offer.code == code), None)
    if named is not None:
        return named, rest
    if len(mine) > 1:
        raise _WhichOne([offer.code for offer in mine])
    return mine[0], context.argument


class _WhichOne(Exception):
    """A report without a code from a responder on two scenes: ask for the code."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = codes


def _report(context: KeywordContext, kind: str) -> None:
    try:
        offer, note = _deployment(context)
    except _WhichOne as which:
        context.reply(texts.which_deployment_text(context.contact, codes=which.codes))
        if context.argument:
            context.message.needs_operator = True
        return
    if kind == FieldReportKind.LEAVING and note:
        # "Leaving soon, agents still here": alive, but not gone. The watch goes on.
        report_from_scene(
            offer=offer, kind=FieldReportKind.CHECK_IN, note=f"{context.word} {note}", via="sms"
        )
        context.reply(texts.leaving_alone_text(context.contact, code=offer.code))
        context.message.needs_operator = True
        return
    report_from_scene(offer=offer, kind=kind, note=note, via="sms")
    if kind == FieldReportKind.CHECK_IN and note:
        # "Ok they grabbed me" is no "safe": people read it, nobody is told all is well.
        context.reply(texts.words_noted_text(context.contact, code=offer.code))
    else:
        context.reply(texts.ack_text(context.contact, kind=kind, code=offer.code))
    if note:
        # Their words may be urgent ("they took two people"): people read them now.
        context.message.needs_operator = True


def handler(kind: str) -> Callable[[KeywordContext], None]:
    """The keyword handler that records a report of ``kind``."""

    def handle(context: KeywordContext) -> None:
        _report(context, kind)

    handle.__name__ = f"report_{NAMES[kind]}"
    return handle


HANDLERS: dict[str, Callable[[KeywordContext], None]] = {kind: handler(kind) for kind in WORDS}
