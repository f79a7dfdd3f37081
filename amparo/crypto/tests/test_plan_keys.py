"""The plan key store: data keys apart from the database, and what shredding one means."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from django.test import override_settings

from amparo.crypto import keyfile, plan_keys, vault


def _context(plan_id: uuid.UUID) -> str:
    return vault.row_context(table="plans_plan", column="contents", row=plan_id)


def test_a_plan_sealed_under_its_key_opens_with_it() -> None:
    plan_id = uuid.uuid4()
    plan_keys.create_plan_key(plan_id)

    envelope = plan_keys.seal_plan(b"caregiver: Marta", plan_id=plan_id, context=_context(plan_id))

    assert b"Marta" not in envelope
    assert plan_keys.open_plan(envelope, plan_id=plan_id, context=_context(plan_id)) == (
        b"caregiver: Marta"
    )


def test_an_envelope_does_not_open_under_another_plans_key_or_cell() -> None:
    one, other = uuid.uuid4(), uuid.uuid4()
    plan_keys.create_plan_key(one)
    plan_keys.create_plan_key(other)
    envelope = plan_keys.seal_plan(b"secret", plan_id=one, context=_context(one))

    with pytest.raises(vault.DecryptionError):
        plan_keys.open_plan(envelope, plan_id=other, context=_context(one))
    with pytest.raises(vault.DecryptionError):
        plan_keys.open_plan(envelope, plan_id=one, context=_context(other))


def test_the_master_keys_alone_do_not_open_a_plan() -> None:
    plan_id = uuid.uuid4()
    plan_keys.create_plan_key(plan_id)
    envelope = plan_keys.seal_plan(b"secret", plan_id=plan_id, context=_context(plan_id))

    with pytest.raises(vault.DecryptionError):
        vault.unseal(envelope, context=_context(plan_id))
    for key in vault.keyring().encryption.values():
        with pytest.raises(vault.DecryptionError):
            vault._unseal_with_keys(
                envelope, context=_context(plan_id), keys={plan_keys.PLAN_KEY_ID: key}
            )


def test_a_shredded_key_is_gone_from_the_store_and_its_file() -> None:
    plan_id = uuid.uuid4()
    plan_keys.create_plan_key(plan_id)
    envelope = plan_keys.seal_plan(b"secret", plan_id=plan_id, context=_context(plan_id))
    with sqlite3.connect(plan_keys.store_path()) as db:
        (wrapped,) = db.execute(
            "SELECT wrapped FROM plan_key WHERE plan_id = ?", (str(plan_id),)
        ).fetchone()
    assert wrapped in plan_keys.store_path().read_bytes()

    assert plan_keys.shred_plan_key(plan_id) is True

    assert not plan_keys.has_plan_key(plan_id)
    with pytest.raises(plan_keys.PlanKeyMissing):
        plan_keys.open_plan(envelope, plan_id=plan_id, context=_context(plan_id))
    # secure_delete overwrote the row; the rollback journal is truncated, not kept.
    assert wrapped not in plan_keys.store_path().read_bytes()
    journal = Path(f"{plan_keys.store_path()}-journal")
    assert not journal.exists() or wrapped not in journal.read_bytes()
    assert plan_keys.shred_plan_key(plan_id) is False


def test_the_store_file_is_readable_by_its_owner_only() -> None:
    plan_keys.create_plan_key(uuid.uuid4())

    assert plan_keys.store_path().stat().st_mode & 0o077 == 0


def test_a_store_that_cannot_be_created_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    with (
        override_settings(AMPARO_PLAN_KEYSTORE=str(blocker / "keys.sqlite3")),
        pytest.raises(plan_keys.PlanKeyStoreError, match="cannot be opened"),
    ):
        plan_keys.create_plan_key(uuid.uuid4())


def test_orphan_keys_older_than_the_limit_are_shredded_and_known_ones_kept() -> None:
    kept, orphan = uuid.uuid4(), uuid.uuid4()
    plan_keys.create_plan_key(kept)
    plan_keys.create_plan_key(orphan)

    shredded = plan_keys.shred_orphan_keys(
        keep=lambda ids: {i for i in ids if i == str(kept)}, older_than="9999-01-01"
    )

    assert shredded >= 1
    assert plan_keys.has_plan_key(kept)
    assert not plan_keys.has_plan_key(orphan)


def test_a_young_orphan_is_spared() -> None:
    young = uuid.uuid4()
    plan_keys.create_plan_key(young)

    plan_keys.shred_orphan_keys(keep=lambda ids: set(), older_than="2000-01-01")

    assert plan_keys.has_plan_key(young)


def test_rotation_rewraps_data_keys_and_plans_still_open(tmp_path: Path) -> None:
    from django.conf import settings

    plan_id = uuid.uuid4()
    with override_settings(AMPARO_PLAN_KEYSTORE=str(tmp_path / "keys.sqlite3")):
        plan_keys.create_plan_key(plan_id)
        envelope = plan_keys.seal_plan(b"secret", plan_id=plan_id, context=_context(plan_id))
        old_active = settings.AMPARO_KEYS["active"]
        rotated = keyfile.with_new_active_key(settings.AMPARO_KEYS)
        with override_settings(AMPARO_KEYS=rotated):
            assert plan_keys.wrapped_key_usage() == {old_active: 1}

            assert plan_keys.rewrap_plan_keys() == 1

            assert plan_keys.wrapped_key_usage() == {rotated["active"]: 1}
            assert plan_keys.rewrap_plan_keys() == 0
            without_old = dict(
                rotated, encryption={rotated["active"]: rotated["encryption"][rotated["active"]]}
            )
            with override_settings(AMPARO_KEYS=without_old):
                assert (
                    plan_keys.open_plan(envelope, plan_id=plan_id, context=_context(plan_id))
                    == b"secret"
                )
