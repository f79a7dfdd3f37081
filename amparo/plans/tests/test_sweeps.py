"""What PlansConfig.ready registers, and the daily sweep of orphan plan keys."""

from __future__ import annotations

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.utils import timezone

from amparo.core.worker import registered_sweeps
from amparo.crypto import plan_keys, rotation
from amparo.intake.keywords import registered_keywords
from amparo.plans import sms
from amparo.plans.sweeps import shred_orphan_plan_keys
from amparo.plans.tests.factories import make_plan

pytestmark = pytest.mark.django_db


def test_the_app_registers_its_keywords_its_sweep_and_its_key_store_for_rotation() -> None:
    names = {keyword.name for keyword in registered_keywords()}
    assert {sms.ACTIVATE, sms.STATUS, sms.NEW_PIN, sms.DELETE} <= names
    sweeps = {sweep.name: sweep.every for sweep in registered_sweeps()}
    assert sweeps["plans.shred_orphan_keys"] == 24 * 3600
    assert "plan key store" in rotation._token_stores


def test_the_sweep_destroys_day_old_keys_without_a_plan_and_keeps_the_others() -> None:
    plan, _code = make_plan()
    orphan, fresh_orphan = uuid.uuid4(), uuid.uuid4()
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=two_days_ago):
        plan_keys.create_plan_key(orphan)
    plan_keys.create_plan_key(fresh_orphan)  # a registration under way right now

    assert shred_orphan_plan_keys() == 1

    assert not plan_keys.has_plan_key(orphan)
    assert plan_keys.has_plan_key(fresh_orphan) and plan_keys.has_plan_key(plan.pk)
