"""Webhook writes: each callback once, kept or lost with its work, not lost to a busy database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError, connection

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
    flaky = busy_then(webhook_actions.store_inbound_text, failures=1)
    monkeypatch.setattr(webhook_actions, "store_inbound_text", flaky)

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
        "store_inbound_text",
        busy_then(webhook_actions.store_inbound_text, failures=2),
    )

    with pytest.raises(OperationalError):
        accept_inbound_text(channel="sms", text=text(), idempotency_token="tok-1")

    assert not (InboundMessage.objects.exists() or WebhookReceipt.objects.exists())


@pytest.mark.django_db(transaction=True)
def test_other_database_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    flaky = busy_then(webhook_actions.store_inbound_text, failures=1, message="disk I/O error")
    monkeypatch.setattr(webhook_actions, "store_inbound_text", flaky)

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
