"""Fixtures for the intake tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from amparo.intake import keywords


@pytest.fixture
def keyword_registry() -> Iterator[None]:
    """The test starts with no registered keyword (the apps' own are set aside) and its
    registrations are forgotten afterwards."""
    saved = dict(keywords._registry)
    keywords._registry.clear()
    yield
    keywords._registry.clear()
    keywords._registry.update(saved)
