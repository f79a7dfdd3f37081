"""Invented towns, subscribers, incidents and coordinators for the broadcast tests.

Subscriptions are made as rows here (the subscription actions have their own
tests); everything else goes through actions.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.models import Subscription, SubscriptionSource, SubscriptionStatus
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.incidents.models import Incident, IncidentState
from amparo.places.actions import add_town
from amparo.places.models import Town

_numbers = itertools.count(10)


def next_phone() -> str:
    """A fictional number, +1 860 555 01xx, different for each call (up to 90 of them)."""
    return f"+18605550{100 + next(_numbers) % 90:03d}"


def coordinator() -> User:
    return make_staff(Role.COORDINATOR, second_factor=False)


def town(name: str = "Hartford") -> Town:
    return add_town(name=name, state="CT", latitude=Decimal("41.76"), longitude=Decimal("-72.68"))


def subscriber(
    *towns: Town, language: str = "en", status: str = SubscriptionStatus.ACTIVE
) -> Contact:
    contact = find_or_create_contact(phone=next_phone())
    Contact.objects.filter(pk=contact.pk).update(language=language, language_chosen=True)
    contact.refresh_from_db()
    subscription = Subscription.objects.create(
        contact=contact,
        status=status,
        source=SubscriptionSource.SMS,
        created_at=timezone.now(),
        confirmed_at=timezone.now() if status == SubscriptionStatus.ACTIVE else None,
    )
    subscription.towns.set(towns)
    return contact


def incident(state: str = IncidentState.CONFIRMED, where: Town | None = None) -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        state=state, opened_at=now, last_report_at=now, town=where, location={}
    )


BODIES = {
    "en": "Amparo ALERT: immigration agents confirmed near the bus station, Hartford at 14:05. "
    "Do not open the door. You may stay silent. Help: +18605550100",
    "es": "Amparo ALERTA: agentes de inmigración confirmados cerca de la estación, Hartford "
    "a las 14:05. No abra la puerta. Ayuda: +18605550100",
}
