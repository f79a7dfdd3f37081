"""The routing sweep: texts the webhook stored are routed in the order they came, once."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.channels.gateways.base import InboundText
from amparo.channels.models import InboundMessage, OutboundMessage
from amparo.intake import router
from amparo.intake.actions import store_inbound_text
from amparo.intake.sweeps import route_waiting_messages
from amparo.intake.tests.texts import CHANNEL, OUR_NUMBER, PHONE, contact_of, replies_to

pytestmark = pytest.mark.django_db


def stored(body: str, sid: str, phone: str = PHONE) -> InboundMessage:
    message = store_inbound_text(
        channel=CHANNEL,
        text=InboundText(provider_id=sid, from_phone=phone, to=OUR_NUMBER, body=body),
    )
    assert message is not None
    return message


def test_a_stored_text_waits_with_its_route_read_but_no_contact_and_no_reply() -> None:
    message = stored("STOP", "SM01")

    assert message.routed_at is None and message.contact is None
    assert message.routed_to == "stop" and not message.needs_operator
    assert not OutboundMessage.objects.exists()


def test_stop_then_start_are_routed_in_the_order_they_came() -> None:
    stored("STOP", "SM01")
    stored("START", "SM02")

    assert route_waiting_messages() == 2

    assert not contact_of().is_opted_out
    assert InboundMessage.objects.filter(routed_at__isnull=True).count() == 0
    assert len(replies_to()) == 2


def test_routing_links_the_contact_and_forgets_the_sealed_sender() -> None:
    stored("ALTO", "SM01")

    route_waiting_messages()

    message = InboundMessage.objects.get()
    assert message.contact == contact_of() and message.sender is None
    assert message.routed_at is not None


def test_a_second_sweep_finds_nothing_to_do() -> None:
    stored("HELP", "SM01")
    route_waiting_messages()

    assert route_waiting_messages() == 0
    assert len(replies_to()) == 1


def test_a_text_whose_routing_fails_goes_to_the_operators_and_does_not_block_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_opt_out = router.opt_out

    def crash_once(**kwargs: Any) -> bool:
        monkeypatch.setattr(router, "opt_out", real_opt_out)
        raise RuntimeError("bug in some app")

    monkeypatch.setattr(router, "opt_out", crash_once)
    stored("STOP", "SM01")
    stored("STOP", "SM02", phone="+18605550199")

    assert route_waiting_messages() == 2

    failed = InboundMessage.objects.get(provider_id="SM01")
    assert failed.routed_at is not None and failed.needs_operator
    assert contact_of("+18605550199").is_opted_out


def test_a_sender_that_is_not_a_phone_number_is_dropped_by_the_sweep() -> None:
    stored("hello", "SM01", phone="Amparo")

    route_waiting_messages()

    assert not InboundMessage.objects.exists()


def test_a_busy_database_leaves_the_text_waiting_for_the_next_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError

    from amparo.intake import sweeps

    real_route = sweeps.route_stored_message

    def busy_once(**kwargs: Any) -> Any:
        monkeypatch.setattr(sweeps, "route_stored_message", real_route)
        raise OperationalError("database is locked")

    monkeypatch.setattr(sweeps, "route_stored_message", busy_once)
    stored("hay agentes en la esquina", "SM01")
    stored("STOP", "SM02")

    assert route_waiting_messages() == 0  # stopped, nothing given up
    assert not InboundMessage.objects.filter(routed_at__isnull=False).exists()
    assert route_waiting_messages() == 2

    first = InboundMessage.objects.get(provider_id="SM01")
    assert first.contact == contact_of() and contact_of().is_opted_out


def test_a_routed_text_is_queued_for_erasure_at_twilio(settings: Any) -> None:
    from amparo.channels.fake_twilio import FakeTwilio
    from amparo.channels.models import ProviderErasure
    from amparo.channels.tests.outbox_helpers import use_fake_twilio

    with FakeTwilio(deadline=60) as fake:
        use_fake_twilio(settings, fake)
        stored("hay agentes en la esquina", "SM" + "7" * 32)

        route_waiting_messages()

        erasure = ProviderErasure.objects.get()
        assert (erasure.kind, erasure.provider_id) == ("message", "SM" + "7" * 32)


def test_with_the_console_gateway_a_routed_text_queues_nothing() -> None:
    from amparo.channels.models import ProviderErasure

    stored("hay agentes en la esquina", "SM01")
    route_waiting_messages()

    assert not ProviderErasure.objects.exists()
