"""The demo's family plans: made once, by the demo operator, with no code in what is printed."""

from __future__ import annotations

import re

import pytest

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role
from amparo.plans.demo import load_demo_plans
from amparo.plans.models import Plan, PlanSource
from amparo.plans.sealing import open_contents

pytestmark = pytest.mark.django_db


def test_the_demo_plans_are_made_once_and_no_code_is_printed() -> None:
    operator = create_staff_user(
        username="demo-operator", role=Role.OPERATOR, password="x-demo-only-1", by=None
    )

    said = load_demo_plans()

    assert said.startswith("2 new family plans")
    assert not re.search(r"\d{4} ?\d{4}", said)
    plans = list(Plan.objects.all())
    assert len(plans) == 2
    assert {plan.source for plan in plans} == {PlanSource.VOLUNTEER}
    assert {plan.registered_by for plan in plans} == {operator}
    assert all(open_contents(plan).contacts for plan in plans)
    assert load_demo_plans() == "0 new family plans"
    assert Plan.objects.count() == 2


def test_without_the_demo_accounts_nothing_is_made() -> None:
    assert load_demo_plans() == "0 new family plans"
    assert not Plan.objects.exists()
