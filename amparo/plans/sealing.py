"""Sealing and opening a plan's contents under the plan's own key.

System code (activation) opens a plan through :func:`open_contents`; staff
read one only through :func:`amparo.plans.queries.access_plan`, which checks
the role and audits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amparo.crypto import plan_keys
from amparo.plans.contents import PlanContents

if TYPE_CHECKING:
    from amparo.plans.models import Plan


def seal_contents(plan: Plan, contents: PlanContents) -> bytes:
    return plan_keys.seal_plan(contents.to_json(), plan_id=plan.pk, context=plan.contents_context)


def open_contents(plan: Plan) -> PlanContents:
    """The plan's contents; raises ``PlanKeyMissing`` for a plan whose key was destroyed."""
    return PlanContents.from_json(
        plan_keys.open_plan(
            bytes(plan.sealed_contents), plan_id=plan.pk, context=plan.contents_context
        )
    )
