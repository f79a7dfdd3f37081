from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from amparo.channels.actions import queue_message
from amparo.channels.fake_twilio import FakeTwilio
from amparo.channels.models import (
    ChannelHealth,
    Lane,
    OutboundMessage,
    OutboundStatus,
    SenderThrottle,
)
from amparo.channels.registry import channel_configs
from amparo.channels.sweeps import (
    claim_due,
    drop_expired,
    expire_leases,
    reconcile_unknown,
    send_due_messages,
    tuning,
)
from amparo.channels.tests.outbox_helpers import SENDERS, use_fake_twilio
from amparo.contacts.actions import find_or_create_contact, opt_out
from amparo.contacts.models import Contact
from amparo.core.worker import registered_sweeps

pytestmark = pytest.mark.django_db

OPTED_OUT_AT_CARRIER = "+18605550199"


@pytest.fixture
def fake(settings: Any) -> Iterator[FakeTwilio]:
    with FakeTwilio(opted_out={OPTED_OUT_AT_CARRIER}, seed=3, deadline=60) as server:
        use_fake_twilio(settings, server)
        yield server


@pytest.fixture
def contact() -> Contact:
    return find_or_create_contact(phone="+18605550142")


def _queue(contact: Contact, body: str = "Hola", **kwargs: Any) -> OutboundMessage:
    message = queue_message(contact=contact, body=body, **kwargs)
    assert message is not None
    return message


def _reload(message: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=message.pk)


def _drain() -> None:
    while send_due_messages():
        pass


def _claim_and_die(message: OutboundMessage) -> None:
    """Claim the row as a worker would, then vanish before recording anything."""
    [item] = claim_due(channel_configs()["sms"], settings_=tuning())
    assert item.pk == message.pk


def _lease_runs_out(message: OutboundMessage) -> None:
    OutboundMessage.objects.filter(pk=message.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )


def test_the_outbox_sweeps_are_registered() -> None:
    names = {sweep.name for sweep in registered_sweeps()}
    assert {"outbox.send", "outbox.leases", "outbox.reconcile", "outbox.expire"} <= names


# --- sending ------------------------------------------------------------------------


def test_a_due_message_is_sent_and_gets_the_provider_id(fake: FakeTwilio, contact: Contact) -> None:
    message = _queue(contact, "No abra la puerta")
    assert send_due_messages() == 1
    message = _reload(message)
    [accepted] = fake.accepted
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == accepted.sid
    assert message.sender == accepted.sender and message.sender in SENDERS
    assert (message.attempts, message.unknown_count) == (1, 0)
    assert message.sent_at is not None and message.lease_until is None
    assert ChannelHealth.objects.get(channel="sms").last_success_at is not None


def test_messages_go_in_lane_order(fake: FakeTwilio, contact: Contact, settings: Any) -> None:
    # one row per claim and one request at a time: the provider sees the claim order
    settings.AMPARO_OUTBOX = {**settings.AMPARO_OUTBOX, "batch_size": 1, "send_threads": 1}
    _queue(contact, "bulk", lane=Lane.BULK)
    _queue(contact, "alert", lane=Lane.ALERT)
    _queue(contact, "reply", lane=Lane.REPLY)
    _drain()
    assert [m.body for m in fake.accepted] == ["reply", "alert", "bulk"]


def test_a_future_message_waits(fake: FakeTwilio, contact: Contact) -> None:
    message = _queue(contact)
    OutboundMessage.objects.filter(pk=message.pk).update(
        due_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert send_due_messages() == 0
    assert not fake.accepted


def test_a_transient_error_retries_with_exponential_backoff(
    fake: FakeTwilio, contact: Contact
) -> None:
    fake.fail_rate = 1.0
    message = _queue(contact)
    send_due_messages()
    first = _reload(message)
    assert (first.status, first.attempts) == (OutboundStatus.PENDING, 1)
    assert first.error_code in {"20429", "20500"}
    first_delay = (first.due_at - timezone.now()).total_seconds()
    assert 1.0 < first_delay <= 2.0
    OutboundMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
    send_due_messages()
    second = _reload(message)
    second_delay = (second.due_at - timezone.now()).total_seconds()
    assert second.attempts == 2 and 3.0 < second_delay <= 4.0
    assert ChannelHealth.objects.get(channel="sms").last_error_code in {"20429", "20500"}
    fake.fail_rate = 0.0
    OutboundMessage.objects.filter(pk=message.pk).update(due_at=timezone.now())
    send_due_messages()
    assert _reload(message).status == OutboundStatus.SENT
    assert len(fake.accepted) == 1


def test_transient_errors_fail_the_message_after_the_last_attempt(
    fake: FakeTwilio, contact: Contact, settings: Any
) -> None:
    settings.AMPARO_OUTBOX = {**settings.AMPARO_OUTBOX, "max_attempts": 2, "backoff_seconds": 0}
    fake.fail_rate = 1.0
    message = _queue(contact)
    _drain()
    message = _reload(message)
    assert (message.status, message.attempts) == (OutboundStatus.FAILED, 2)


def test_a_permanent_error_fails_at_once_and_21610_opts_the_contact_out(
    fake: FakeTwilio,
) -> None:
    contact = find_or_create_contact(phone=OPTED_OUT_AT_CARRIER)
    message = _queue(contact)
    send_due_messages()
    message = _reload(message)
    assert (message.status, message.error_code, message.attempts) == (
        OutboundStatus.FAILED,
        "21610",
        1,
    )
    contact.refresh_from_db()
    assert contact.is_opted_out
    assert send_due_messages() == 0


def test_a_lost_answer_makes_the_row_unknown_and_reconciling_finds_it(
    fake: FakeTwilio, contact: Contact
) -> None:
    fake.drop_rate = 1.0
    message = _queue(contact)
    send_due_messages()
    unknown = _reload(message)
    assert (unknown.status, unknown.unknown_count) == (OutboundStatus.UNKNOWN, 1)
    fake.drop_rate = 0.0
    assert reconcile_unknown() == 1
    reconciled = _reload(message)
    assert reconciled.status == OutboundStatus.SENT
    assert reconciled.provider_id == fake.accepted[0].sid
    assert len(fake.accepted) == 1  # found, not resent
    assert send_due_messages() == 0


def test_a_row_whose_worker_died_becomes_unknown_when_its_lease_runs_out(
    fake: FakeTwilio, contact: Contact
) -> None:
    message = _queue(contact)
    _claim_and_die(message)
    assert _reload(message).status == OutboundStatus.SENDING
    assert expire_leases() == 0  # the lease still runs
    _lease_runs_out(message)
    assert expire_leases() == 1
    message = _reload(message)
    assert (message.status, message.unknown_count, message.lease_until) == (
        OutboundStatus.UNKNOWN,
        1,
        None,
    )


def test_reconciling_a_message_the_provider_never_got_makes_it_due_again(
    fake: FakeTwilio, contact: Contact
) -> None:
    message = _queue(contact)
    _claim_and_die(message)
    _lease_runs_out(message)
    expire_leases()
    assert reconcile_unknown() == 1
    pending = _reload(message)
    assert pending.status == OutboundStatus.PENDING and pending.due_at <= timezone.now()
    assert send_due_messages() == 1
    sent = _reload(message)
    assert (sent.status, sent.attempts, sent.unknown_count) == (OutboundStatus.SENT, 2, 1)
    assert len(fake.accepted) == 1


def test_reconciling_does_not_resend_what_the_provider_has(
    fake: FakeTwilio, contact: Contact
) -> None:
    message = _queue(contact, "Reunión a las 7")
    _claim_and_die(message)
    # The dead worker's request had reached the provider.
    fake._accept(to=contact.phone, body="Reunión a las 7", sender=SENDERS[0])
    _lease_runs_out(message)
    expire_leases()
    reconcile_unknown()
    message = _reload(message)
    assert message.status == OutboundStatus.SENT
    assert message.provider_id == fake.accepted[0].sid
    assert send_due_messages() == 0
    assert len(fake.accepted) == 1


def test_two_equal_unknown_messages_do_not_share_one_provider_record(
    fake: FakeTwilio, contact: Contact
) -> None:
    first, second = _queue(contact, "Same"), _queue(contact, "Same")
    claim_due(channel_configs()["sms"], settings_=tuning())
    fake._accept(to=contact.phone, body="Same", sender=SENDERS[0])  # only one got through
    for message in (first, second):
        _lease_runs_out(message)
    expire_leases()
    reconcile_unknown()
    statuses = sorted(_reload(m).status for m in (first, second))
    assert statuses == [OutboundStatus.PENDING, OutboundStatus.SENT]


def test_an_unreadable_provider_list_keeps_the_row_unknown(
    fake: FakeTwilio, contact: Contact, settings: Any
) -> None:
    message = _queue(contact)
    _claim_and_die(message)
    _lease_runs_out(message)
    expire_leases()
    settings.TWILIO_AUTH_TOKEN = "wrong"
    reconcile_unknown()
    assert _reload(message).status == OutboundStatus.UNKNOWN


def test_a_late_answer_from_a_slow_worker_still_counts(fake: FakeTwilio, contact: Contact) -> None:
    from amparo.channels.gateways.base import SentMessage
    from amparo.channels.sweeps import record_outcomes

    message = _queue(contact)
    [item] = claim_due(channel_configs()["sms"], settings_=tuning())
    _lease_runs_out(message)
    expire_leases()  # the row is unknown while the slow worker is still waiting
    record_outcomes("sms", [(item, SentMessage(provider_id="SMlate"))], settings_=tuning())
    assert (_reload(message).status, _reload(message).provider_id) == (
        OutboundStatus.SENT,
        "SMlate",
    )


# --- what is never sent -------------------------------------------------------------


def test_a_message_past_its_validity_is_dropped_as_expired(
    fake: FakeTwilio, contact: Contact
) -> None:
    message = _queue(contact)
    OutboundMessage.objects.filter(pk=message.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert send_due_messages() == 0
    assert drop_expired() == 1
    message = _reload(message)
    assert (message.status, message.error_code) == (OutboundStatus.DROPPED, "expired")
    assert not fake.accepted


def test_a_message_queued_before_stop_is_dropped_but_the_confirmation_goes(
    fake: FakeTwilio, contact: Contact
) -> None:
    before_stop = _queue(contact, "Alerta")
    opt_out(contact=contact, method="sms-keyword")
    confirmation = _queue(contact, "You will get no more texts.", even_if_opted_out=True)
    _drain()
    assert (_reload(before_stop).status, _reload(before_stop).error_code) == (
        OutboundStatus.DROPPED,
        "opted-out",
    )
    assert _reload(confirmation).status == OutboundStatus.SENT
    assert [m.body for m in fake.accepted] == ["You will get no more texts."]


def test_an_alert_queued_after_the_stop_committed_is_dropped_all_the_same(
    fake: FakeTwilio, contact: Contact
) -> None:
    opt_out(contact=contact, method="sms-keyword")
    # As a bulk enqueue racing the STOP would leave it: queued later, pending.
    alert = _queue(contact, "Alerta", lane=Lane.ALERT, even_if_opted_out=True)
    reply = _queue(contact, "You will get no more texts.", even_if_opted_out=True)
    _drain()
    assert (_reload(alert).status, _reload(alert).error_code) == (
        OutboundStatus.DROPPED,
        "opted-out",
    )
    assert [m.body for m in fake.accepted] == [_reload(reply).body]


# --- throttling -----------------------------------------------------------------------


def test_a_claim_takes_what_the_sender_pool_can_send_within_the_horizon(
    fake: FakeTwilio, contact: Contact, settings: Any
) -> None:
    use_fake_twilio(settings, fake, rate_per_sender=10.0, batch_size=500)
    for n in range(60):
        _queue(contact, f"Aviso {n}")
    claimed = claim_due(channel_configs()["sms"], settings_=tuning())
    # Two senders at 10 segments/s each, one second ahead (plus the one due now each).
    assert 20 <= len(claimed) <= 22
    per_sender = {s: [c.delay for c in claimed if c.sender == s] for s in SENDERS}
    for delays in per_sender.values():
        assert len(delays) in (10, 11)
        gaps = [b - a for a, b in itertools.pairwise(delays)]
        assert all(abs(gap - 0.1) < 1e-6 for gap in gaps)
    # Nothing more until the senders are free again.
    assert claim_due(channel_configs()["sms"], settings_=tuning()) == []


def test_the_throttle_counts_segments(fake: FakeTwilio, contact: Contact, settings: Any) -> None:
    use_fake_twilio(settings, fake, senders=[SENDERS[0]], rate_per_sender=10.0)
    for n in range(20):
        _queue(contact, f"{n:02d} " + "a" * 310)  # 313 characters: three segments
    claimed = claim_due(channel_configs()["sms"], settings_=tuning())
    assert len(claimed) == 4  # starts at 0, 0.3, 0.6 and 0.9 s
    assert [round(c.delay, 6) for c in claimed] == [0.0, 0.3, 0.6, 0.9]


def test_the_throttle_is_held_in_the_database_across_workers(
    fake: FakeTwilio, contact: Contact, settings: Any
) -> None:
    use_fake_twilio(settings, fake, senders=[SENDERS[0]], rate_per_sender=5.0)
    for n in range(20):
        _queue(contact, f"Aviso {n}")
    first = claim_due(channel_configs()["sms"], settings_=tuning())
    throttle = SenderThrottle.objects.get(channel="sms", sender=SENDERS[0])
    assert throttle.next_free_at > timezone.now() + dt.timedelta(seconds=0.9)
    # A second worker (same rows, same database) finds the sender busy.
    assert claim_due(channel_configs()["sms"], settings_=tuning()) == []
    assert len(first) == 6


def test_the_send_sweep_holds_the_channel_rate_in_real_time(
    fake: FakeTwilio, contact: Contact, settings: Any
) -> None:
    use_fake_twilio(settings, fake, senders=SENDERS, rate_per_sender=10.0)
    for n in range(40):
        _queue(contact, f"Aviso {n}")
    deadline = time.monotonic() + 10
    while len(fake.accepted) < 40 and time.monotonic() < deadline:
        send_due_messages()
        time.sleep(0.01)
    times = sorted(m.at for m in fake.accepted)
    assert len(times) == 40
    # 20 a second from the pool of two senders at 10 each: 40 texts take about 2 s.
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 17 <= rate <= 23


def test_an_unknown_message_past_its_validity_is_dropped_not_resent(
    fake: FakeTwilio, contact: Contact
) -> None:
    message = _queue(contact)
    _claim_and_die(message)
    _lease_runs_out(message)
    expire_leases()
    OutboundMessage.objects.filter(pk=message.pk).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    reconcile_unknown()
    message = _reload(message)
    assert (message.status, message.error_code) == (OutboundStatus.DROPPED, "expired")
    assert not fake.accepted


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer")
def test_concurrent_workers_never_claim_a_row_twice_and_share_the_rate(
    fake: FakeTwilio, settings: Any
) -> None:
    use_fake_twilio(settings, fake, senders=SENDERS, rate_per_sender=50.0, batch_size=40)
    contact = find_or_create_contact(phone="+18605550142")
    for n in range(300):
        _queue(contact, f"Aviso {n}")
    config, settings_ = channel_configs()["sms"], tuning()
    claims: list[list[Any]] = []

    def worker() -> None:
        try:
            mine: list[Any] = []
            for _ in range(5):
                mine.extend(claim_due(config, settings_=settings_))
            claims.append(mine)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    claimed = [item.pk for mine in claims for item in mine]
    assert len(claimed) == len(set(claimed))
    assert OutboundMessage.objects.filter(status=OutboundStatus.SENDING).count() == len(claimed)
    # Two senders at 50 a second, claimed at most one second ahead: about 100
    # (plus what the time the claims took allows), not four workers' worth.
    assert 90 <= len(claimed) <= 100 * (1 + elapsed) + 2


def test_the_console_gateway_of_the_demo_sends_too(contact: Contact) -> None:
    message = _queue(contact, "Hola desde la demo")
    assert send_due_messages() == 1
    message = _reload(message)
    assert message.status == OutboundStatus.SENT
    assert message.provider_id.startswith("console-")


@pytest.mark.django_db
def test_webhook_receipts_are_forgotten_after_a_day() -> None:
    import datetime as dt

    from django.utils import timezone

    from amparo.channels.models import WebhookReceipt
    from amparo.channels.sweeps import purge_webhook_receipts

    now = timezone.now()
    WebhookReceipt.objects.create(
        channel="sms", token="old", received_at=now - dt.timedelta(days=2)
    )
    WebhookReceipt.objects.create(channel="sms", token="new", received_at=now)
    assert purge_webhook_receipts() == 1
    assert list(WebhookReceipt.objects.values_list("token", flat=True)) == ["new"]
