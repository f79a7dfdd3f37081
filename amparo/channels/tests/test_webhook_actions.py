"""Webhook writes: each callback once, kept or lost with its work, not lost to a busy database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connection

from amparo.channels import webhook_actions
from amparo.channels.gateways.base import DeliveryReceipt, InboundText
from amparo.channels.models import InboundMessage, WebhookReceipt
from amparo.channels.webhook_actions import (
    accept_inbound_text,
    accept_receipt,
    remember_webhook,
)


def text(sid: str = "SM" + "1" * 32) -> InboundText:
    return InboundText(provider_id=sid, from_phone="+18605550142", to="+18605550100", body="Hola")


@pytest.mark.django_db
def test_a_token_is_remembered_once_per_channel() -> None:
    assert remember_webhook(channel="sms", token="tok-1")
    assert not remember_webhook(channel="sms", token="tok-1")
    assert remember_webhook(channel="voice", token="tok-1")
    assert WebhookReceipt.objects.count() == 2


@pytest.mark.django_db
def test_a_replayed_token_stores_nothing_more() -> None:
    first = accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    again = accept_inbound_text(
        channel="sms", text=text("SM" + "2" * 32), idempotency_token="tok-1"
    )

    assert first is not None and again is None
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_without_a_token_the_message_id_still_deduplicates() -> None:
    accept_inbound_text(channel="sms", text=text())

    assert accept_inbound_text(channel="sms", text=text()) is None
    assert InboundMessage.objects.count() == 1
    assert not WebhookReceipt.objects.exists()


@pytest.mark.django_db
def test_a_failure_after_the_token_leaves_no_token_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("receipt failed")

    monkeypatch.setattr(webhook_actions, "record_receipt", broken)
    receipt = DeliveryReceipt(provider_id="SM" + "3" * 32, status="delivered")

    with pytest.raises(RuntimeError):
        accept_receipt(channel="sms", receipt=receipt, idempotency_token="tok-1")

    assert not WebhookReceipt.objects.exists()


@pytest.mark.django_db
def test_a_text_keeps_its_token_on_its_own_row_not_in_the_receipts() -> None:
    message = accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert message is not None
    assert InboundMessage.objects.get().webhook_token == "tok-1"
    assert not WebhookReceipt.objects.exists()


def busy_then(real: Any, failures: int, message: str = "database is locked") -> Any:
    calls = []

    def flaky(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError(message)
        return real(**kwargs)

    flaky.calls = calls  # type: ignore[attr-defined]
    return flaky


@pytest.mark.django_db(transaction=True)
def test_a_text_refused_by_a_busy_sqlite_is_tried_once_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky = busy_then(webhook_actions.store_inbound_row, failures=1)
    monkeypatch.setattr(webhook_actions, "store_inbound_row", flaky)

    if connection.vendor != "sqlite":
        # PostgreSQL waits for row locks; it never answers "database is locked".
        with pytest.raises(OperationalError):
            accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")
        assert len(flaky.calls) == 1
        return

    message = accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert message is not None
    assert len(flaky.calls) == 2
    assert InboundMessage.objects.get().webhook_token == "tok-1"


@pytest.mark.django_db(transaction=True)
def test_a_database_busy_twice_gives_up_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        webhook_actions,
        "store_inbound_row",
        busy_then(webhook_actions.store_inbound_row, failures=2),
    )

    with pytest.raises(OperationalError):
        accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert not (InboundMessage.objects.exists() or WebhookReceipt.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = busy_then(webhook_actions.store_inbound_row, failures=1, message="disk I/O error")
    monkeypatch.setattr(webhook_actions, "store_inbound_row", flaky)

    with pytest.raises(OperationalError):
        accept_inbound_text(channel="sms", text=text())

    assert len(flaky.calls) == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_text_is_one_insert_committed_as_it_returns(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1) as captured:
        message = accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert message is not None
    assert captured.captured_queries[0]["sql"].startswith("INSERT")
    assert connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_repeated_text_is_refused_by_the_constraint() -> None:
    accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-2") is None
    assert (
        accept_inbound_text(channel="sms", text=text("SM" + "2" * 32), idempotency_token="tok-1")
        is None
    )
    assert InboundMessage.objects.count() == 1


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def texts_from_threads(tokens: list[str], sids: list[str]) -> list[Any]:
    """accept_inbound_text on a thread per text, all queued before the first gets the turn."""
    outcomes: list[Any] = [None] * len(sids)
    in_flight = webhook_actions._texts_in_flight

    def accept(i: int) -> None:
        try:
            outcomes[i] = accept_inbound_text(
                channel="sms", text=text(sids[i]), idempotency_token=tokens[i]
            )
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(sids))]
    with in_flight._lock:  # as if a batch were being stored: every text queues
        in_flight._storing = True
    for thread in threads:
        thread.start()
    wait_until(lambda: len(in_flight._queue) == len(sids))
    in_flight._hand_over()  # that batch is done: the first text queued stores them all
    for thread in threads:
        thread.join(10)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_texts_queued_on_several_threads_are_stored_by_one_insert_each_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches: list[int] = []
    real = webhook_actions.store_inbound_rows

    def counted(**kwargs: Any) -> Any:
        batches.append(len(kwargs["messages"]))
        return real(**kwargs)

    monkeypatch.setattr(webhook_actions, "store_inbound_rows", counted)
    sids = ["SM" + str(i) * 32 for i in range(4)] + ["SM" + "0" * 32]  # the last repeats the first
    tokens = ["tok-0", "tok-1", "tok-2", "tok-1", "tok-4"]  # the fourth repeats the second's

    outcomes = texts_from_threads(tokens, sids)

    assert batches == [5]
    assert [type(o).__name__ for o in outcomes] == [
        "InboundMessage", "InboundMessage", "InboundMessage", "NoneType", "NoneType"
    ]  # fmt: skip
    stored = InboundMessage.objects.order_by("provider_id")
    assert [m.provider_id for m in stored] == sids[:3]
    assert all(o.pk == InboundMessage.objects.get(pk=o.pk).pk for o in outcomes[:3])


@pytest.mark.django_db(transaction=True)
def test_a_text_stored_in_another_threads_batch_returns_without_waiting_for_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_flight = webhook_actions._texts_in_flight
    real = webhook_actions.store_inbound_rows
    second_batch_may_go = threading.Event()
    late = threading.Thread(target=accept_on_thread, args=("SM" + "3" * 32,))

    def stores(**kwargs: Any) -> Any:
        if not late.is_alive():  # the first batch: a third text comes in meanwhile
            late.start()
            wait_until(lambda: len(in_flight._queue) == 1)
        else:  # the second batch, the third text's, takes its time
            assert second_batch_may_go.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(webhook_actions, "store_inbound_rows", stores)
    monkeypatch.setattr(webhook_actions, "_outcome_alone", lambda m: stores(messages=[m])[0])
    early = [threading.Thread(target=accept_on_thread, args=(f"SM{d * 32}",)) for d in "12"]
    with in_flight._lock:
        in_flight._storing = True
    for thread in early:
        thread.start()
    wait_until(lambda: len(in_flight._queue) == 2)
    in_flight._hand_over()

    for thread in early:  # both stored by the first batch, while the second still runs
        thread.join(10)
        assert not thread.is_alive()
    assert late.is_alive()
    second_batch_may_go.set()
    late.join(10)
    assert InboundMessage.objects.count() == 3


def accept_on_thread(sid: str) -> None:
    try:
        accept_inbound_text(channel="sms", text=text(sid), idempotency_token=sid)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_batch_the_database_refuses_otherwise_is_stored_text_by_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise DatabaseError("the batch's statement failed")

    monkeypatch.setattr(webhook_actions, "store_inbound_rows", broken)
    sids = ["SM" + str(i) * 32 for i in range(3)]

    outcomes = texts_from_threads(["tok-0", "tok-1", "tok-2"], sids)

    assert all(isinstance(o, InboundMessage) for o in outcomes)
    assert InboundMessage.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_busy_database_refuses_the_whole_batch_and_each_text_tries_once_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite answers 'database is locked'")
    monkeypatch.setattr(
        webhook_actions,
        "store_inbound_rows",
        busy_then(webhook_actions.store_inbound_rows, failures=1),
    )
    sids = ["SM" + str(i) * 32 for i in range(3)]

    outcomes = texts_from_threads(["tok-0", "tok-1", "tok-2"], sids)

    assert all(isinstance(o, InboundMessage) for o in outcomes)
    assert InboundMessage.objects.count() == 3
