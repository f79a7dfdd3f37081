from __future__ import annotations

import pytest

from amparo.audit import queries
from amparo.audit.actions import record_event
from amparo.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from amparo.audit.queries import Anchor, ChainReport, verify_chain
from amparo.crypto.vault import audit_head_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(operator):
    """A clean log of five events, #1 to #5."""
    record_event(actor=operator, action="auth.login")
    record_event(
        actor=operator, action="contact.view", target_type="contacts.contact", target_id="11"
    )
    record_event(
        actor=operator, action="incident.confirm", target_type="incidents.incident", target_id="3"
    )
    record_event(actor=None, action="retention.purge")
    record_event(actor=operator, action="auth.logout")


def test_an_empty_log_verifies(db):
    assert verify_chain() == ChainReport(ok=True, checked=0)


def test_a_clean_log_verifies(five_events):
    assert verify_chain() == ChainReport(ok=True, checked=5)


def test_a_row_edited_behind_the_models_back_is_named(five_events, tamper):
    tamper("UPDATE {event} SET target_id = %s WHERE sequence = 2", ["12"])

    assert verify_chain() == ChainReport(ok=False, checked=1, first_broken=2, reason=queries.EDITED)


def test_an_event_moved_to_another_actor_is_named(five_events, tamper, coordinator):
    tamper("UPDATE {event} SET actor_id = %s WHERE sequence = 3", [coordinator.pk])

    report = verify_chain()

    assert (report.first_broken, report.reason) == (3, queries.EDITED)


def test_a_middle_row_deleted_leaves_a_gap(five_events, tamper):
    tamper("DELETE FROM {event} WHERE sequence = 3")

    assert verify_chain() == ChainReport(ok=False, checked=2, first_broken=3, reason=queries.GAP)


def test_a_deleted_row_hidden_by_renumbering_breaks_the_links(five_events, tamper):
    tamper("DELETE FROM {event} WHERE sequence = 3")
    for sequence in (4, 5):
        tamper("UPDATE {event} SET sequence = %s WHERE sequence = %s", [sequence - 1, sequence])
    tamper("UPDATE {head} SET sequence = 4")

    report = verify_chain()

    assert (report.first_broken, report.reason) == (3, queries.RELINKED)


def test_the_newest_row_deleted_no_longer_matches_the_head(five_events, tamper):
    tamper("DELETE FROM {event} WHERE sequence = 5")

    assert verify_chain() == ChainReport(
        ok=False, checked=4, first_broken=5, reason=queries.TRUNCATED
    )


def test_two_rows_swapped_break_the_links(five_events, tamper):
    tamper("UPDATE {event} SET sequence = 1000 WHERE sequence = 2")
    tamper("UPDATE {event} SET sequence = 2 WHERE sequence = 4")
    tamper("UPDATE {event} SET sequence = 4 WHERE sequence = 1000")

    assert verify_chain() == ChainReport(
        ok=False, checked=1, first_broken=2, reason=queries.RELINKED
    )


def test_a_forged_row_appended_with_the_head_moved_is_named(five_events, tamper, operator):
    tamper(
        "INSERT INTO {event} (sequence, at, actor_id, actor_role, action, target_type, target_id,"
        " previous_hash, hash)"
        " SELECT 6, at, %s, actor_role, 'contact.view', 'contacts.contact', '11', hash, hash"
        " FROM {event} WHERE sequence = 5",
        [operator.pk],
    )
    tamper("UPDATE {head} SET sequence = 6, hash = (SELECT hash FROM {event} WHERE sequence = 6)")

    assert verify_chain() == ChainReport(ok=False, checked=5, first_broken=6, reason=queries.EDITED)


def test_a_forged_row_beyond_the_head_is_named(five_events, tamper, operator):
    tamper(
        "INSERT INTO {event} (sequence, at, actor_id, actor_role, action, target_type, target_id,"
        " previous_hash, hash)"
        " SELECT 6, at, %s, actor_role, 'contact.view', 'contacts.contact', '11', hash, hash"
        " FROM {event} WHERE sequence = 5",
        [operator.pk],
    )

    assert verify_chain() == ChainReport(
        ok=False, checked=5, first_broken=6, reason=queries.BEYOND_HEAD
    )


def test_an_edited_head_is_named(five_events, tamper):
    tamper("UPDATE {head} SET hash = %s", ["f" * 64])

    report = verify_chain()

    assert (report.ok, report.first_broken, report.reason) == (False, 5, queries.HEAD_EDITED)


def test_a_deleted_head_is_named(five_events, tamper):
    tamper("DELETE FROM {head}")

    assert verify_chain() == ChainReport(
        ok=False, checked=5, first_broken=6, reason=queries.HEAD_MISSING
    )


def test_events_appended_after_verification_began_are_left_for_the_next_run(five_events, operator):
    calls = []

    def append_while_verifying(checked, total):
        calls.append((checked, total))
        if len(calls) == 1:
            record_event(actor=operator, action="auth.login")

    report = verify_chain(progress=append_while_verifying, progress_every=2, chunk_size=2)

    assert report == ChainReport(ok=True, checked=5)
    assert verify_chain() == ChainReport(ok=True, checked=6)


def test_it_reports_progress_while_it_streams(five_events):
    calls = []

    verify_chain(
        progress=lambda checked, total: calls.append((checked, total)),
        progress_every=2,
        chunk_size=2,
    )

    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_it_reports_the_hash_the_verified_log_ends_with(five_events):
    assert verify_chain().last_hash == AuditEvent.objects.get(sequence=5).hash


def test_a_fresh_database_verifies_at_the_genesis_head(db):
    assert AuditHead.objects.values_list("sequence", "hash", "seal").get() == (0, GENESIS_HASH, "")

    report = verify_chain()

    assert report == ChainReport(ok=True, checked=0)
    assert report.last_hash == GENESIS_HASH


def test_newest_rows_deleted_and_the_head_pointed_at_an_older_event_break_the_seal(
    five_events, tamper
):
    tamper("DELETE FROM {event} WHERE sequence > 3")
    tamper("UPDATE {head} SET sequence = 3, hash = (SELECT hash FROM {event} WHERE sequence = 3)")

    assert verify_chain() == ChainReport(
        ok=False, checked=3, first_broken=4, reason=queries.HEAD_SEAL
    )


def test_a_head_stripped_of_its_seal_is_named(five_events, tamper):
    tamper("UPDATE {head} SET seal = ''")

    assert verify_chain() == ChainReport(
        ok=False, checked=5, first_broken=6, reason=queries.HEAD_SEAL
    )


def test_the_seal_of_one_head_does_not_fit_another(five_events, tamper):
    tamper("UPDATE {head} SET seal = %s", [audit_head_digest(4, GENESIS_HASH)])

    assert verify_chain().reason == queries.HEAD_SEAL


def test_every_event_and_the_head_deleted_is_named(five_events, tamper):
    tamper("DELETE FROM {event}")
    tamper("DELETE FROM {head}")

    assert verify_chain() == ChainReport(
        ok=False, checked=0, first_broken=1, reason=queries.HEAD_MISSING
    )


def test_a_head_set_back_to_the_start_while_events_remain_is_named(five_events, tamper):
    tamper("UPDATE {head} SET sequence = 0, hash = %s, seal = ''", [GENESIS_HASH])

    assert verify_chain() == ChainReport(
        ok=False, checked=0, first_broken=1, reason=queries.BEYOND_HEAD
    )


def test_an_old_head_put_back_after_truncation_needs_an_anchor_to_be_seen(operator, tamper):
    """The documented limit: a replayed head is sealed; only a head kept elsewhere shows the cut."""
    for action in ("auth.login", "contact.view", "auth.logout"):
        record_event(actor=operator, action=action)
    old_head = AuditHead.objects.values_list("sequence", "hash", "seal").get()
    record_event(actor=operator, action="auth.login")
    newest = record_event(actor=operator, action="auth.logout")
    anchor = Anchor(sequence=5, hash_prefix=newest.hash[:16])
    assert verify_chain(expect_at_least=anchor).ok

    tamper("DELETE FROM {event} WHERE sequence > 3")
    tamper("UPDATE {head} SET sequence = %s, hash = %s, seal = %s", old_head)

    assert verify_chain() == ChainReport(ok=True, checked=3)
    assert verify_chain(expect_at_least=anchor) == ChainReport(
        ok=False, checked=3, first_broken=4, reason=queries.SHORTER_THAN_ANCHOR
    )


def test_an_anchor_the_log_still_reaches_passes(five_events):
    third = AuditEvent.objects.get(sequence=3)

    for anchor in (
        Anchor(sequence=5),
        Anchor(sequence=3, hash_prefix=third.hash[:16]),
        Anchor(sequence=3, hash_prefix=third.hash),
        Anchor(sequence=0, hash_prefix=GENESIS_HASH[:8]),
    ):
        assert verify_chain(expect_at_least=anchor) == ChainReport(ok=True, checked=5), anchor


def test_an_anchor_beyond_the_end_of_the_log_fails(five_events):
    report = verify_chain(expect_at_least=Anchor(sequence=6))

    assert report == ChainReport(
        ok=False, checked=5, first_broken=6, reason=queries.SHORTER_THAN_ANCHOR
    )


def test_an_anchor_whose_event_has_another_hash_fails(five_events):
    third = AuditEvent.objects.get(sequence=3)
    other_prefix = "0" * 16 if not third.hash.startswith("0" * 16) else "f" * 16

    report = verify_chain(expect_at_least=Anchor(sequence=3, hash_prefix=other_prefix))

    assert report == ChainReport(
        ok=False, checked=5, first_broken=3, reason=queries.ANCHOR_MISMATCH
    )


def test_a_broken_chain_is_named_before_any_anchor(five_events, tamper):
    tamper("DELETE FROM {event} WHERE sequence = 3")

    report = verify_chain(expect_at_least=Anchor(sequence=5))

    assert (report.first_broken, report.reason) == (3, queries.GAP)
