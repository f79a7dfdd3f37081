"""Done-when test of issue 3: a worker killed with SIGKILL over and over loses nothing.

2,000 messages, a worker subprocess killed at random twelve times and
restarted, a fake Twilio failing 10% of requests and dropping 5% of answers
(see :mod:`amparo.channels.killdrill`, which also runs the benchmark version).
"""

from __future__ import annotations

from pathlib import Path

from amparo.channels.killdrill import run_kill_drill


def test_a_worker_killed_at_random_loses_nothing_and_duplicates_only_through_unknown(
    tmp_path: Path,
) -> None:
    report = run_kill_drill(
        messages=2000, kills=12, contacts=400, rate_per_sender=100, workdir=tmp_path
    )
    context = f"{report.figures()} log={report.log}"
    assert report.kills >= 10
    # The provider really misbehaved, and outcomes really were unknown.
    assert report.provider_failed > 0 and report.provider_dropped > 0, context
    assert report.unknown_passages > 0, context
    # Every message reached the provider and every row knows it.
    assert report.statuses == {"sent": 2000}, context
    assert report.missing == 0, context
    assert report.extra_copies <= report.kills_inside_a_send, context
    assert report.duplicated_without_unknown == 0, context
