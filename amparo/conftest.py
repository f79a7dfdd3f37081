"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from django.utils import translation

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(autouse=True, scope="session")
def _plan_key_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test process keeps plan data keys in a file of its own, removed afterwards."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("plan-keys") / "plan-keys.sqlite3"
    with override_settings(AMPARO_PLAN_KEYSTORE=str(path)):
        yield


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a test client request in another one
    leaves it active in the thread, and a later test on that worker would read Spanish."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Debian chromium. CI installs it; a laptop without it skips, CI never does."""
    from amparo.browser import chromium, chromium_available

    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium for browser tests (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are still synchronous, so let Django allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as instance:
        yield instance
