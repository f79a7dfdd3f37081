"""The demo roster: invented, fictional numbers, the hotline covered all week, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role
from amparo.contacts.phones import is_fictional_number
from amparo.dispatch.demo import load_demo_responders
from amparo.dispatch.models import Responder, Shift, ShiftKind
from amparo.dispatch.schedule import on_call

pytestmark = pytest.mark.django_db


def test_the_demo_roster_loads_once_with_fictional_numbers() -> None:
    create_staff_user(
        username="demo-operator", role=Role.OPERATOR, password="x-demo-1234!", by=None
    )

    made = load_demo_responders()
    shifts = Shift.objects.count()

    assert made == Responder.objects.count() >= 5
    assert load_demo_responders() == 0
    assert (Responder.objects.count(), Shift.objects.count()) == (made, shifts)
    for responder in Responder.objects.select_related("contact"):
        assert responder.contact is not None and is_fictional_number(responder.contact.phone)
    assert Responder.objects.filter(user__username="demo-operator").exists()


def test_the_demo_hotline_has_an_operator_every_hour_of_the_week() -> None:
    load_demo_responders()
    start = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    for hour in range(7 * 24):
        at = start + dt.timedelta(hours=hour)
        assert on_call(at, kind=ShiftKind.OPERATOR), at
