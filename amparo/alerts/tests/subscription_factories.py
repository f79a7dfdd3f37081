"""Invented subscribers for the subscription tests: real Connecticut town names
(public facts) and 555-01xx numbers only."""

from __future__ import annotations

import itertools
from decimal import Decimal

from amparo.alerts.actions.subscriptions import confirm_subscription, subscribe
from amparo.alerts.models import Subscription, SubscriptionSource
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import ConsentMethod, Contact
from amparo.places.actions import add_town
from amparo.places.models import Town, ZipCode

_TOWNS = {
    "Hartford": ("41.76370", "-72.68510"),
    "New Haven": ("41.30820", "-72.92820"),
    "Hamden": ("41.39600", "-72.89680"),
    "Stamford": ("41.05340", "-73.53870"),
    "East Hartford": ("41.76200", "-72.61220"),
}
_phones = itertools.count(10)


def make_towns() -> dict[str, Town]:
    """Five towns, with ZIP 06106 in Hartford and 06511 in New Haven."""
    towns = {
        name: add_town(name=name, state="CT", latitude=Decimal(lat), longitude=Decimal(lon))
        for name, (lat, lon) in _TOWNS.items()
    }
    ZipCode.objects.create(
        code="06106",
        town=towns["Hartford"],
        latitude=Decimal("41.74900"),
        longitude=Decimal("-72.69500"),
    )
    ZipCode.objects.create(
        code="06511",
        town=towns["New Haven"],
        latitude=Decimal("41.31600"),
        longitude=Decimal("-72.93100"),
    )
    return towns


def new_phone() -> str:
    return f"+1860555{next(_phones) % 30 + 110:04d}"


def a_contact(language: str | None = None) -> Contact:
    return find_or_create_contact(phone=new_phone(), language=language)


def subscriber(*towns: Town, language: str = "en", contact: Contact | None = None) -> Subscription:
    """An active subscriber of ``towns``, confirmed by text."""
    contact = contact or a_contact(language)
    subscription = subscribe(contact=contact, towns=list(towns), source=SubscriptionSource.SMS)
    return confirm_subscription(subscription=subscription, method=ConsentMethod.SMS_KEYWORD)
