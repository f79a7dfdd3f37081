"""A volunteer at a clinic registers a family's plan: the same form, the code shown once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.plans.models import Plan, PlanSource
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents
from amparo.plans.tests.test_forms import plan_post

pytestmark = pytest.mark.django_db

REGISTER = reverse("plans:clinic_register")
CODE_ON_PAGE = re.compile(r'id="plan-code">(\d{4} \d{4})<')


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COORDINATOR, Role.LEGAL])
def test_clinic_staff_register_a_plan_and_see_its_code_once(client: Client, role: Role) -> None:
    volunteer = make_staff(role)
    client.force_login(volunteer)
    assert client.get(REGISTER).status_code == 200

    response = client.post(REGISTER, plan_post())

    assert response.status_code == 302
    assert response["Location"] == REGISTER
    with translation.override("en"):
        shown = client.get(REGISTER)
    page = shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert "Register another family" in page
    code = CODE_ON_PAGE.search(page)[1]  # type: ignore[index]
    plan = Plan.objects.get()
    assert find_plan(code) == plan
    assert plan.source == PlanSource.VOLUNTEER
    assert plan.registered_by == volunteer
    assert open_contents(plan).contacts[0].name == "Carmen Ficticia"
    assert AuditEvent.objects.filter(action="plans.plan_register", actor=volunteer).count() == 1
    # Shown once: the next visit is a blank form, and the volunteer is still signed in.
    again = client.get(REGISTER).content.decode()
    assert code not in again and 'id="plan-code"' not in again
    assert 'name="members-0-name"' in again


def test_the_card_can_be_downloaded_from_the_code_page(client: Client) -> None:
    client.force_login(make_staff(Role.OPERATOR))
    client.post(REGISTER, plan_post())
    page = client.get(REGISTER).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]  # type: ignore[index]

    card = client.post(reverse("plans_public:card"), {"token": token})

    assert card.status_code == 200
    assert card["Content-Type"] == "application/pdf"


def test_the_volunteers_token_opens_the_card_but_not_the_plan(client: Client) -> None:
    client.force_login(make_staff(Role.OPERATOR))
    client.post(REGISTER, plan_post())
    page = client.get(REGISTER).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page)[1]  # type: ignore[index]
    plan = Plan.objects.get()
    before = bytes(plan.sealed_contents), plan.pin_digest

    with translation.override("en"):
        edit = client.post(reverse("plans_public:edit"), plan_post(token=token, pin=None))
        pin = client.post(
            reverse("plans_public:pin"),
            {"token": token, "current_pin": "", "pin": "3691", "pin_again": "3691"},
        )
        delete = client.post(
            reverse("plans_public:delete"), {"token": token, "confirm_step": "1", "confirm": "on"}
        )

    for response in (edit, pin, delete):
        assert response.status_code == 403
        body = response.content.decode()
        assert "Carmen Ficticia" not in body and "Write your plan code and PIN again" in body
    plan.refresh_from_db()
    assert (bytes(plan.sealed_contents), plan.pin_digest) == before
    assert client.post(reverse("plans_public:card"), {"token": token}).status_code == 200


def test_a_wrong_form_comes_back_with_its_values(client: Client) -> None:
    client.force_login(make_staff(Role.LEGAL))

    response = client.post(REGISTER, plan_post(pin="1111", pin_again="1111"))

    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_pin"' in page and 'value="Carmen Ficticia"' in page
    assert not Plan.objects.exists()


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.TREASURER, Role.ADMIN])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_roles_are_refused(client: Client, role: Role, method: str) -> None:
    client.force_login(make_staff(role))

    response = getattr(client, method)(REGISTER, plan_post())

    assert response.status_code == 403
    assert not Plan.objects.exists()


def test_a_stranger_is_sent_to_sign_in(client: Client) -> None:
    response = client.post(REGISTER, plan_post())

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not Plan.objects.exists()
