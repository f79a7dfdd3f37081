"""Approval fixes a broadcast's recipients; the ``alerts.materialize`` sweep makes their
outbox messages in chunks, ahead of the senders, and the broadcast is sent once every
recipient's message is finished."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.actions import approve_broadcast, draft_broadcast, submit_broadcast
from amparo.alerts.actions import broadcasts as actions
from amparo.alerts.actions.broadcasts import (
    finish_broadcasts,
    halt_broadcast,
    materialize_messages,
    outbox_room,
)
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import Broadcast, BroadcastKind, BroadcastRecipient, BroadcastStatus
from amparo.alerts.queries.broadcasts import progress_of
from amparo.alerts.sweeps import materialize
from amparo.alerts.tests.broadcast_factories import BODIES, coordinator, subscriber, town
from amparo.audit.models import AuditEvent
from amparo.channels.models import Lane, OutboundMessage, OutboundStatus
from amparo.channels.segments import count_segments
from amparo.channels.sweeps import send_due_messages
from amparo.contacts.actions import opt_out

pytestmark = pytest.mark.django_db


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


def _approved(count: int, *, language: str = "en", bodies: dict[str, str] = BODIES) -> Broadcast:
    hartford = town()
    for _ in range(count):
        subscriber(hartford, language=language)
    author = coordinator()
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=bodies, towns=[hartford]
    )
    submit_broadcast(broadcast=broadcast, by=author)
    return approve_broadcast(broadcast=broadcast, by=coordinator())


def _send_all() -> None:
    for _ in range(5):
        send_due_messages()


def _unmade(broadcast: Broadcast) -> int:
    return BroadcastRecipient.objects.filter(broadcast=broadcast, message__isnull=True).count()


def _queued_long_ago(broadcast: Broadcast, seconds: int) -> Broadcast:
    Broadcast.objects.filter(pk=broadcast.pk).update(
        queued_at=broadcast.queued_at - dt.timedelta(seconds=seconds)
    )
    broadcast.refresh_from_db()
    return broadcast


def test_approval_fixes_the_recipients_and_puts_nothing_in_the_outbox_yet() -> None:
    broadcast = _approved(3, language="es")
    assert broadcast.status == BroadcastStatus.SENDING
    assert list(BroadcastRecipient.objects.values_list("language", "message")) == [("es", None)] * 3
    assert not OutboundMessage.objects.exists()
    assert broadcast.recipient_count == 3
    assert broadcast.segment_count == 3 * count_segments(BODIES["es"])[1]


def test_the_sweep_makes_the_messages_a_chunk_at_a_time_each_recipient_once() -> None:
    broadcast = _approved(5)
    assert [materialize_messages(limit=2) for _ in range(4)] == [2, 2, 1, 0]
    recipients = BroadcastRecipient.objects.filter(broadcast=broadcast)
    assert _unmade(broadcast) == 0
    pairs = set(recipients.values_list("contact_id", "message__contact_id"))
    assert len(pairs) == 5 and all(contact == to for contact, to in pairs)
    assert OutboundMessage.objects.count() == 5
    assert set(OutboundMessage.objects.values_list("lane", flat=True)) == {Lane.ALERT}


def test_running_the_sweep_again_makes_no_second_message() -> None:
    _approved(3)
    assert materialize() == 3
    assert materialize() == 0
    assert materialize_messages() == 0
    assert OutboundMessage.objects.count() == 3
    assert OutboundMessage.objects.values("contact").distinct().count() == 3


def test_a_contact_who_opts_out_before_its_message_is_made_gets_none() -> None:
    broadcast = _approved(3)
    stopping = BroadcastRecipient.objects.filter(broadcast=broadcast).first().contact
    opt_out(contact=stopping, method="sms-keyword")
    assert materialize() == 2
    assert not OutboundMessage.objects.filter(contact=stopping).exists()
    progress = progress_of(broadcast)
    assert (progress.queued, progress.failed) == (2, 1)
    _send_all()
    assert finish_broadcasts() == 1  # it does not wait for the one who stopped
    progress = progress_of(broadcast)
    assert (progress.sent, progress.failed, progress.percent) == (2, 1, 100)


def test_messages_made_late_keep_the_validity_counted_from_approval() -> None:
    broadcast = _queued_long_ago(_approved(1), 600)
    materialize()
    message = OutboundMessage.objects.get()
    assert message.valid_until == broadcast.queued_at + dt.timedelta(
        seconds=broadcast.validity_seconds
    )
    assert (message.valid_until - message.created_at).total_seconds() < (
        broadcast.validity_seconds - 590
    )


def test_past_its_validity_no_message_is_made_and_the_rest_count_as_not_sent() -> None:
    broadcast = _approved(2)
    materialize_messages(limit=1)
    _send_all()
    broadcast = _queued_long_ago(broadcast, broadcast.validity_seconds + 1)
    assert materialize() == 0
    assert OutboundMessage.objects.count() == 1
    progress = progress_of(broadcast)
    assert (progress.queued, progress.sent, progress.failed) == (0, 1, 1)
    assert finish_broadcasts() == 1


def test_progress_counts_recipients_without_a_message_as_queued() -> None:
    broadcast = _approved(4)
    progress = progress_of(broadcast)
    assert (progress.recipients, progress.queued, progress.finished) == (4, 4, 0)
    materialize_messages(limit=3)
    send_due_messages()
    progress = progress_of(broadcast)
    assert (progress.queued, progress.sent, progress.failed) == (1, 3, 0)
    assert progress.percent == 75 and not progress.done


def test_the_broadcast_is_sent_only_once_every_recipient_has_a_finished_message() -> None:
    broadcast = _approved(3)
    materialize_messages(limit=1)
    _send_all()
    assert finish_broadcasts() == 0  # two recipients have no message yet
    materialize()
    assert finish_broadcasts() == 0  # their messages wait in the outbox
    _send_all()
    assert finish_broadcasts() == 1
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT and progress_of(broadcast).done


def test_the_sweep_stays_only_a_little_ahead_of_the_senders(settings, monkeypatch) -> None:
    settings.AMPARO_CHANNELS["sms"]["rate_per_sender"] = 0.001  # next to nothing
    monkeypatch.setattr(actions, "AHEAD_AT_LEAST", 2 * count_segments(BODIES["en"])[1])
    broadcast = _approved(5, bodies={"en": BODIES["en"]})
    assert outbox_room() == actions.AHEAD_AT_LEAST
    assert materialize() == 2
    assert outbox_room() == 0 and materialize() == 0
    OutboundMessage.objects.update(status=OutboundStatus.SENT)  # the senders caught up
    assert materialize() == 2
    assert _unmade(broadcast) == 1


def test_a_segment_budget_limits_the_chunk() -> None:
    _approved(3, bodies={"en": BODIES["en"]})
    segments = count_segments(BODIES["en"])[1]
    assert materialize_messages(segments=2 * segments + segments - 1) == 2
    assert materialize_messages(segments=0) == 0


def test_a_finished_broadcast_gets_no_more_messages() -> None:
    broadcast = _approved(2)
    Broadcast.objects.filter(pk=broadcast.pk).update(status=BroadcastStatus.SENT)
    assert materialize() == 0
    assert OutboundMessage.objects.filter(status=OutboundStatus.PENDING).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_each_recipients_message_once() -> None:
    broadcast = _approved(6)
    start = threading.Barrier(2)
    made: list[int] = []

    def run() -> None:
        try:
            start.wait()
            made.append(materialize_messages(limit=4))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(made) == OutboundMessage.objects.count()
    assert OutboundMessage.objects.values("contact").distinct().count() == sum(made)
    materialize()
    assert _unmade(broadcast) == 0 and OutboundMessage.objects.count() == 6


def test_a_halted_broadcast_sends_nothing_more(settings) -> None:
    broadcast = _approved(5)
    assert materialize_messages(limit=2) == 2
    first = OutboundMessage.objects.order_by("created_at").first()
    OutboundMessage.objects.filter(pk=first.pk).update(status=OutboundStatus.SENT)
    halted = halt_broadcast(broadcast=broadcast, by=coordinator())
    assert halted.status == BroadcastStatus.CANCELLED and halted.published is False
    dropped = OutboundMessage.objects.filter(status=OutboundStatus.DROPPED)
    assert dropped.count() == 1 and dropped.get().error_code == "halted"
    # The sweeps the worker runs: nothing more is made, nothing more is sent.
    assert materialize() == 0
    _send_all()
    assert OutboundMessage.objects.count() == 2
    assert OutboundMessage.objects.filter(status=OutboundStatus.SENT).count() == 1
    assert finish_broadcasts() == 0
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.CANCELLED
    progress = progress_of(broadcast)
    assert progress.sent == 1 and progress.failed == 4 and progress.queued == 0
    assert AuditEvent.objects.filter(action="alerts.broadcast_halt", target_id=str(broadcast.pk))


def test_any_coordinator_may_halt_but_only_a_broadcast_being_sent() -> None:
    broadcast = _approved(1)
    with pytest.raises(AlertsError):
        halt_broadcast(broadcast=broadcast, by=make_staff(Role.OPERATOR, second_factor=False))
    halt_broadcast(broadcast=broadcast, by=coordinator())
    with pytest.raises(AlertsError, match="being sent"):
        halt_broadcast(broadcast=broadcast, by=coordinator())
