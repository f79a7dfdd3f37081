"""The intake sweep: route the texts the webhook stored, oldest first."""

from __future__ import annotations

import logging

from django.db import OperationalError

from amparo.channels.models import InboundMessage
from amparo.core.worker import register_sweep
from amparo.intake.actions import give_up_routing, route_stored_message

log = logging.getLogger("amparo.intake")

BATCH = 200


@register_sweep("intake.route", every=0.2)
def route_waiting_messages(*, batch: int = BATCH) -> int:
    """Route up to ``batch`` waiting texts in the order they arrived; return how many were tried.

    A text whose routing raises is rolled back, then handed to the operators
    unrouted (``give_up_routing``), so one bad text never blocks the ones
    behind it; except when the database was only busy or briefly unreachable
    (``OperationalError``): then it stays waiting for the next sweep, and the
    sweep stops here so the texts keep their order. Only the error's type is
    logged: its message might quote the text.
    """
    waiting = list(
        InboundMessage.objects.filter(routed_at__isnull=True)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for tried, message_id in enumerate(waiting):
        try:
            route_stored_message(message_id=message_id)
        except OperationalError:
            log.warning("intake: the database was busy; message %s waits", message_id)
            return tried
        except Exception as exc:
            log.error("intake: routing message %s failed (%s)", message_id, type(exc).__name__)
            give_up_routing(message_id=message_id)
    return len(waiting)
