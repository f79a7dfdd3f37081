"""Fixtures for the intake tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amparo.intake import keywords


@pytest.fixture
def keyword_registry() -> Iterator[None]:
    """Registrations made in the test are forgotten afterwards."""
    saved = dict(keywords._registry)
    yield
    keywords._registry.clear()
    keywords._registry.update(saved)
