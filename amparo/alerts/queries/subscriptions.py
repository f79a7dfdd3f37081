"""Reads of alerts subscriptions: who gets an alert for some towns, and counts for staff.

No phone number or name is read here: the planner needs contact ids and
languages, and coordinators see counts only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet

from amparo.accounts.models import Role, User
from amparo.alerts.models import SubscriptionStatus, SubscriptionTown
from amparo.audit.actions import record_event
from amparo.contacts.models import Contact, Language

COUNT_ROLES = (Role.COORDINATOR,)


class SubscriberRow(TypedDict):
    id: uuid.UUID
    language: str


def subscribers_of(town_ids: Iterable[int]) -> QuerySet[Contact, SubscriberRow]:
    """Contacts with an active subscription to any of ``town_ids`` who have not opted out.

    Rows of ``{"id": contact id (a UUID), "language": its language}``, one per contact
    however many of the towns it follows, in contact id order (a stable order
    for batching). A contact who texted STOP (everything) is left out even
    though its subscription is still active: nothing but the STOP confirmation
    may reach it.
    """
    subscribed = SubscriptionTown.objects.filter(
        town_id__in=list(town_ids), subscription__status=SubscriptionStatus.ACTIVE
    ).values("subscription__contact_id")
    return (
        Contact.objects.filter(pk__in=subscribed, opted_out_at__isnull=True)
        .order_by("pk")
        .values("id", "language")
    )


@dataclass(frozen=True)
class TownCount:
    """Active subscribers of one town, in total and per language (en, es, pt, ht)."""

    town_id: int
    town: str
    total: int
    by_language: tuple[int, ...]


@dataclass(frozen=True)
class SubscriberCounts:
    languages: tuple[tuple[str, str], ...]  # (code, name) in column order
    towns: list[TownCount]
    # Distinct people (a person following three towns counts once here).
    subscribers: int
    by_language: tuple[int, ...]
    pending: int


def access_subscriber_counts(user: User) -> SubscriberCounts:
    """Active subscribers per town and language, for a coordinator; counts only; audited."""
    if not user.has_role(*COUNT_ROLES):
        raise PermissionDenied
    codes = tuple(Language.values)
    active = SubscriptionTown.objects.filter(
        subscription__status=SubscriptionStatus.ACTIVE,
        subscription__contact__opted_out_at__isnull=True,
    )
    per_town: dict[int, dict[str, int]] = {}
    names: dict[int, str] = {}
    for row in active.values("town_id", "town__name", "subscription__contact__language").annotate(
        n=Count("subscription_id")
    ):
        names[row["town_id"]] = row["town__name"]
        per_town.setdefault(row["town_id"], {})[row["subscription__contact__language"]] = row["n"]
    towns = sorted(
        (
            TownCount(
                town_id=town_id,
                town=names[town_id],
                total=sum(counts.values()),
                by_language=tuple(counts.get(code, 0) for code in codes),
            )
            for town_id, counts in per_town.items()
        ),
        key=lambda count: (-count.total, count.town),
    )
    people: dict[str, int] = dict.fromkeys(codes, 0)
    for row in (
        Contact.objects.filter(pk__in=active.values("subscription__contact_id"))
        .values("language")
        .annotate(n=Count("id"))
    ):
        people[row["language"]] = people.get(row["language"], 0) + row["n"]
    pending = SubscriptionTown.objects.filter(
        subscription__status=SubscriptionStatus.PENDING
    ).values("subscription_id")
    record_event(actor=user, action="alerts.subscriber_counts_view")
    return SubscriberCounts(
        languages=tuple((code, str(Language(code).label)) for code in codes),
        towns=towns,
        subscribers=sum(people.values()),
        by_language=tuple(people[code] for code in codes),
        pending=pending.distinct().count(),
    )
