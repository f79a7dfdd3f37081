"""queue_many writes the rows queue_message would, many at once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from amparo.channels.actions import ChannelsError, body_digest, queue_many, queue_message
from amparo.channels.models import Lane, OutboundMessage, OutboundStatus
from amparo.contacts.actions import find_or_create_contact, opt_out

pytestmark = pytest.mark.django_db

FIELDS = ["channel", "contact_id", "body", "body_digest", "lane", "encoding", "segments", "status"]


def test_its_rows_are_those_queue_message_makes() -> None:
    contact = find_or_create_contact(phone="+18605550142")
    body = "Alerta: agentes cerca de la estación. Ayuda: +18605550100"
    single = queue_message(contact=contact, body=body, lane=Lane.ALERT)
    assert single is not None
    [bulk_id] = queue_many(messages=[(contact.pk, body)], lane=Lane.ALERT)
    assert bulk_id is not None
    bulk = OutboundMessage.objects.get(pk=uuid.UUID(bulk_id))
    single.refresh_from_db()
    for name in FIELDS:
        assert getattr(bulk, name) == getattr(single, name), name
    assert bulk.body_digest == body_digest(contact=contact, body=body)
    assert bulk.status == OutboundStatus.PENDING and bulk.due_at <= bulk.valid_until
    assert bulk.valid_until - bulk.due_at == single.valid_until - single.due_at


def test_an_opted_out_contact_gets_no_row() -> None:
    keeps = find_or_create_contact(phone="+18605550142")
    stopped = find_or_create_contact(phone="+18605550143")
    opt_out(contact=stopped, method="sms-keyword")
    ids = queue_many(messages=[(keeps.pk, "Hello"), (stopped.pk.hex, "Hello")], lane=Lane.ALERT)
    assert ids[0] is not None and ids[1] is None
    assert list(OutboundMessage.objects.values_list("contact_id", flat=True)) == [keeps.pk]


def test_validity_can_be_shorter_than_the_channels_never_longer() -> None:
    contact = find_or_create_contact(phone="+18605550142")
    short, long = queue_many(
        messages=[(contact.pk, "One")], lane=Lane.ALERT, validity_seconds=60
    ) + queue_many(messages=[(contact.pk, "Two")], lane=Lane.ALERT, validity_seconds=10**9)
    rows = {m.pk.hex: m for m in OutboundMessage.objects.all()}
    assert (rows[short].valid_until - rows[short].due_at).total_seconds() == 60
    assert (rows[long].valid_until - rows[long].due_at).total_seconds() == 10 * 60 * 60


def test_an_empty_text_is_refused() -> None:
    contact = find_or_create_contact(phone="+18605550142")
    with pytest.raises(ChannelsError):
        queue_many(messages=[(contact.pk, "")], lane=Lane.ALERT)


def test_a_fixed_expiry_is_kept_but_never_past_the_channels_validity() -> None:
    contact = find_or_create_contact(phone="+18605550142")
    soon = timezone.now() + dt.timedelta(minutes=5)
    [kept] = queue_many(messages=[(contact.pk, "One")], lane=Lane.ALERT, valid_until=soon)
    [capped] = queue_many(
        messages=[(contact.pk, "Two")],
        lane=Lane.ALERT,
        valid_until=timezone.now() + dt.timedelta(days=30),
    )
    rows = {m.pk.hex: m for m in OutboundMessage.objects.all()}
    assert rows[kept].valid_until == soon
    assert (rows[capped].valid_until - rows[capped].due_at).total_seconds() == 10 * 60 * 60
