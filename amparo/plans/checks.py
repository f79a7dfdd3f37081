"""Start-up checks of the plan key store (amparo/crypto/plan_keys.py).

- ``plans.E001`` (any mode): the key store's directory cannot be written, so
  no plan can be registered and none deleted (deleting destroys a key there).
- ``plans.W001`` (production): the key store sits in the directory of the
  SQLite database (or below it). A backup of that directory would then hold the database
  *and* the keys together, and deleting a plan would no longer erase it from
  that backup: the whole point of keeping the keys apart.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from amparo.crypto import plan_keys


def _sqlite_directory() -> Path | None:
    database = settings.DATABASES.get("default", {})
    if "sqlite" not in str(database.get("ENGINE", "")):
        return None
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).resolve().parent


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@register(Tags.security)
def key_store_writable(**kwargs: Any) -> list[CheckMessage]:
    directory = plan_keys.store_path().resolve().parent
    # A directory still to be made is made by the store itself, if its parent lets it.
    existing = _nearest_existing(directory)
    if existing.is_dir() and os.access(existing, os.W_OK | os.X_OK):
        return []
    return [
        Error(
            f"The plan key store's directory {directory} cannot be written: family plans "
            "can be neither registered nor deleted.",
            hint="Make it writable by the user Amparo runs as, or set AMPARO_PLAN_KEYSTORE.",
            id="plans.E001",
        )
    ]


@register(Tags.security)
def key_store_apart_from_database(**kwargs: Any) -> list[CheckMessage]:
    if not settings.PRODUCTION:
        return []
    database_directory = _sqlite_directory()
    if database_directory is None:
        return []
    store_directory = plan_keys.store_path().resolve().parent
    if not store_directory.is_relative_to(database_directory):
        return []
    return [
        Warning(
            "The plan key store is in the database's directory: a backup of that directory "
            "keeps deleted family plans readable.",
            hint=(
                "Set AMPARO_PLAN_KEYSTORE to a file on another volume, left out of the "
                "database's backups (README: Family plans)."
            ),
            id="plans.W001",
        )
    ]
