"""Every write to detention cases."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.audit.actions import record_event
from amparo.cases.errors import CasesError
from amparo.cases.models import CaseSource, CaseStatus, CaseTask, DetentionCase, TaskKind

if TYPE_CHECKING:
    from amparo.accounts.models import User

REFERENCE_DIGITS = 6


def _new_reference() -> str:
    return str(secrets.randbelow(9 * 10 ** (REFERENCE_DIGITS - 1)) + 10 ** (REFERENCE_DIGITS - 1))


def open_case(
    *, source: CaseSource, tasks: Sequence[TaskKind], by: User | None = None
) -> DetentionCase:
    """Open a detention case with its first checklist; its reference is new random digits."""
    with transaction.atomic():
        for _attempt in range(20):
            try:
                with transaction.atomic():
                    case = DetentionCase.objects.create(
                        reference=_new_reference(),
                        source=source,
                        opened_at=timezone.now(),
                        opened_by=by,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 20 collisions in 900,000 references
            raise CasesError("No free case reference; try again.")
        CaseTask.objects.bulk_create(
            CaseTask(case=case, kind=kind, position=position) for position, kind in enumerate(tasks)
        )
        record_event(actor=by, action="cases.case_open", target=case)
    return case


def set_task_done(*, task: CaseTask, done: bool, by: User) -> CaseTask:
    """Tick (or untick) one checklist item of an open case."""
    with transaction.atomic():
        task = CaseTask.objects.select_for_update().select_related("case").get(pk=task.pk)
        if task.case.status != CaseStatus.OPEN:
            raise CasesError("This case is closed.")
        if done == (task.done_at is not None):
            return task
        task.done_at = timezone.now() if done else None
        task.done_by = by if done else None
        task.save(update_fields=["done_at", "done_by"])
        record_event(
            actor=by, action="cases.task_done" if done else "cases.task_reopen", target=task.case
        )
    return task
