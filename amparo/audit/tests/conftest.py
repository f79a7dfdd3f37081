"""Fake staff and a way to tamper with the log the way somebody with database access would."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection

from amparo.accounts.models import Role, User
from amparo.audit.models import AuditEvent, AuditHead

Tamper = Callable[..., None]


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create(username="operator-test-1", role=Role.OPERATOR)


@pytest.fixture
def coordinator(db: None) -> User:
    return User.objects.create(username="coordinator-test-1", role=Role.COORDINATOR)


@pytest.fixture
def tamper(db: None) -> Tamper:
    """Run raw SQL against the log; ``{event}`` and ``{head}`` name its tables."""

    def run(sql: str, params: Sequence[Any] = ()) -> None:
        tables = {
            "event": connection.ops.quote_name(AuditEvent._meta.db_table),
            "head": connection.ops.quote_name(AuditHead._meta.db_table),
        }
        with connection.cursor() as cursor:
            cursor.execute(sql.format(**tables), params)

    return run
