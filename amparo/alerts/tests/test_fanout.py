"""Done when: nobody gets an alert twice, each gets it in their language only, and a STOP
in the middle of a broadcast stops the rest for that contact (through the outbox sweep).

Approval fixes the recipients; the worker's ``alerts.materialize`` sweep makes their
messages, so these tests run it after approving, as the worker would."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from amparo.alerts.actions import (
    approve_broadcast,
    draft_broadcast,
    draft_correction,
    submit_broadcast,
)
from amparo.alerts.actions.broadcasts import finish_broadcasts
from amparo.alerts.models import (
    BroadcastKind,
    BroadcastRecipient,
    BroadcastStatus,
    SubscriptionStatus,
)
from amparo.alerts.sweeps import materialize
from amparo.alerts.tests.broadcast_factories import BODIES, coordinator, subscriber, town
from amparo.channels.models import Lane, OutboundMessage, OutboundStatus
from amparo.channels.sweeps import send_due_messages
from amparo.contacts.actions import opt_out

pytestmark = pytest.mark.django_db

PT = "Amparo ALERTA: agentes confirmados perto da estação, Hartford às 14:05. Ajuda: +18605550100"


@pytest.fixture(autouse=True)
def _console(settings: Any) -> None:
    translation.activate("en")
    settings.AMPARO_CHANNELS = {
        "sms": {
            "gateway": "amparo.channels.gateways.console.ConsoleGateway",
            "senders": ["+18605550100"],
            "rate_per_sender": 1000.0,
            "validity_seconds": 36000,
        }
    }


def _send(*towns, kind=BroadcastKind.CONFIRMED, bodies=BODIES):
    author = coordinator()
    broadcast = draft_broadcast(by=author, kind=kind, bodies=bodies, towns=towns)
    submit_broadcast(broadcast=broadcast, by=author)
    approved = approve_broadcast(broadcast=broadcast, by=coordinator())
    materialize()
    return approved


def _bodies_to(contact) -> list[str]:
    return [m.body for m in OutboundMessage.objects.filter(contact=contact)]


def test_a_subscriber_of_several_of_the_towns_gets_the_alert_once() -> None:
    hartford, hamden = town("Hartford"), town("Hamden")
    both = subscriber(hartford, hamden)
    broadcast = _send(hartford, hamden)
    assert _bodies_to(both) == [BODIES["en"]]
    assert BroadcastRecipient.objects.filter(broadcast=broadcast, contact=both).count() == 1
    assert broadcast.recipient_count == 1


def test_approving_twice_does_not_send_twice() -> None:
    hartford = town()
    contact = subscriber(hartford)
    broadcast = _send(hartford)
    with pytest.raises(Exception):  # noqa: B017 (AlertsError: no longer pending)
        approve_broadcast(broadcast=broadcast, by=coordinator())
    assert len(_bodies_to(contact)) == 1


def test_each_subscriber_gets_it_in_their_language_only_and_english_when_it_lacks_one() -> None:
    hartford = town()
    spanish = subscriber(hartford, language="es")
    english = subscriber(hartford, language="en")
    creole = subscriber(hartford, language="ht")
    broadcast = _send(hartford)
    assert _bodies_to(spanish) == [BODIES["es"]]
    assert _bodies_to(english) == [BODIES["en"]]
    assert _bodies_to(creole) == [BODIES["en"]]
    languages = dict(BroadcastRecipient.objects.values_list("contact_id", "language"))
    assert languages == {spanish.pk: "es", english.pk: "en", creole.pk: "en"}
    assert broadcast.segment_count == sum(m.segments for m in OutboundMessage.objects.all())


def test_messages_are_alerts_pending_with_the_broadcasts_validity() -> None:
    hartford = town()
    subscriber(hartford)
    broadcast = _send(hartford)
    message = OutboundMessage.objects.get()
    assert message.lane == Lane.ALERT and message.status == OutboundStatus.PENDING
    assert (message.valid_until - broadcast.queued_at).total_seconds() == broadcast.validity_seconds


def test_opted_out_pending_and_stopped_subscribers_and_other_towns_get_nothing() -> None:
    hartford = town()
    opted_out = subscriber(hartford)
    opt_out(contact=opted_out, method="sms-keyword")
    pending = subscriber(hartford, status=SubscriptionStatus.PENDING)
    stopped = subscriber(hartford, status=SubscriptionStatus.STOPPED)
    elsewhere = subscriber(town("Hamden"))
    active = subscriber(hartford)
    _send(hartford)
    assert list(OutboundMessage.objects.values_list("contact_id", flat=True)) == [active.pk]
    for contact in (opted_out, pending, stopped, elsewhere):
        assert _bodies_to(contact) == []


def test_stop_in_the_middle_of_a_broadcast_stops_the_rest_for_that_contact(settings) -> None:
    settings.AMPARO_OUTBOX = {"batch_size": 1, "send_threads": 1, "max_batches_per_sweep": 1}
    hartford = town()
    contacts = [subscriber(hartford) for _ in range(3)]
    _send(hartford)
    assert send_due_messages() == 1  # one message went out
    first_sent = OutboundMessage.objects.get(status=OutboundStatus.SENT).contact_id
    stopping = next(c for c in contacts if c.pk != first_sent)
    opt_out(contact=stopping, method="sms-keyword")
    for _ in range(10):
        send_due_messages()
    statuses = dict(OutboundMessage.objects.values_list("contact_id", "status"))
    assert statuses[stopping.pk] == OutboundStatus.DROPPED
    assert OutboundMessage.objects.get(contact=stopping).error_code == "opted-out"
    assert sorted(s for c, s in statuses.items() if c != stopping.pk) == ["sent", "sent"]


def test_a_correction_goes_to_exactly_the_originals_recipients_whatever_the_towns() -> None:
    hartford, hamden = town("Hartford"), town("Hamden")
    early = subscriber(hartford, language="pt")
    stopped_since = subscriber(hartford)
    original = _send(hartford, bodies={**BODIES, "pt": PT})
    subscriber(hartford)  # joined after the original: not corrected
    subscriber(hamden)
    stopped_since.subscription.status = SubscriptionStatus.STOPPED
    stopped_since.subscription.save()
    author = coordinator()
    retraction = draft_correction(
        original=original,
        by=author,
        kind=BroadcastKind.RETRACTION,
        bodies={"en": "Amparo: please ignore our alert of 14:05. It was sent in error."},
    )
    submit_broadcast(broadcast=retraction, by=author)
    approve_broadcast(broadcast=retraction, by=coordinator())
    materialize()
    recipients = set(
        BroadcastRecipient.objects.filter(broadcast=retraction).values_list("contact_id", flat=True)
    )
    assert recipients == {early.pk}
    assert _bodies_to(early)[-1].startswith("Amparo: please ignore")


def test_a_broadcast_is_sent_once_every_message_is_finished() -> None:
    hartford = town()
    subscriber(hartford)
    subscriber(hartford)
    broadcast = _send(hartford)
    assert finish_broadcasts() == 0
    for _ in range(5):
        send_due_messages()
    assert finish_broadcasts() == 1
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT
    assert finish_broadcasts() == 0


def test_a_broadcast_to_nobody_is_sent_at_once() -> None:
    broadcast = _send(town())
    assert broadcast.recipient_count == 0 and broadcast.status == BroadcastStatus.SENT
