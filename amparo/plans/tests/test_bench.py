from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from amparo.channels.models import OutboundMessage
from amparo.core.bench import discover
from amparo.crypto import plan_keys
from amparo.plans import bench
from amparo.plans.models import Activation, Plan

pytestmark = pytest.mark.django_db


def test_the_activation_bench_is_registered_and_reports_its_figures_and_baseline(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(bench, "SAMPLES", 5)
    keystore = settings.AMPARO_PLAN_KEYSTORE
    assert discover()["activation"] is bench.bench_activation

    figures = bench.bench_activation(size=8)

    assert figures["size"] == Plan.objects.count() == 8
    assert figures["samples"] == figures["activations"] == Activation.objects.count() == 5
    assert 4 <= figures["contacts_per_plan_mean"] <= 6
    for name in ("activation", "webhook", "routing", "baseline_report_text"):
        assert 0 < figures[f"{name}_p50_s"] <= figures[f"{name}_p99_s"] <= figures[f"{name}_max_s"]
    assert figures["goal_s"] == 2.0 and figures["worker_sweep_interval_s"] == 0.2
    assert figures["meets_goal"] is (figures["activation_p99_with_sweep_wait_s"] < 2.0)
    # Every contact of each activated plan got its notice, and the sender a reply.
    notices = sum(a.notices.count() for a in Activation.objects.all())
    assert notices >= 5 * 4
    assert OutboundMessage.objects.filter(in_reply_to__isnull=True).count() == notices
    # The bench kept its keys in a store of its own, gone afterwards.
    assert keystore == settings.AMPARO_PLAN_KEYSTORE
    assert not any(plan_keys.has_plan_key(pk) for pk in Plan.objects.values_list("pk", flat=True))
