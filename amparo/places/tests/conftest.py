"""The Connecticut gazetteer (and the demo landmarks), loaded once per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from amparo.places.demo import load_demo_places


@pytest.fixture(scope="module")
def connecticut(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Real ZIP data and the demo landmarks, undone when the module's tests are done."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        load_demo_places()
        yield
        transaction.set_rollback(True)
