from __future__ import annotations

import functools
import io

import pytest
from django.core.management import CommandError, call_command

from amparo.audit.actions import record_event
from amparo.audit.management.commands import audit as audit_command
from amparo.audit.queries import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events(operator):
    for action in ("auth.login", "contact.view", "auth.logout"):
        record_event(actor=operator, action=action)


def run_verify(**options):
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=stdout, stderr=stderr, **options)
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
