"""``amparo bench outbox`` and ``amparo bench outbox-kills``: the outbox against a fake Twilio.

``outbox``: ``size`` messages (20,000) through the send sweep of one worker
(this process) against :mod:`amparo.channels.fake_twilio` running in its own
process on 127.0.0.1, with the channel's throttle out of the way; the figure is
messages per second, from the first claim to the last recorded outcome. The
same-run baseline is the gateway alone (SDK + HTTP, the same threads, no
database), the ceiling the outbox can approach. Then the channel is set to 50
messages a second (five senders at 10 each) for about ten seconds, and the rate
the fake provider saw is printed beside it.

``outbox-kills``: the crash drill of the done-when test at benchmark size:
10,000 messages, 50 SIGKILLs of a worker subprocess, a provider that fails 10%
of requests and drops 5% of answers; prints duplicates and unknown counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from amparo.channels.actions import body_digest, queue_message
from amparo.channels.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN
from amparo.channels.gateways.base import Outgoing
from amparo.channels.killdrill import run_kill_drill
from amparo.channels.models import Lane, OutboundMessage, OutboundStatus
from amparo.channels.registry import gateway_for
from amparo.channels.segments import count_segments
from amparo.channels.sweeps import send_due_messages
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.bench import _fake_phones
from amparo.contacts.models import Contact
from amparo.core.bench import register_bench

SENDERS = ["+18605550100", "+18605550101", "+18605550102", "+18605550103", "+18605550104"]


@contextlib.contextmanager
def _fake_twilio_process(deadline: float = 600) -> Iterator[str]:
    """A fake Twilio in a process of its own (its own core); yields its base URL."""
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "amparo.channels.fake_twilio", "--deadline", str(deadline)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())["base_url"]
    finally:
        process.kill()
        process.wait()


def _accepted(base_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url}/_fake/accepted", timeout=60) as answer:  # noqa: S310
        accepted: list[dict[str, Any]] = json.load(answer)["accepted"]
    return accepted


def _channels(base_url: str, *, senders: list[str], rate_per_sender: float) -> dict[str, Any]:
    return {
        "TWILIO_ACCOUNT_SID": FAKE_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": FAKE_AUTH_TOKEN,
        "TWILIO_API_BASE": base_url,
        "AMPARO_CHANNELS": {
            "sms": {
                "gateway": "amparo.channels.gateways.twilio.TwilioSMSGateway",
                "senders": senders,
                "rate_per_sender": rate_per_sender,
                "validity_seconds": 36000,
            }
        },
        "AMPARO_OUTBOX": getattr(settings, "AMPARO_OUTBOX", {}),
    }


def _queue_in_bulk(contacts: list[Contact], count: int, prefix: str) -> None:
    """``count`` pending rows, written in bulk: the bench times sending, not queueing."""
    now = timezone.now()
    rows = []
    for n in range(count):
        contact = contacts[n % len(contacts)]
        body = f"{prefix} {n}: community meeting at 7 pm, bring your card"
        encoding, segments = count_segments(body)
        rows.append(
            OutboundMessage(
                channel="sms",
                contact=contact,
                body=body,
                body_digest=body_digest(contact=contact, body=body),
                lane=Lane.BULK,
                encoding=encoding,
                segments=segments,
                due_at=now,
                valid_until=now + dt.timedelta(hours=10),
            )
        )
    OutboundMessage.objects.bulk_create(rows, batch_size=1000)


def _drain(limit_seconds: float) -> None:
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        if not send_due_messages():
            if not OutboundMessage.objects.filter(status=OutboundStatus.PENDING).exists():
                return
            time.sleep(0.01)


@register_bench("outbox")
def bench_outbox(size: int = 20_000) -> dict[str, Any]:
    figures: dict[str, Any] = {"size": size}
    contacts = [find_or_create_contact(phone=phone) for phone in _fake_phones(200)]
    with _fake_twilio_process() as base_url:
        # Throughput: the throttle far above what the software can do.
        with override_settings(**_channels(base_url, senders=SENDERS, rate_per_sender=1e6)):
            gateway = gateway_for("sms")
            baseline_count = min(size, 5000)
            with ThreadPoolExecutor(8) as pool:
                started = time.perf_counter()
                list(
                    pool.map(
                        lambda n: gateway.send(
                            Outgoing(to=contacts[n % 200].phone, body=f"b{n}", sender=SENDERS[0])
                        ),
                        range(baseline_count),
                    )
                )
                baseline = time.perf_counter() - started

            started = time.perf_counter()
            for n in range(500):
                queue_message(contact=contacts[n % 200], body=f"Queued {n}", lane=Lane.BULK)
            queue_seconds = time.perf_counter() - started
            OutboundMessage.objects.all().delete()

            _queue_in_bulk(contacts, size, "Aviso")
            started = time.perf_counter()
            _drain(limit_seconds=600)
            elapsed = time.perf_counter() - started
            sent = OutboundMessage.objects.filter(status=OutboundStatus.SENT).count()
            accepted = len(_accepted(base_url)) - baseline_count
        figures.update(
            baseline_gateway_only_msgs_per_s=round(baseline_count / baseline),
            queue_message_per_s=round(500 / queue_seconds),
            outbox_msgs_per_s=round(sent / elapsed),
            outbox_sent=sent,
            provider_accepted=accepted,
            outbox_vs_gateway_only=round((sent / elapsed) / (baseline_count / baseline), 2),
        )

        # Throttled: five senders at 10 a second each is a channel of 50 a second.
        OutboundMessage.objects.all().delete()
        throttled_target, throttled_count = 50.0, 525  # about ten seconds
        with override_settings(**_channels(base_url, senders=SENDERS, rate_per_sender=10.0)):
            _queue_in_bulk(contacts, throttled_count, "Alerta")
            before = len(_accepted(base_url))
            _drain(limit_seconds=60)
            times = sorted(m["at"] for m in _accepted(base_url)[before:])
        achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
        figures.update(
            throttled_target_msgs_per_s=throttled_target,
            throttled_achieved_msgs_per_s=round(achieved, 2),
            throttled_seconds=round(times[-1] - times[0], 2) if times else 0,
            throttled_error_pct=round(100 * (achieved - throttled_target) / throttled_target, 2),
        )
    return figures


@register_bench("outbox-kills")
def bench_outbox_kills(size: int = 10_000) -> dict[str, Any]:
    """The done-when crash drill at benchmark size (its own SQLite file, like the test)."""
    report = run_kill_drill(messages=size, kills=50, contacts=1000, rate_per_sender=100)
    return report.figures()


# `amparo bench intake` lives beside this file; discovery imports only bench.py.
from amparo.channels import bench_intake  # noqa: E402, F401
