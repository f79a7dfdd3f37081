"""Sweeps of the plans app (registered from PlansConfig.ready)."""

from __future__ import annotations

from amparo.core.worker import register_sweep
from amparo.plans.actions import shred_orphan_keys


@register_sweep("plans.shred_orphan_keys", every=24 * 3600.0)
def shred_orphan_plan_keys() -> int:
    """Data keys with no plan (a registration that failed, a delete cut short) are destroyed."""
    return shred_orphan_keys()
