"""Production mode refuses to start without real secrets; each test starts a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from amparo.crypto.keyfile import dump_key_set, generate_key_set, generate_secret_key


def start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AMPARO_", "DATABASE_"))}
    clean.update({"AMPARO_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "amparo.cli", "check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production(**overrides: str) -> dict[str, str]:
    env = {
        "AMPARO_MODE": "production",
        "AMPARO_SECRET_KEY": generate_secret_key(),
        "AMPARO_KEYS": dump_key_set(generate_key_set()),
        "AMPARO_ALLOWED_HOSTS": "amparo.example.org",
        # Never opened by `check`: the key store is opened on a plan's first use.
        "AMPARO_PLAN_KEYSTORE": str(Path(tempfile.gettempdir()) / "amparo-check-plan-keys.sqlite3"),
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def test_production_starts_with_every_secret_set(tmp_path: Path) -> None:
    result = start(production(), tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"AMPARO_KEYS": ""}, "AMPARO_KEYS (or AMPARO_KEYS_FILE) must hold"),
        ({"AMPARO_SECRET_KEY": ""}, "AMPARO_SECRET_KEY (or AMPARO_SECRET_KEY_FILE) must be set"),
        ({"AMPARO_SECRET_KEY": "short"}, "at least 50 random characters"),
        ({"AMPARO_ALLOWED_HOSTS": ""}, "AMPARO_ALLOWED_HOSTS must list"),
        ({"AMPARO_DEBUG": "1"}, "AMPARO_DEBUG is on in production mode"),
        ({"AMPARO_DEBUG": "maybe"}, "is not a yes/no value"),
        ({"AMPARO_KEYS": "{not json"}, "AMPARO_KEYS: the key set is not valid JSON"),
        ({"AMPARO_MODE": "staging"}, "must be one of: production, demo, test"),
        ({"AMPARO_PLAN_KEYSTORE": ""}, "AMPARO_PLAN_KEYSTORE must name the plan key store"),
    ],
)
def test_production_refuses_to_start_and_says_what_is_missing(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    result = start(production(**overrides), tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_without_any_setting_names_the_first_missing_secret(tmp_path: Path) -> None:
    result = start({}, tmp_path)
    assert result.returncode == 2
    assert "AMPARO_SECRET_KEY" in result.stderr


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(dump_key_set(generate_key_set()))
    result = start(production(AMPARO_KEYS="", AMPARO_KEYS_FILE=str(keys)), tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_zero_key_is_refused(tmp_path: Path) -> None:
    key_set = generate_key_set()
    key_set["mac"] = "A" * 43 + "="
    result = start(production(AMPARO_KEYS=json.dumps(key_set)), tmp_path)
    assert result.returncode == 2
    assert "all zeros" in result.stderr


def test_demo_mode_generates_private_keys_once(tmp_path: Path) -> None:
    assert start({"AMPARO_MODE": "demo"}, tmp_path).returncode == 0
    key_file = tmp_path / "demo-keys.json"
    first = key_file.read_text()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert start({"AMPARO_MODE": "demo"}, tmp_path).returncode == 0
    assert key_file.read_text() == first


@pytest.mark.parametrize("action", ["generate", "secret"])
def test_key_making_commands_work_before_any_key_exists(tmp_path: Path, action: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AMPARO_", "DATABASE_"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "amparo.cli", "keys", action],
        env={**clean, "AMPARO_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if action == "generate":
        assert json.loads(result.stdout)["active"]
    else:
        assert len(result.stdout.strip()) >= 50
