"""The issue's bound: from the activation text arriving to every contact's text in the outbox.

Goal < 2 s; ``amparo bench activation`` prints the figure. This test takes one
signed Twilio webhook and one run of the routing sweep (what ``amparo worker``
does every 0.2 s) for a plan with the most contacts a plan holds.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from amparo.channels.models import OutboundMessage
from amparo.channels.tests.twilio_requests import (
    fixture,
    new_message_sid,
    post_signed,
    twilio_settings,
)
from amparo.intake.sweeps import route_waiting_messages
from amparo.plans.contents import MAX_CONTACTS
from amparo.plans.models import Activation, NoticeStatus
from amparo.plans.tests.factories import PIN, make_contents, make_plan

pytestmark = pytest.mark.django_db

BOUND_SECONDS = 2.0


@twilio_settings
def test_an_activation_text_puts_every_contacts_message_in_the_outbox_within_two_seconds(
    client: Client,
) -> None:
    contents = make_contents(contacts=MAX_CONTACTS)
    _plan, code = make_plan(contents=contents)
    fields = fixture("twilio_inbound_sms", Body=f"DETENIDO {code[:4]} {code[4:]} {PIN}")
    sid = new_message_sid()
    fields.update(MessageSid=sid, SmsMessageSid=sid, SmsSid=sid)

    started = time.perf_counter()
    assert post_signed(client, "/hooks/twilio/sms", fields).status_code == 200
    assert route_waiting_messages() == 1
    elapsed = time.perf_counter() - started

    activation = Activation.objects.get()
    notices = list(activation.notices.select_related("message"))
    assert len(notices) == MAX_CONTACTS
    assert all(n.status == NoticeStatus.QUEUED and n.message is not None for n in notices)
    assert OutboundMessage.objects.count() == MAX_CONTACTS + 1  # and the reply to the sender
    assert elapsed < BOUND_SECONDS, elapsed
