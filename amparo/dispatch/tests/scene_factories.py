"""Invented responders sent to an invented incident, for the tests of their time on scene.

Phone numbers are +1 475 555 0100-0199 (fictional, apart from the other factories' 860 and
203 numbers, so a responder never shares a reporter's number); names are invented.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.channels.models import OutboundMessage
from amparo.dispatch import actions
from amparo.dispatch.models import Offer, OfferStatus, Responder, Skill
from amparo.dispatch.tests.factories import once
from amparo.incidents.models import Incident
from amparo.incidents.tests.factories import SCHOOL, make_gazetteer, texted

_phones = itertools.count()


def scene_phone() -> str:
    return f"+14755550{100 + next(_phones) % 100:03d}"


def an_incident() -> Incident:
    make_gazetteer()
    incident = texted(SCHOOL).incident
    assert incident is not None
    return incident


def coordinator(*, email: str = "") -> User:
    user = make_staff(Role.COORDINATOR, second_factor=False)
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


def responder(
    name: str = "Invented Volunteer",
    *,
    language: str = "en",
    user: User | None = None,
    phone: str | None = None,
    on_call: bool = True,
) -> Responder:
    """A verifier a kilometre from the school, on a field shift now unless told not."""
    made = actions.add_responder(
        by=None,
        display_name=name,
        user=user,
        phone=scene_phone() if phone is None else phone,
        language=language,
        skills=(Skill.VERIFIER,),
        home_point={"lat": SCHOOL[0] + 1 / 111.2, "lon": SCHOOL[1]},
    )
    if on_call:
        now = timezone.now()
        once(made, now - dt.timedelta(hours=1), now + dt.timedelta(hours=3))
    return made


def offered(who: Responder, incident: Incident, *, by: User | None = None) -> Offer:
    (offer,) = actions.offer_dispatch(
        incident=incident, responders=[who], by=by or coordinator(), wanted=3
    )
    return offer


def going(who: Responder, incident: Incident, *, by: User | None = None) -> Offer:
    """``who`` was offered ``incident`` and accepted: on the way."""
    offer = actions.answer_offer(offer=offered(who, incident, by=by), accept=True)
    assert offer.status == OfferStatus.ACCEPTED
    return offer


def phone_of(who: Responder) -> str:
    assert who.contact is not None
    return who.contact.phone


def texts_to(who: Responder) -> list[str]:
    return [
        m.body for m in OutboundMessage.objects.filter(contact=who.contact).order_by("created_at")
    ]


def fresh(offer: Offer) -> Offer:
    return Offer.objects.get(pk=offer.pk)
