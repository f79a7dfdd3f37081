"""Responders' text answers to offers: "1 4821" to go, "2 4821" if they can't.

Registered as two keywords (``dispatch_yes``, ``dispatch_no``) from
:meth:`amparo.dispatch.apps.DispatchConfig.ready`:

==========  =====================================================
keyword     words
==========  =====================================================
yes         1; en YES; es SI (SÍ); pt SIM; ht WI
no          2; en NO; es NO; pt NÃO (NAO); ht NON
==========  =====================================================

The word is followed by the offer's code; the code may be left out when the
responder has exactly one open offer (with several, a bare answer is asked
for the code). Words after the code also go to the
operators (the responder may be telling something), and so does a "no"
from a responder who had accepted (they are no longer going: the
coordinator must know).

An answer to a drill's offer (:mod:`amparo.dispatch.actions.drills`) is
recorded by :func:`~amparo.dispatch.actions.drills.answer_drill_offer` and
acknowledged with a drill text, which starts with the drill marker and says
nobody goes (:mod:`amparo.dispatch.drills`); an answer after the drill ended
is told so. A bare answer with no offer open, from a responder whose latest
offer is a drill's still running or ended in the last
:data:`LATE_DRILL_ANSWER`, is taken as an answer to that drill.

These are ordinary words ("No, they left already"), so a text is a dispatch
answer only from a contact who is an active responder (with a staff account:
an open one) with an offer it can name. Any other text raises
:class:`~amparo.intake.keywords.NotForThisKeyword`: the router then treats it
as if no keyword matched, so it reaches the operators and the board exactly
as it did before these keywords existed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from amparo.dispatch import drills as drill_texts
from amparo.dispatch import offers as texts
from amparo.dispatch.actions import answer_drill_offer, answer_offer
from amparo.dispatch.models import Offer, OfferStatus
from amparo.intake.keywords import KeywordContext, NotForThisKeyword, split_first_word

YES = "dispatch_yes"
NO = "dispatch_no"
YES_WORDS = {"en": ["1", "YES"], "es": ["SI", "SÍ"], "pt": ["SIM"], "ht": ["WI"]}
NO_WORDS = {"en": ["2", "NO"], "es": ["NO"], "pt": ["NÃO", "NAO"], "ht": ["NON"]}
# How long after a drill ended a bare "1" or "2" is still taken as a late answer to it.
LATE_DRILL_ANSWER = dt.timedelta(hours=12)


def _find_offer(context: KeywordContext) -> tuple[Offer, str]:
    """The offer the text answers and the words after its code; else NotForThisKeyword."""
    mine = Offer.objects.filter(
        # A closed staff account answers nothing, whatever its roster entry says.
        Q(responder__user__isnull=True) | Q(responder__user__is_active=True),
        responder__contact=context.contact,
        responder__active=True,
    ).select_related("incident", "drill")
    code, rest = split_first_word(context.argument)
    if code:
        # A code names one open offer; a closed one is matched too, so a late
        # answer is told it is covered or closed rather than sent to the board.
        found = (
            mine.filter(code=code, status=OfferStatus.OFFERED).first()
            or mine.filter(code=code).order_by("-sent_at").first()
        )
        if found is not None:
            return found, rest
    open_offers = list(mine.filter(status=OfferStatus.OFFERED).order_by("sent_at"))
    if not context.argument and len(open_offers) == 1:
        return open_offers[0], ""
    if not context.argument and open_offers:
        raise _WhichOffer([offer.code for offer in open_offers])
    latest = mine.order_by("-sent_at").first()
    if not context.argument and latest is not None and _recent_drill(latest):
        # A bare answer to a drill already answered or just ended: told so, not a report.
        return latest, ""
    raise NotForThisKeyword


def _recent_drill(offer: Offer) -> bool:
    drill = offer.drill
    if drill is None:
        return False
    return drill.ended_at is None or drill.ended_at >= timezone.now() - LATE_DRILL_ANSWER


class _WhichOffer(Exception):
    """A bare "1" or "2" from a responder with several open offers: ask for the code."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = codes


def _answer(context: KeywordContext, *, accept: bool) -> None:
    try:
        offer, rest = _find_offer(context)
    except _WhichOffer as which:
        context.reply(texts.which_offer_text(context.contact, codes=which.codes))
        return
    if offer.drill_id is not None:
        _answer_drill(context, offer, accept=accept, rest=rest)
        return
    was_going = offer.status == OfferStatus.ACCEPTED
    offer = answer_offer(offer=offer, accept=accept)
    contact = context.contact
    if offer.status == OfferStatus.ACCEPTED:
        body = texts.going_text(contact, code=offer.code)
    elif offer.status == OfferStatus.COVERED:
        body = texts.covered_text(contact)
    elif offer.status == OfferStatus.DECLINED:
        body = texts.declined_text(contact)
    else:
        body = texts.closed_text(contact)
    context.reply(body)
    if rest or (was_going and offer.status == OfferStatus.DECLINED):
        # Their words, or a responder who was going and now cannot: people must know.
        context.message.needs_operator = True


def answer_yes(context: KeywordContext) -> None:
    _answer(context, accept=True)


def answer_no(context: KeywordContext) -> None:
    _answer(context, accept=False)


def _answer_drill(context: KeywordContext, offer: Offer, *, accept: bool, rest: str) -> None:
    """Practice: record the answer and say so; nobody goes, whatever they said."""
    offer = answer_drill_offer(offer=offer, accept=accept)
    recorded = offer.status in {OfferStatus.ACCEPTED, OfferStatus.DECLINED}
    if offer.drill is not None and offer.drill.ended_at is None and recorded:
        body = drill_texts.recorded_text(context.contact)
    else:
        body = drill_texts.ended_text(context.contact)
    context.reply(body)
    if rest:
        # Their words may tell something real: people must read them.
        context.message.needs_operator = True
