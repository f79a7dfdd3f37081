"""``amparo keys``: generate, secret, status, and rotation from one key to the next."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from amparo.audit.models import AuditEvent
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.crypto import keyfile, rotation, vault
from amparo.crypto.vault import DecryptionError

NAMES = ["Wilner Dorval", "Marisol Ferreira", "Teodoro Almeida", "Ilse Varga", ""]


def keys(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _plan_key_store_of_its_own(tmp_path: Path, settings: Any) -> None:
    """Rotation re-wraps the plan key store too: start it empty, so keys other tests
    wrapped under the test process's master key do not meet these key sets."""
    settings.AMPARO_PLAN_KEYSTORE = str(tmp_path / "plan-keys.sqlite3")


@pytest.fixture
def first_keys() -> keyfile.KeySet:
    return keyfile.generate_key_set()


@pytest.fixture
def both_keys(first_keys: keyfile.KeySet) -> keyfile.KeySet:
    return keyfile.with_new_active_key(first_keys)


@pytest.fixture
def second_key_only(both_keys: keyfile.KeySet) -> keyfile.KeySet:
    active = both_keys["active"]
    return keyfile.KeySet(
        active=active,
        encryption={active: both_keys["encryption"][active]},
        mac=both_keys["mac"],
    )


@pytest.fixture
def contacts_under_first_key(first_keys: keyfile.KeySet) -> list[Contact]:
    with override_settings(AMPARO_KEYS=first_keys):
        return [
            find_or_create_contact(phone=f"+1 860 555 01{n:02d}", name=name)
            for n, name in enumerate(NAMES)
        ]


def read_all() -> dict[str, str]:
    return {c.phone: c.name for c in Contact.objects.order_by("phone")}


# --- generate and secret ---------------------------------------------------------


def test_generate_prints_a_key_set_that_parses() -> None:
    key_set = keyfile.parse_key_set(keys("generate"))

    assert list(key_set["encryption"]) == [key_set["active"]]


def test_generate_add_to_adds_an_active_key_to_the_file_and_prints_no_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    original = keyfile.generate_key_set()
    path.write_text(keyfile.dump_key_set(original))

    output = keys("generate", "--add-to", str(path))

    updated = keyfile.parse_key_set(path.read_text())
    assert updated["active"] != original["active"]
    assert updated["encryption"][original["active"]] == original["encryption"][original["active"]]
    assert updated["mac"] == original["mac"]
    assert updated["active"] in output
    assert updated["encryption"][updated["active"]] not in output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_generate_add_to_refuses_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        keys("generate", "--add-to", str(tmp_path / "missing.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{}")
    with pytest.raises(CommandError):
        keys("generate", "--add-to", str(broken))


def test_secret_prints_a_long_random_secret_key() -> None:
    first, second = keys("secret").strip(), keys("secret").strip()

    assert len(first) >= 50
    assert first != second


# --- status and rotation -----------------------------------------------------------


@pytest.mark.django_db
def test_status_counts_the_values_each_key_seals(
    contacts_under_first_key: list[Contact], first_keys: keyfile.KeySet
) -> None:
    with override_settings(AMPARO_KEYS=first_keys):
        output = keys("status")

    first = first_keys["active"]
    assert f"Active key: {first}" in output
    assert f"contacts.Contact.phone: {first}=5" in output
    assert f"contacts.Contact.name: {first}=5" in output


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_new_key_so_the_old_one_can_go(
    contacts_under_first_key: list[Contact],
    first_keys: keyfile.KeySet,
    both_keys: keyfile.KeySet,
    second_key_only: keyfile.KeySet,
) -> None:
    with override_settings(AMPARO_KEYS=first_keys):
        before = read_all()
    old, new = first_keys["active"], both_keys["active"]

    with override_settings(AMPARO_KEYS=both_keys):
        output = keys("rotate", "--batch-size", "2")
        status = keys("status")

    assert "contacts.Contact: 2/5" in output
    assert "contacts.Contact: 4/5" in output
    assert "contacts.Contact: 5/5" in output
    assert "Re-sealed 10 value(s)." in output
    assert "can be removed" in output and old in output
    assert f"contacts.Contact.phone: {new}=5" in status
    assert f"contacts.Contact.name: {new}=5" in status
    with override_settings(AMPARO_KEYS=second_key_only):
        assert read_all() == before
    assert AuditEvent.objects.filter(action="crypto.keys_rotate").count() == 1


@pytest.mark.django_db
def test_values_under_a_removed_key_no_longer_open(
    contacts_under_first_key: list[Contact], second_key_only: keyfile.KeySet
) -> None:
    with override_settings(AMPARO_KEYS=second_key_only):
        contact = Contact.objects.get(pk=contacts_under_first_key[0].pk)
        with pytest.raises(DecryptionError):
            _ = contact.phone
        assert "cannot be read" in keys("status")
        with pytest.raises(CommandError) as raised:
            keys("rotate")
    assert "contacts.Contact" in str(raised.value)
    assert "555" not in str(raised.value).replace(str(contact.pk), "")


@pytest.mark.django_db
def test_rotating_twice_rewrites_nothing_the_second_time(
    contacts_under_first_key: list[Contact], both_keys: keyfile.KeySet
) -> None:
    with override_settings(AMPARO_KEYS=both_keys):
        keys("rotate")
        assert "Re-sealed 0 value(s)." in keys("rotate")


@pytest.mark.django_db
def test_a_rotation_stopped_half_way_resumes_where_it_stopped(
    contacts_under_first_key: list[Contact], both_keys: keyfile.KeySet
) -> None:
    (table,) = [t for t in rotation.sealed_tables() if t.model is Contact]

    def killed_after_first_batch(label: str, done: int, total: int) -> Any:
        raise KeyboardInterrupt

    with override_settings(AMPARO_KEYS=both_keys):
        with pytest.raises(KeyboardInterrupt):
            rotation.rotate_table(table, batch_size=2, progress=killed_after_first_batch)
        usage = rotation.key_usage()["contacts.Contact.phone"]
        assert usage[both_keys["active"]] == 2

        assert rotation.rotate_table(table, batch_size=2) == 6  # 3 rows x 2 fields left
        assert read_all()["+18605550100"] == "Wilner Dorval"


@pytest.mark.django_db
def test_rotation_leaves_blind_indexes_working(
    contacts_under_first_key: list[Contact], both_keys: keyfile.KeySet
) -> None:
    with override_settings(AMPARO_KEYS=both_keys):
        keys("rotate")
        assert Contact.objects.matching(phone="+18605550103").get().name == "Ilse Varga"


@pytest.mark.django_db
def test_a_batch_stopped_in_the_middle_is_rolled_back_whole(
    contacts_under_first_key: list[Contact], both_keys: keyfile.KeySet, monkeypatch: Any
) -> None:
    (table,) = [t for t in rotation.sealed_tables() if t.model is Contact]
    real_seal = vault.seal
    calls = []

    def seal_then_die(plaintext: bytes, *, context: str) -> bytes:
        calls.append(context)
        if len(calls) == 3:  # row 1 is re-sealed and written, row 2 is under way
            raise KeyboardInterrupt
        return real_seal(plaintext, context=context)

    monkeypatch.setattr(vault, "seal", seal_then_die)
    with override_settings(AMPARO_KEYS=both_keys):
        with pytest.raises(KeyboardInterrupt):
            rotation.rotate_table(table, batch_size=2)
        assert rotation.key_usage()["contacts.Contact.phone"][both_keys["active"]] == 0


@pytest.mark.django_db
def test_status_counts_a_malformed_envelope_instead_of_failing(
    contacts_under_first_key: list[Contact], first_keys: keyfile.KeySet
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contacts_contact SET name = %s", [b"\x07garbage"])

    with override_settings(AMPARO_KEYS=first_keys):
        output = keys("status")

    assert f"contacts.Contact.name: {rotation.MALFORMED}=5" in output
    assert "cannot be read" in output
