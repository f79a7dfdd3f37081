"""``amparo bench broadcast``: plan and enqueue one alert to 100,000 subscribers.

Writes ``size`` (100,000) contacts with active subscriptions across 20 towns
and the four languages (a fifth of them in two towns, so the fan-out must
count them once), drafted and submitted by one coordinator; then times the
planner (:func:`plan_broadcast`) and a second coordinator's approval
(:func:`approve_broadcast`), which fixes the recipients durably: one
:class:`BroadcastRecipient` per contact, in the language it is sent.

Same-run ceiling: the same recipient rows, read back, deleted and inserted
again by a raw ``executemany`` (no query). Goal: plan + enqueue <= 3 s on
SQLite and on PostgreSQL.

Then, separately and not part of the goal, how long the ``alerts.materialize``
sweep's function takes to put all 100,000 sealed messages in the outbox, run
back to back without the pacing the worker applies.
"""

from __future__ import annotations

import random
import secrets
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role
from amparo.alerts.actions import approve_broadcast, draft_broadcast, submit_broadcast
from amparo.alerts.actions.broadcasts import MATERIALIZE_CHUNK, materialize_messages
from amparo.alerts.models import (
    BroadcastKind,
    BroadcastRecipient,
    Subscription,
    SubscriptionSource,
    SubscriptionStatus,
    SubscriptionTown,
)
from amparo.alerts.planner import plan_broadcast
from amparo.contacts.models import Contact
from amparo.core.bench import register_bench
from amparo.crypto.vault import blind_index, row_context, seal
from amparo.places.actions import add_town

LANGUAGES = ["en", "es", "pt", "ht"]
BODIES = {
    "en": "Amparo ALERT: immigration agents confirmed near the bus station, Benchtown at "
    "14:05. Do not open the door. You may stay silent. Help: +18605550100",
    "es": "Amparo ALERTA: agentes de inmigración confirmados cerca de la estación, "
    "Benchtown a las 14:05. No abra la puerta. Ayuda: +18605550100",
    "pt": "Amparo ALERTA: agentes de imigração confirmados perto da estação, Benchtown às "
    "14:05. Não abra a porta. Ajuda: +18605550100",
    "ht": "Amparo ALÈT: ajan imigrasyon konfime toupre estasyon an, Benchtown a 14:05. "
    "Pa louvri pòt la. Ou ka rete an silans. Èd: +18605550100",
}


def _contacts(size: int, rng: random.Random) -> list[Any]:
    """Invented contacts, written raw: their numbers are never sent (no valid number needed)."""
    meta = Contact._meta
    phone, name = meta.get_field("phone"), meta.get_field("name")
    quote = connection.ops.quote_name
    native = connection.features.has_native_uuid_field
    now = timezone.now()
    rows, ids = [], []
    for index in range(size):
        contact = Contact()  # a random UUID primary key
        context = row_context(table=meta.db_table, column=phone.column, row=contact.pk)
        name_context = row_context(table=meta.db_table, column=name.column, row=contact.pk)
        rows.append(
            (
                contact.pk if native else contact.pk.hex,
                seal(f"bench-{index}".encode(), context=context),
                blind_index(f"bench-{index}", purpose="phone"),
                seal(b"", context=name_context),
                rng.choices(LANGUAGES, weights=[4, 4, 1, 1])[0],
                True,
                None,
                now,
            )
        )
        ids.append(contact.pk)
    columns = ["id", "phone", "phone_index", "name", "language", "language_chosen"]
    columns += ["opted_out_at", "created_at"]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (model names)
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])
    return ids


def _subscribe(contact_ids: list[Any], towns: list[Any], rng: random.Random) -> None:
    now = timezone.now()
    subscriptions = Subscription.objects.bulk_create(
        [
            Subscription(
                contact_id=contact_id,
                status=SubscriptionStatus.ACTIVE,
                source=SubscriptionSource.SMS,
                created_at=now,
                confirmed_at=now,
            )
            for contact_id in contact_ids
        ],
        batch_size=1000,
    )
    links = []
    for subscription in subscriptions:
        for town in rng.sample(towns, 2 if rng.random() < 0.2 else 1):
            links.append(SubscriptionTown(subscription=subscription, town=town))
    SubscriptionTown.objects.bulk_create(links, batch_size=2000)


def _ceiling(broadcast_id: Any) -> float:
    """Read back the recipient rows approval wrote, delete them, insert them again raw: timed."""
    quote = connection.ops.quote_name
    meta = BroadcastRecipient._meta
    columns = [f.column for f in meta.local_concrete_fields if f.column != "id"]
    recipients = BroadcastRecipient.objects.filter(broadcast_id=broadcast_id)
    with connection.cursor() as cursor:
        select, params = recipients.order_by("pk").values(*columns).query.sql_with_params()
        cursor.execute(select, params)
        rows = cursor.fetchall()
    recipients.delete()
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (model names)
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])
    return time.perf_counter() - started


def _materialize_all() -> tuple[float, int, int]:
    """Seconds, messages and runs to put every recipient's message in the outbox.

    The sweep's own function, run back to back with no pacing: the worker
    makes them a chunk at a time only as fast as the senders send.
    """
    started = time.perf_counter()
    made = runs = 0
    while chunk := materialize_messages(limit=MATERIALIZE_CHUNK):
        made += chunk
        runs += 1
    return time.perf_counter() - started, made, runs


@register_bench("broadcast")
def bench_broadcast(size: int = 100_000) -> dict[str, Any]:
    rng = random.Random(6)  # noqa: S311 (a benchmark's layout, not a secret)
    towns = [
        add_town(
            name=f"Benchtown {index}",
            state="CT",
            latitude=Decimal("41.5") + Decimal(index) / 100,
            longitude=Decimal("-72.5"),
        )
        for index in range(20)
    ]
    started = time.perf_counter()
    contact_ids = _contacts(size, rng)
    _subscribe(contact_ids, towns, rng)
    if connection.vendor == "postgresql":
        # Autovacuum gathers statistics within a minute of such a load; a real
        # network's database has had its subscribers for days.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup = time.perf_counter() - started
    author = create_staff_user(
        username="bench-author", role=Role.COORDINATOR, password=secrets.token_urlsafe(16), by=None
    )
    approver = create_staff_user(
        username="bench-approver",
        role=Role.COORDINATOR,
        password=secrets.token_urlsafe(16),
        by=None,
    )
    bodies = {
        language: body.replace("Benchtown", "Benchtown 1") for language, body in BODIES.items()
    }
    broadcast = draft_broadcast(by=author, kind=BroadcastKind.CONFIRMED, bodies=bodies, towns=towns)
    submit_broadcast(broadcast=broadcast, by=author)

    started = time.perf_counter()
    plan = plan_broadcast(broadcast)
    planned = time.perf_counter() - started
    started = time.perf_counter()
    broadcast = approve_broadcast(broadcast=broadcast, by=approver)
    enqueued = time.perf_counter() - started
    ceiling = _ceiling(broadcast.pk)
    materialized, messages, runs = _materialize_all()
    return {
        "size": size,
        "database": connection.vendor,
        "towns": len(towns),
        "setup_s": round(setup, 2),
        "recipients": broadcast.recipient_count,
        "segments": broadcast.segment_count,
        "plan_s": round(planned, 3),
        "enqueue_s": round(enqueued, 3),
        "plan_and_enqueue_s": round(planned + enqueued, 3),
        "ceiling_raw_executemany_s": round(ceiling, 3),
        "ratio_to_ceiling": round((planned + enqueued) / ceiling, 2) if ceiling else None,
        "planned_duration_s": round(plan.seconds),
        "goal_s": 3.0,
        "materialize_all_s": round(materialized, 3),
        "materialize_messages": messages,
        "materialize_runs": runs,
        "materialize_note": (
            "not part of the goal: the alerts.materialize sweep makes the outbox messages "
            f"after approval, {MATERIALIZE_CHUNK} a run, only as far ahead as the senders "
            "can send; here run back to back without pacing"
        ),
    }
