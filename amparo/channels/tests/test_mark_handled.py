"""mark_handled: an operator takes a message out of the inbox; the first click wins."""

from __future__ import annotations

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.channels.actions import mark_handled
from amparo.channels.tests.inbox_factories import make_contact, make_inbound

pytestmark = pytest.mark.django_db


def test_it_records_who_handled_the_message_and_when() -> None:
    message = make_inbound(make_contact())
    operator = make_staff(Role.OPERATOR)

    mark_handled(message=message, by=operator)

    message.refresh_from_db()
    assert message.handled_by == operator
    assert message.handled_at is not None


def test_it_is_audited_on_the_message() -> None:
    message = make_inbound(make_contact())
    operator = make_staff(Role.OPERATOR)

    mark_handled(message=message, by=operator)

    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.actor_id, event.action) == (operator.pk, "channels.inbound_handle")
    assert (event.target_type, event.target_id) == ("channels.inboundmessage", str(message.pk))


def test_a_second_click_keeps_the_first_operator_and_is_not_audited_again() -> None:
    message = make_inbound(make_contact())
    first, second = make_staff(Role.OPERATOR), make_staff(Role.OPERATOR)
    mark_handled(message=message, by=first)
    handled_at = message.handled_at
    events = AuditEvent.objects.count()

    stale_copy = type(message).objects.get(pk=message.pk)
    result = mark_handled(message=stale_copy, by=second)

    assert (result.handled_by, result.handled_at) == (first, handled_at)
    assert AuditEvent.objects.count() == events
