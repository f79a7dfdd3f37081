"""Reads of family plans.

Staff never read a dormant plan: only a plan with an activation, and only while
its case is open, can be opened, by the roles that work the first hours of a
detention. The family itself reads and changes its plan with its code and PIN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.cases.models import CaseStatus, CaseTask
from amparo.crypto import plan_keys
from amparo.plans import codes
from amparo.plans.contents import PlanContents
from amparo.plans.models import Activation, ActivationNotice, NoticeStatus, Plan
from amparo.plans.sealing import open_contents

ACTIVATION_ROLES = (Role.OPERATOR, Role.COORDINATOR, Role.LEGAL)


def find_plan(code: str) -> Plan | None:
    """The plan with this code (any spelling ``normalize_code`` reads), or None.

    None too for a plan whose key is gone (shredded, and deleting the row then
    failed): it can never be opened again, so it answers as no plan at all.
    """
    normalized = codes.normalize_code(code)
    if normalized is None:
        return None
    plan = Plan.objects.filter(code_index=codes.code_index(normalized)).first()
    if plan is None or not plan_keys.has_plan_key(plan.pk):
        return None
    return plan


def _require(user: User, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


@dataclass(frozen=True)
class ActivationPage:
    activation: Activation
    # None: the case is closed (``case_closed``), or the plan was deleted since.
    contents: PlanContents | None
    notices: list[ActivationNotice]
    tasks: list[CaseTask]
    case_closed: bool = False


def access_activation(user: User, activation_id: Any) -> ActivationPage:
    """An activation, its checklist and notices, and its plan's contents while the case is open.

    Audited as ``plans.activation_view``. Once the case is closed the page still
    shows the checklist and who was texted, never the plan again.
    """
    _require(user, ACTIVATION_ROLES)
    activation = get_object_or_404(
        Activation.objects.select_related("plan", "case", "by_user"), pk=activation_id
    )
    case_closed = activation.case.status != CaseStatus.OPEN
    contents = None
    if activation.plan is not None and not case_closed:
        try:
            contents = open_contents(activation.plan)
        except plan_keys.PlanKeyMissing:
            contents = None  # its key was shredded but the row outlived it: deleted
    record_event(actor=user, action="plans.activation_view", target=activation)
    return ActivationPage(
        activation=activation,
        contents=contents,
        notices=list(activation.notices.select_related("message")),
        tasks=list(activation.case.tasks.all()),
        case_closed=case_closed,
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
