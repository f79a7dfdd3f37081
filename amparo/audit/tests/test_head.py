"""The head row exists from the first migration on, and `flush` (not `migrate`) writes it again."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_migrate

from amparo.audit.actions import record_event
from amparo.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from amparo.audit.queries import ChainReport, verify_chain

migration_0002 = importlib.import_module("amparo.audit.migrations.0002_head_seal")


def head() -> tuple[int, str, str] | None:
    return AuditHead.objects.values_list("sequence", "hash", "seal").first()


def send_post_migrate(**kwargs: object) -> None:
    audit = apps.get_app_config("audit")
    post_migrate.send(
        sender=audit,
        app_config=audit,
        verbosity=0,
        interactive=False,
        using=connection.alias,
        **kwargs,
    )


@pytest.mark.django_db
def test_the_migration_writes_an_unsealed_head_at_genesis(tamper):
    tamper("DELETE FROM {head}")

    migration_0002.write_head_at_genesis(apps, SimpleNamespace(connection=connection))

    assert head() == (0, GENESIS_HASH, "")


@pytest.mark.django_db
def test_the_migration_leaves_a_head_already_there_alone(operator):
    event = record_event(actor=operator, action="auth.login")
    before = head()

    migration_0002.write_head_at_genesis(apps, SimpleNamespace(connection=connection))

    assert head() == before
    assert before is not None and before[:2] == (1, event.hash)


@pytest.mark.django_db
def test_migrate_does_not_write_a_deleted_head_again(operator, tamper):
    record_event(actor=operator, action="auth.login")
    tamper("DELETE FROM {event}")
    tamper("DELETE FROM {head}")

    send_post_migrate(plan=[], apps=apps)

    assert head() is None
    assert verify_chain().reason == "audit head is missing (head deleted)"


@pytest.mark.django_db
def test_post_migrate_without_a_plan_leaves_a_log_with_events_alone(operator, tamper):
    record_event(actor=operator, action="auth.login")
    tamper("DELETE FROM {head}")

    send_post_migrate()

    assert head() is None


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_writes_the_head_at_genesis_again(operator):
    record_event(actor=operator, action="auth.login")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    assert head() == (0, GENESIS_HASH, "")
    assert verify_chain() == ChainReport(ok=True, checked=0)
    assert record_event(actor=None, action="retention.purge").sequence == 1
