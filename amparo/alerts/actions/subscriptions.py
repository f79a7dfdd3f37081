"""Writes of alerts subscriptions: join (pending), confirm, change towns, stop, forget.

Double opt-in: :func:`subscribe` only ever makes a subscription ``pending``;
only :func:`confirm_subscription`, called when the person texts the
confirmation word from their own phone, makes it ``active`` and records their
consent (``ConsentScope.ALERTS``). A web form never activates anything (anyone
may type anyone's number). :func:`stop_subscription` withdraws that consent
and nothing else: other messages still reach the contact (STOP, everything,
is the router's, :func:`amparo.contacts.actions.opt_out`).

Audited by ids only; the person acting is the contact (actor None), or ``by``
when staff act for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from amparo.alerts.errors import AlertsError
from amparo.alerts.models import (
    Subscription,
    SubscriptionSource,
    SubscriptionStatus,
    SubscriptionTown,
)
from amparo.audit.actions import record_event
from amparo.channels.actions import queue_message
from amparo.contacts.actions import find_or_create_contact, record_consent
from amparo.contacts.models import ConsentScope, Contact
from amparo.places.models import Town

if TYPE_CHECKING:
    from amparo.accounts.models import User

__all__ = [
    "MAX_TOWNS",
    "PENDING_LIFETIME",
    "add_towns",
    "confirm_subscription",
    "forget_pending_subscriptions",
    "forget_stopped_subscriptions",
    "remove_towns",
    "request_by_web",
    "stop_subscription",
    "subscribe",
]

# One subscription follows this many towns at most: alerts are local, and a
# list this long is already most of a region.
MAX_TOWNS = 20
# A pending subscription not confirmed by then is deleted (sweep alerts.forget_pending).
PENDING_LIFETIME = dt.timedelta(hours=48)


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=subscription.pk)


def _add(subscription: Subscription, towns: Sequence[Town]) -> int:
    """Link ``towns`` not linked yet, up to :data:`MAX_TOWNS`; return how many were added."""
    have = set(
        SubscriptionTown.objects.filter(subscription=subscription).values_list("town_id", flat=True)
    )
    new: list[Town] = []
    for town in towns:
        if town.pk not in have and all(t.pk != town.pk for t in new):
            new.append(town)
    if len(have) + len(new) > MAX_TOWNS:
        raise AlertsError(f"A subscription follows at most {MAX_TOWNS} towns.")
    SubscriptionTown.objects.bulk_create(
        [SubscriptionTown(subscription=subscription, town=town) for town in new],
        ignore_conflicts=True,
    )
    return len(new)


def subscribe(
    *,
    contact: Contact,
    towns: Sequence[Town],
    source: str,
    by: User | None = None,
) -> Subscription:
    """A pending subscription of ``contact`` to ``towns``; nothing is active until confirmed.

    A new one is created; a pending one gets ``towns`` added (the person is
    still saying where); a stopped one starts again, pending, with ``towns``
    only. ``towns`` may be empty (the person named no place we know yet):
    the pending subscription waits for a town. Raise :class:`AlertsError` for
    an active subscription (use :func:`add_towns`, which only the person's own
    phone may ask for), an unknown ``source`` or too many towns.
    """
    if source not in SubscriptionSource.values:
        raise AlertsError("That is not a way of joining.")
    now = timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(contact=contact).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        contact=contact, source=source, created_at=now
                    )
            except IntegrityError:
                # A second request for the same number created it first.
                subscription = Subscription.objects.select_for_update().get(contact=contact)
        if subscription.status == SubscriptionStatus.ACTIVE:
            raise AlertsError("These alerts are already active.")
        if subscription.status == SubscriptionStatus.STOPPED:
            SubscriptionTown.objects.filter(subscription=subscription).delete()
            subscription.status = SubscriptionStatus.PENDING
            subscription.source = source
            subscription.created_at = now
            subscription.confirmed_at = None
            subscription.stopped_at = None
            subscription.save(
                update_fields=["status", "source", "created_at", "confirmed_at", "stopped_at"]
            )
        _add(subscription, towns)
        record_event(actor=by, action="alerts.subscription_request", target=subscription)
    return subscription


def request_by_web(*, phone: str, towns: Sequence[Town], language: str) -> None:
    """The join form was sent: a pending subscription, and a text asking its number to confirm.

    A number typed into a form proves nothing (anyone may type anyone's), so
    this never activates, never changes an active subscription and never
    changes an existing contact's language; it texts only the confirmation
    request, which the number's owner may ignore (the request is forgotten
    after :data:`PENDING_LIFETIME`). Nothing at all is done for a number that
    opted out, already gets alerts, stopped them (they said no from their own
    phone: only their phone may start them again, by the keyword) or is in
    the middle of joining by text (its towns are the person's own words, not
    a stranger's), and the caller shows the same page whatever happened, so
    the form tells nobody who subscribes. ``phone`` is E.164 and ``towns`` is
    not empty (the form checked both).
    """
    from amparo.alerts import subscription_texts as texts

    with transaction.atomic():
        contact = find_or_create_contact(phone=phone, language=language)
        if contact.is_opted_out:
            return
        current = Subscription.objects.select_for_update().filter(contact=contact).first()
        if current is not None and (
            current.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.STOPPED)
            or current.source != SubscriptionSource.WEB
        ):
            return
        subscription = subscribe(contact=contact, towns=towns, source=SubscriptionSource.WEB)
        with translation.override(contact.language):
            body = texts.ask_to_confirm(list(subscription.towns.order_by("name")))
        queue_message(contact=contact, body=body)


def confirm_subscription(
    *, subscription: Subscription, method: str, by: User | None = None
) -> Subscription:
    """Make a pending subscription active and record the consent (double opt-in's second step).

    ``method`` is how the person confirmed (``ConsentMethod``: a keyword texted).
    Raise :class:`AlertsError` if it is not pending or follows no town yet.
    """
    with transaction.atomic():
        current = _locked(subscription)
        if current.status != SubscriptionStatus.PENDING:
            raise AlertsError("Only a subscription waiting for confirmation can be confirmed.")
        if not SubscriptionTown.objects.filter(subscription=current).exists():
            raise AlertsError("Choose at least one town first.")
        current.status = SubscriptionStatus.ACTIVE
        current.confirmed_at = timezone.now()
        current.save(update_fields=["status", "confirmed_at"])
        record_consent(
            contact=current.contact,
            scope=ConsentScope.ALERTS,
            granted=True,
            method=method,
            by=by,
        )
        record_event(actor=by, action="alerts.subscription_confirm", target=current)
    _refresh(subscription, current)
    return subscription


def add_towns(*, subscription: Subscription, towns: Sequence[Town], by: User | None = None) -> int:
    """Add ``towns`` to an active or pending subscription; return how many were new.

    An active subscription needs no second confirmation: the person already
    agreed to alerts, and asks for this from their own phone. Raise
    :class:`AlertsError` for a stopped subscription or too many towns.
    """
    with transaction.atomic():
        current = _locked(subscription)
        if current.status == SubscriptionStatus.STOPPED:
            raise AlertsError("These alerts were stopped.")
        added = _add(current, towns)
        if added:
            record_event(actor=by, action="alerts.subscription_towns_add", target=current)
    return added


def remove_towns(
    *,
    subscription: Subscription,
    towns: Sequence[Town],
    method: str,
    by: User | None = None,
) -> int:
    """Stop alerts for ``towns`` only; return how many were removed.

    Removing the last town of an active subscription stops it
    (:func:`stop_subscription`, with ``method``): a subscription to nowhere
    is no subscription.
    """
    with transaction.atomic():
        current = _locked(subscription)
        removed, _ = SubscriptionTown.objects.filter(
            subscription=current, town__in=[town.pk for town in towns]
        ).delete()
        if not removed:
            return 0
        record_event(actor=by, action="alerts.subscription_towns_remove", target=current)
        left = SubscriptionTown.objects.filter(subscription=current).exists()
        if not left and current.status == SubscriptionStatus.ACTIVE:
            stop_subscription(subscription=current, method=method, by=by)
    _refresh(subscription, current)
    return removed


def stop_subscription(*, subscription: Subscription, method: str, by: User | None = None) -> bool:
    """Stop alerts to the contact (not their other messages); return whether they were on.

    An active subscription becomes ``stopped`` and the withdrawal of consent is
    recorded; a pending one is simply stopped (nothing had been agreed). Its
    towns are kept until it starts again, or until it is forgotten
    (:func:`forget_stopped_subscriptions`, after the retention period).
    """
    with transaction.atomic():
        current = _locked(subscription)
        if current.status == SubscriptionStatus.STOPPED:
            _refresh(subscription, current)
            return False
        was_active = current.status == SubscriptionStatus.ACTIVE
        current.status = SubscriptionStatus.STOPPED
        current.stopped_at = timezone.now()
        current.save(update_fields=["status", "stopped_at"])
        if was_active:
            record_consent(
                contact=current.contact,
                scope=ConsentScope.ALERTS,
                granted=False,
                method=method,
                by=by,
            )
        record_event(actor=by, action="alerts.subscription_stop", target=current)
    _refresh(subscription, current)
    return was_active


def forget_pending_subscriptions(*, created_before: dt.datetime, batch: int = 500) -> int:
    """Delete up to ``batch`` subscriptions still pending since before ``created_before``.

    Never confirmed: the person did not agree, so nothing of the request is kept
    (the contact itself is forgotten later by ``contacts.forget_unused`` if
    nothing else needs it). Return how many were deleted; one audit event per batch.
    """
    return _forget_batch(
        Subscription.objects.filter(
            status=SubscriptionStatus.PENDING, created_at__lt=created_before
        ).order_by("created_at"),
        batch=batch,
        action="alerts.subscription_pending_forget",
    )


def forget_stopped_subscriptions(*, stopped_before: dt.datetime, batch: int = 500) -> int:
    """Delete up to ``batch`` subscriptions stopped before ``stopped_before``, with their towns.

    Retention (DESIGN.md, security rule 1): once a person stopped alerts, which
    towns they followed is kept only as long as messages are
    (``AMPARO_MESSAGE_RETENTION_DAYS``). Their consent records stay: they are
    the contact's, and the evidence of what the person asked. Return how many
    were deleted; one audit event per batch.
    """
    return _forget_batch(
        Subscription.objects.filter(
            status=SubscriptionStatus.STOPPED, stopped_at__lt=stopped_before
        ).order_by("stopped_at"),
        batch=batch,
        action="alerts.subscription_stopped_forget",
    )


def _forget_batch(due: QuerySet[Subscription], *, batch: int, action: str) -> int:
    """Delete up to ``batch`` of ``due`` (re-checked by the same filter at the delete,
    should one change meanwhile) with their towns; one audit event per batch."""
    with transaction.atomic():
        doomed = list(due.values_list("pk", flat=True)[:batch])
        if not doomed:
            return 0
        due.filter(pk__in=doomed).order_by().delete()
        record_event(actor=None, action=action)
    return len(doomed)


def _refresh(subscription: Subscription, current: Subscription) -> None:
    """Bring the caller's copy up to date with the row just written."""
    for name in ("status", "source", "created_at", "confirmed_at", "stopped_at"):
        setattr(subscription, name, getattr(current, name))
