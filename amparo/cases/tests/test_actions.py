"""Opening a detention case and ticking its checklist."""

from __future__ import annotations

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.cases.actions import open_case, set_task_done
from amparo.cases.errors import CasesError
from amparo.cases.models import CaseSource, CaseStatus, TaskKind

pytestmark = pytest.mark.django_db


def test_a_case_opens_with_its_tasks_in_order_and_a_six_digit_reference() -> None:
    case = open_case(source=CaseSource.HOTLINE, tasks=[TaskKind.ATTORNEY_REACHED, TaskKind.LOCATED])

    assert case.status == CaseStatus.OPEN
    assert len(case.reference) == 6 and case.reference.isdigit()
    assert [t.kind for t in case.tasks.all()] == [TaskKind.ATTORNEY_REACHED, TaskKind.LOCATED]
    assert AuditEvent.objects.filter(action="cases.case_open", target_id=str(case.pk)).exists()


def test_ticking_a_task_records_who_and_when_and_unticking_clears_it() -> None:
    lawyer = make_staff(Role.LEGAL)
    task = open_case(source=CaseSource.HOTLINE, tasks=[TaskKind.LOCATED]).tasks.get()

    done = set_task_done(task=task, done=True, by=lawyer)
    assert done.done_at is not None and done.done_by == lawyer
    again = set_task_done(task=task, done=True, by=lawyer)
    assert again.done_at == done.done_at

    undone = set_task_done(task=task, done=False, by=lawyer)
    assert undone.done_at is None and undone.done_by is None
    actions = list(
        AuditEvent.objects.filter(target_id=str(task.case_id)).values_list("action", flat=True)
    )
    assert actions.count("cases.task_done") == 1
    assert actions.count("cases.task_reopen") == 1


def test_a_closed_case_cannot_be_ticked() -> None:
    case = open_case(source=CaseSource.HOTLINE, tasks=[TaskKind.LOCATED])
    case.status = CaseStatus.CLOSED
    case.save()

    with pytest.raises(CasesError):
        set_task_done(task=case.tasks.get(), done=True, by=make_staff(Role.LEGAL))
