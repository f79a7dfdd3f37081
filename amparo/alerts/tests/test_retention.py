"""Retention: stopped subscriptions and who got which alert are deleted after
AMPARO_MESSAGE_RETENTION_DAYS; consent records and a broadcast's counts stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from amparo.alerts.actions import (
    approve_broadcast,
    draft_broadcast,
    stop_subscription,
    submit_broadcast,
)
from amparo.alerts.actions.broadcasts import forget_recipients, halt_broadcast
from amparo.alerts.models import (
    Broadcast,
    BroadcastKind,
    BroadcastRecipient,
    BroadcastStatus,
    Subscription,
    SubscriptionTown,
)
from amparo.alerts.queries.broadcasts import progress_of
from amparo.alerts.sweeps import forget_broadcast_recipients, forget_stopped
from amparo.alerts.tests.broadcast_factories import BODIES, coordinator, subscriber, town
from amparo.audit.models import AuditEvent
from amparo.contacts.models import ConsentMethod, ConsentRecord, ConsentScope

pytestmark = pytest.mark.django_db

DAYS = 30


@pytest.fixture(autouse=True)
def _retention(settings: Any) -> None:
    translation.activate("en")
    settings.AMPARO_MESSAGE_RETENTION_DAYS = DAYS


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _stopped(days_ago: float) -> Subscription:
    contact = subscriber(town())
    subscription = Subscription.objects.get(contact=contact)
    stop_subscription(subscription=subscription, method=ConsentMethod.SMS_KEYWORD)
    Subscription.objects.filter(pk=subscription.pk).update(stopped_at=_ago(days_ago))
    return subscription


def test_a_subscription_stopped_past_retention_goes_with_its_towns_but_consent_stays() -> None:
    old = _stopped(DAYS + 1)
    recent = _stopped(DAYS - 1)
    active = Subscription.objects.get(contact=subscriber(town()))
    Subscription.objects.filter(pk=active.pk).update(created_at=_ago(400))

    assert forget_stopped() == 1

    assert set(Subscription.objects.values_list("pk", flat=True)) == {recent.pk, active.pk}
    assert not SubscriptionTown.objects.filter(subscription_id=old.pk).exists()
    assert ConsentRecord.objects.filter(
        contact_id=old.contact_id, scope=ConsentScope.ALERTS, granted=False
    ).exists()
    assert AuditEvent.objects.filter(action="alerts.subscription_stopped_forget").count() == 1
    assert forget_stopped() == 0


def _sent_broadcast(
    recipients: int, *, status: str, days_ago: float, where: str = "Hartford"
) -> Broadcast:
    hartford = town(where)
    for _ in range(recipients):
        subscriber(hartford)
    author = coordinator()
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=[hartford]
    )
    submit_broadcast(broadcast=broadcast, by=author)
    approve_broadcast(broadcast=broadcast, by=coordinator())
    if status == BroadcastStatus.CANCELLED:
        halt_broadcast(broadcast=broadcast, by=coordinator())
    Broadcast.objects.filter(pk=broadcast.pk).update(status=status, queued_at=_ago(days_ago))
    broadcast.refresh_from_db()
    return broadcast


@pytest.mark.parametrize("status", [BroadcastStatus.SENT, BroadcastStatus.CANCELLED])
def test_recipients_of_a_broadcast_finished_past_retention_go_and_its_counts_stay(
    status: str,
) -> None:
    old = _sent_broadcast(3, status=status, days_ago=DAYS + 1)
    segments = old.segment_count

    assert forget_broadcast_recipients() == 3
    assert forget_broadcast_recipients() == 0

    old.refresh_from_db()
    assert not BroadcastRecipient.objects.filter(broadcast=old).exists()
    assert old.recipient_count == 3 and old.segment_count == segments
    progress = progress_of(old)
    assert progress.forgotten and progress.done and progress.percent == 100
    assert AuditEvent.objects.filter(
        action="alerts.broadcast_recipients_forget", target_id=str(old.pk)
    ).exists()


def test_recipients_of_a_recent_or_unfinished_broadcast_stay() -> None:
    recent = _sent_broadcast(1, status=BroadcastStatus.SENT, days_ago=DAYS - 1)
    sending = _sent_broadcast(1, status=BroadcastStatus.SENDING, days_ago=DAYS + 5, where="Hamden")
    # Queued just before the cutoff, but its messages stay valid past it.
    late = _sent_broadcast(1, status=BroadcastStatus.SENT, days_ago=DAYS + 0.01, where="Enfield")
    Broadcast.objects.filter(pk=late.pk).update(validity_seconds=2 * 24 * 3600)

    assert forget_broadcast_recipients() == 0
    for broadcast in (recent, sending, late):
        assert BroadcastRecipient.objects.filter(broadcast=broadcast).count() == 1


def test_a_big_broadcast_is_forgotten_a_chunk_at_a_time() -> None:
    old = _sent_broadcast(5, status=BroadcastStatus.SENT, days_ago=DAYS + 1)
    runs = []
    while made := forget_recipients(finished_before=_ago(DAYS), batch=2):
        runs.append(made)
    assert runs == [2, 2, 1]
    assert not BroadcastRecipient.objects.filter(broadcast=old).exists()
