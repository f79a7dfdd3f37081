"""Reads of family plans.

Staff never read a dormant plan: only a plan with an activation (an open case)
can be opened, by the roles that work the first hours of a detention. The
family itself reads and changes its plan with its code and PIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.cases.models import CaseTask
from amparo.plans import codes
from amparo.plans.contents import PlanContents
from amparo.plans.models import Activation, ActivationNotice, NoticeStatus, Plan
from amparo.plans.sealing import open_contents

ACTIVATION_ROLES = (Role.OPERATOR, Role.COORDINATOR, Role.LEGAL)


def find_plan(code: str) -> Plan | None:
    """The plan with this code (any spelling ``normalize_code`` reads), or None."""
    normalized = codes.normalize_code(code)
    if normalized is None:
        return None
    return Plan.objects.filter(code_index=codes.code_index(normalized)).first()


def _require(user: User, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


@dataclass(frozen=True)
class ActivationPage:
    activation: Activation
    contents: PlanContents | None  # None: the family deleted the plan since
    notices: list[ActivationNotice]
    tasks: list[CaseTask]


def access_activation(user: User, activation_id: Any) -> ActivationPage:
    """An activation, its plan's contents and checklist; audited as ``plans.activation_view``."""
    _require(user, ACTIVATION_ROLES)
    activation = get_object_or_404(
        Activation.objects.select_related("plan", "case", "by_user"), pk=activation_id
    )
    contents = open_contents(activation.plan) if activation.plan is not None else None
    record_event(actor=user, action="plans.activation_view", target=activation)
    return ActivationPage(
        activation=activation,
        contents=contents,
        notices=list(activation.notices.select_related("message")),
        tasks=list(activation.case.tasks.all()),
    )


def access_activations(user: User, *, limit: int = 50) -> list[Activation]:
    """The latest activations (no contents), audited as ``plans.activation_list``.

    Each carries counts for the list: ``texted``, ``opted_out`` (contacts not
    texted because they opted out) and ``open_tasks`` (checklist items not done).
    """
    _require(user, ACTIVATION_ROLES)
    rows: list[Activation] = list(
        Activation.objects.select_related("case", "by_user")
        .annotate(
            texted=Count("notices", filter=Q(notices__status=NoticeStatus.QUEUED), distinct=True),
            opted_out=Count(
                "notices", filter=Q(notices__status=NoticeStatus.OPTED_OUT), distinct=True
            ),
            open_tasks=Count(
                "case__tasks", filter=Q(case__tasks__done_at__isnull=True), distinct=True
            ),
        )
        .order_by("-activated_at")[:limit]
    )
    record_event(actor=user, action="plans.activation_list")
    return rows


def task_for_action(user: User, activation_id: Any, task_id: int) -> CaseTask:
    """A checklist item of this activation's case, for ticking (the action audits)."""
    _require(user, ACTIVATION_ROLES)
    return get_object_or_404(
        CaseTask.objects.select_related("case"), pk=task_id, case__activation__pk=activation_id
    )
