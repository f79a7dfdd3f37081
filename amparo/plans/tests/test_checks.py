"""The plan key store checks: apart from the database in production, and writable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from amparo.plans import checks
from amparo.plans.checks import key_store_apart_from_database, key_store_writable

# The checks only read DATABASES["default"]; no test here opens a connection.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def sqlite(path: Path) -> dict[str, dict[str, str]]:
    return {"default": {"ENGINE": "amparo.core.sqlite", "NAME": str(path)}}


def test_production_warns_of_a_key_store_beside_the_sqlite_database(tmp_path: Path) -> None:
    with override_settings(
        PRODUCTION=True,
        DATABASES=sqlite(tmp_path / "amparo.sqlite3"),
        AMPARO_PLAN_KEYSTORE=str(tmp_path / "plan-keys.sqlite3"),
    ):
        assert [w.id for w in key_store_apart_from_database()] == ["plans.W001"]


def test_production_warns_of_a_key_store_below_the_database_directory(tmp_path: Path) -> None:
    with override_settings(
        PRODUCTION=True,
        DATABASES=sqlite(tmp_path / "amparo.sqlite3"),
        AMPARO_PLAN_KEYSTORE=str(tmp_path / "keys" / "plan-keys.sqlite3"),
    ):
        assert [w.id for w in key_store_apart_from_database()] == ["plans.W001"]


def test_a_key_store_in_another_directory_is_fine(tmp_path: Path) -> None:
    with override_settings(
        PRODUCTION=True,
        DATABASES=sqlite(tmp_path / "db" / "amparo.sqlite3"),
        AMPARO_PLAN_KEYSTORE=str(tmp_path / "keys" / "plan-keys.sqlite3"),
    ):
        assert key_store_apart_from_database() == []


def test_outside_production_the_same_directory_is_not_warned_about(tmp_path: Path) -> None:
    with override_settings(
        PRODUCTION=False,
        DATABASES=sqlite(tmp_path / "amparo.sqlite3"),
        AMPARO_PLAN_KEYSTORE=str(tmp_path / "plan-keys.sqlite3"),
    ):
        assert key_store_apart_from_database() == []


def test_postgresql_has_no_database_directory_to_compare(tmp_path: Path) -> None:
    databases = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "amparo"}}
    with override_settings(
        PRODUCTION=True,
        DATABASES=databases,
        AMPARO_PLAN_KEYSTORE=str(tmp_path / "plan-keys.sqlite3"),
    ):
        assert key_store_apart_from_database() == []


def test_a_key_store_under_a_file_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with override_settings(AMPARO_PLAN_KEYSTORE=str(blocker / "keys" / "plan-keys.sqlite3")):
        assert [e.id for e in key_store_writable()] == ["plans.E001"]


def test_a_key_store_directory_without_write_permission_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Permission bits do not stop root (the CI container), so the check's question is answered.
    asked: list[Path] = []

    def access(path: Path, mode: int) -> bool:
        asked.append(Path(path))
        return False

    monkeypatch.setattr(checks.os, "access", access)
    with override_settings(AMPARO_PLAN_KEYSTORE=str(tmp_path / "plan-keys.sqlite3")):
        assert [e.id for e in key_store_writable()] == ["plans.E001"]
    assert asked == [tmp_path.resolve()]


def test_a_key_store_directory_still_to_be_made_in_a_writable_place_is_fine(
    tmp_path: Path,
) -> None:
    with override_settings(AMPARO_PLAN_KEYSTORE=str(tmp_path / "new" / "plan-keys.sqlite3")):
        assert key_store_writable() == []
