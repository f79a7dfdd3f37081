"""Done when: after the retention sweeps, no table holds the words or the number of an old report.

A text becomes a report (and its incident), a contact, an inbound row and an
automatic reply. Thirty-one days later every registered sweep runs until it
finds nothing to do; then every row of every table is read twice, through the
ORM (sealed values opened) and raw, looking for the words, the number in any
spelling, and the number's blind index. The incident's anonymous facts stay.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from amparo.channels.models import InboundMessage, OutboundMessage
from amparo.contacts.models import Contact
from amparo.core.worker import registered_sweeps
from amparo.crypto.vault import blind_index
from amparo.incidents.models import Incident, Report
from amparo.intake.tests.texts import text_in
from amparo.places.models import Town

pytestmark = pytest.mark.django_db

PHONE = "+18605550177"
WORDS = "Zorblax"
TEXT = f"Hay agentes de ICE en la calle Park en Hartford, dice {WORDS}"
SPELLINGS = [PHONE, PHONE[1:], PHONE[2:], "555-0177", "5550177"]


def run_every_sweep_until_idle() -> None:
    for _ in range(20):
        if not sum(sweep.function() for sweep in registered_sweeps()):
            return
    raise AssertionError("the sweeps kept finding work")


def everything_the_orm_reads() -> list[str]:
    found = []
    for model in apps.get_models():
        for row in model._base_manager.all():
            for field in model._meta.concrete_fields:
                found.append(str(getattr(row, field.attname)))
    return found


def everything_raw() -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            found.extend(repr(row) for row in cursor.fetchall())
    return found


def test_after_retention_no_table_holds_the_words_or_number_of_an_old_report() -> None:
    Town.objects.create(
        name="Hartford", state="CT", latitude=Decimal("41.76371"), longitude=Decimal("-72.68509")
    )
    text_in(TEXT, phone=PHONE)
    report = Report.objects.get()
    assert report.text == TEXT and report.incident is not None
    assert OutboundMessage.objects.exists()  # the automatic answer
    month_ago = timezone.now() - dt.timedelta(days=31)
    Report.objects.update(received_at=month_ago)
    InboundMessage.objects.update(received_at=month_ago)
    OutboundMessage.objects.update(created_at=month_ago)
    Contact.objects.update(created_at=month_ago)
    digest = blind_index(PHONE, purpose="phone")
    assert Incident.objects.get().location is not None
    assert any(digest in value for value in everything_raw())  # the test can see it before

    run_every_sweep_until_idle()

    readable = everything_the_orm_reads()
    raw = everything_raw()
    for secret in [WORDS, *SPELLINGS]:
        assert not any(secret in value for value in readable), secret
        assert not any(secret in value for value in raw), secret
    assert not any(digest in value for value in raw)

    assert not Contact.objects.exists()
    incident = Incident.objects.get()
    assert incident.town is not None and incident.town.name == "Hartford"
    assert incident.report_count == 1
    assert incident.location is None  # the exact point went with the reports
    assert Report.objects.get().purged_at is not None
