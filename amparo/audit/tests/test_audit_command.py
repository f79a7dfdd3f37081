from __future__ import annotations

import functools
import io

import pytest
from django.core.management import CommandError, call_command

from amparo.audit.actions import record_event
from amparo.audit.management.commands import audit as audit_command
from amparo.audit.models import AuditEvent, AuditHead
from amparo.audit.queries import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(operator):
    for action in ("auth.login", "contact.view", "auth.logout"):
        record_event(actor=operator, action=action)


def run_verify(*args, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=stdout, stderr=stderr, **options)
    except SystemExit as exit_:
        return exit_.code, stdout.getvalue(), stderr.getvalue()
    return 0, stdout.getvalue(), stderr.getvalue()


def test_it_says_ok_and_exits_zero_on_a_clean_log(three_events):
    code, out, err = run_verify()

    assert code == 0
    assert "audit chain OK: 3 events" in out
    assert err == "", "a short log needs no progress lines"


def test_it_names_the_break_and_exits_one_on_tampering(three_events, tamper):
    tamper("DELETE FROM {event} WHERE sequence = 2")

    code, out, err = run_verify()

    assert code == 1
    assert "audit chain BROKEN at event #2: gap in sequence (row deleted)" in err
    assert "OK" not in out


def test_it_prints_progress_for_a_long_log(three_events, monkeypatch):
    monkeypatch.setattr(
        audit_command, "verify_chain", functools.partial(verify_chain, progress_every=1)
    )

    code, _, err = run_verify()

    assert code == 0
    assert err.splitlines() == ["checked 1 of 3 events", "checked 2 of 3 events"]


def test_it_stays_quiet_about_progress_at_verbosity_zero(three_events, monkeypatch):
    monkeypatch.setattr(
        audit_command, "verify_chain", functools.partial(verify_chain, progress_every=1)
    )

    _, out, err = run_verify(verbosity=0)

    assert err == ""
    assert "audit chain OK: 3 events" in out


def test_it_needs_a_subcommand(db):
    with pytest.raises(CommandError):
        call_command("audit")


def test_it_prints_the_head_it_verified_as_an_anchor(three_events):
    third = AuditEvent.objects.get(sequence=3)

    code, out, _ = run_verify()

    assert code == 0
    assert f"head 3:{third.hash[:16]} " in out
    assert f"--expect-at-least 3:{third.hash[:16]}" in out


def test_it_prints_the_genesis_head_of_a_fresh_database(db):
    code, out, _ = run_verify()

    assert code == 0
    assert "audit chain OK: 0 events" in out
    assert "head 0:0000000000000000 " in out


def test_an_anchor_the_log_still_reaches_passes(three_events, operator):
    second = AuditEvent.objects.get(sequence=2)
    record_event(actor=operator, action="auth.login")

    for anchor in ("2", f"2:{second.hash[:16]}", f"2:{second.hash.upper()}"):
        code, out, err = run_verify("--expect-at-least", anchor)
        assert (code, err) == (0, ""), anchor
        assert "audit chain OK: 4 events" in out


def test_an_anchor_catches_a_log_cut_back_to_an_old_head(three_events, operator, tamper):
    old_head = AuditHead.objects.values_list("sequence", "hash", "seal").get()
    record_event(actor=operator, action="auth.login")
    record_event(actor=operator, action="auth.logout")
    _, out, _ = run_verify()
    anchor = out.split("--expect-at-least ")[1].split(")")[0]
    assert anchor.startswith("5:")

    tamper("DELETE FROM {event} WHERE sequence > 3")
    tamper("UPDATE {head} SET sequence = %s, hash = %s, seal = %s", old_head)
    assert run_verify()[0] == 0, "an old head put back is sealed: only the anchor can tell"

    code, out, err = run_verify("--expect-at-least", anchor)

    assert code == 1
    assert (
        "audit chain BROKEN at event #4: log ends before the expected anchor "
        "(newest events deleted)" in err
    )
    assert "OK" not in out


def test_an_anchor_whose_event_has_another_hash_fails(three_events):
    third = AuditEvent.objects.get(sequence=3)
    other = "0" * 16 if not third.hash.startswith("0" * 16) else "1" * 16

    code, _, err = run_verify("--expect-at-least", f"3:{other}")

    assert code == 1
    assert "audit chain BROKEN at event #3: event at the expected anchor has another hash" in err


@pytest.mark.parametrize("anchor", ["", "x", "-1", "3:", "3:abc", "3:zzzzzzzz", "3:" + "a" * 65])
def test_it_refuses_a_malformed_anchor(three_events, anchor):
    with pytest.raises(CommandError, match="SEQ:HASHPREFIX"):
        run_verify("--expect-at-least", anchor)
