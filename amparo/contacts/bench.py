"""``amparo bench contacts``: the cost of encryption, blind indexes and audit on a write.

Creates ``size`` contacts through ``find_or_create_contact`` (seal phone and
name, blind index, audit event) and, as the same-run baseline, the same number
of plain gazetteer rows through the ORM; then looks every contact up by phone.
Everything runs in one transaction that is rolled back, so no database is
left with benchmark rows.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import phonenumbers
from django.db import transaction

from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.queries import find_contact_by_phone
from amparo.core.bench import percentile, register_bench
from amparo.places.models import Town


class _Rollback(Exception):
    pass


def _fake_phones(count: int) -> list[str]:
    """555-01xx numbers (reserved for fiction) across as many valid area codes as needed."""
    phones: list[str] = []
    for area_code in range(200, 1000):
        if not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{area_code}5550100")):
            continue
        phones.extend(f"+1{area_code}55501{line:02d}" for line in range(100))
        if len(phones) >= count:
            return phones[:count]
    raise ValueError(f"cannot invent {count} distinct 555-01xx numbers")


@register_bench("contacts")
def bench_contacts(size: int = 2000) -> dict[str, Any]:
    figures: dict[str, Any] = {"size": size}
    phones = _fake_phones(size)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for index in range(size):
                Town.objects.create(
                    name=f"Benchtown {index}",
                    state="ZZ",
                    latitude=Decimal("41.0"),
                    longitude=Decimal("-72.0"),
                )
            baseline = time.perf_counter() - started

            started = time.perf_counter()
            for index in range(size):
                find_or_create_contact(phone=phones[index], name=f"Invented Person {index}")
            sealed = time.perf_counter() - started

            lookups: list[float] = []
            for index in range(size):
                tick = time.perf_counter()
                contact = find_contact_by_phone(phones[index])
                assert contact is not None and contact.name == f"Invented Person {index}"
                lookups.append((time.perf_counter() - tick) * 1000)
            raise _Rollback
    except _Rollback:
        pass
    lookups.sort()
    figures.update(
        baseline_plain_inserts_per_s=round(size / baseline),
        sealed_audited_creates_per_s=round(size / sealed),
        overhead_ratio=round(sealed / baseline, 2),
        lookup_by_phone_p50_ms=round(percentile(lookups, 0.5), 3),
        lookup_by_phone_p99_ms=round(percentile(lookups, 0.99), 3),
    )
    return figures
