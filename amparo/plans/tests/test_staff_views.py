"""The staff pages of family plans: activations, activating for a caller, the first hours."""

from __future__ import annotations

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.audit.models import AuditEvent
from amparo.cases.models import CaseStatus, CaseTask, DetentionCase
from amparo.channels.models import OutboundMessage
from amparo.contacts.actions import find_or_create_contact, opt_out
from amparo.contacts.models import ConsentMethod
from amparo.crypto import plan_keys
from amparo.plans.actions import (
    LOCKOUTS_CAP,
    STAFF_PIN_FAILURES_PER_PLAN,
    STAFF_PIN_FAILURES_PER_USER,
    PinCheck,
    activate_plan,
    check_pin,
    delete_plan,
)
from amparo.plans.models import ActivatedBy, Activation, ActivationNotice, Plan
from amparo.plans.tests.factories import PIN, make_contents, make_plan

pytestmark = pytest.mark.django_db

ALLOWED = [Role.OPERATOR, Role.COORDINATOR, Role.LEGAL]
REFUSED = [Role.RESPONDER, Role.TREASURER, Role.ADMIN]


def signed_in(client: Client, role: Role) -> User:
    user = make_staff(role)
    reauthenticated(client, user)
    return user


def activated(*, contacts: int = 3) -> Activation:
    plan, _code = make_plan(contents=make_contents(contacts=contacts))
    return activate_plan(plan=plan, by=ActivatedBy.PERSON).activation


def urls(activation: Activation) -> list[tuple[str, str]]:
    task = activation.case.tasks.first()
    assert task is not None
    return [
        ("get", reverse("plans:activations")),
        ("get", reverse("plans:activate")),
        ("post", reverse("plans:activate")),
        ("get", reverse("plans:activation", args=[activation.pk])),
        ("post", reverse("plans:task", args=[activation.pk, task.pk])),
    ]


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_every_plan_page(client: Client, role: Role) -> None:
    activation = activated()
    signed_in(client, role)

    for method, url in urls(activation):
        assert getattr(client, method)(url, {"done": "1"}).status_code == 403, url

    assert not CaseTask.objects.filter(done_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action__startswith="plans.activation_")


def test_someone_signed_out_is_sent_to_sign_in(client: Client) -> None:
    activation = activated()

    for method, url in urls(activation):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "login" in response["Location"], url


@pytest.mark.parametrize("role", ALLOWED)
def test_operators_coordinators_and_legal_open_every_page(client: Client, role: Role) -> None:
    activation = activated()
    signed_in(client, role)

    assert client.get(reverse("plans:activations")).status_code == 200
    assert client.get(reverse("plans:activate")).status_code == 200
    assert client.get(reverse("plans:activation", args=[activation.pk])).status_code == 200


# --- the list --------------------------------------------------------------------


def test_the_list_shows_cases_and_counts_but_nothing_of_the_plans(client: Client) -> None:
    contents = make_contents(contacts=3)
    plan, _code = make_plan(contents=contents)
    opt_out(
        contact=find_or_create_contact(phone=contents.contacts[2].phone),
        method=ConsentMethod.SMS_KEYWORD,
    )
    operator = make_staff(Role.OPERATOR)
    activation = activate_plan(plan=plan, by=ActivatedBy.OPERATOR, by_user=operator).activation
    signed_in(client, Role.LEGAL)

    with translation.override("en"):
        body = client.get(reverse("plans:activations")).content.decode()

    assert activation.case.reference in body
    assert reverse("plans:activation", args=[activation.pk]) in body
    assert operator.get_username() in body and "an operator at the hotline" in body
    assert "2 texted" in body and "1 opted out" in body
    for word in ("Rosa Quintanilla-Fake", "012345678", "Contacto Inventado", "Marta Fakename"):
        assert word not in body
    assert AuditEvent.objects.filter(action="plans.activation_list").count() == 1


def test_the_list_takes_the_same_queries_for_one_activation_or_many(client: Client) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("plans:activations")).status_code == 200
        return len(captured.captured_queries)

    activate_plan(plan=make_plan()[0], by=ActivatedBy.OPERATOR, by_user=make_staff(Role.OPERATOR))
    signed_in(client, Role.COORDINATOR)
    queries_for_list()  # the first request of a session does more (last seen, MFA)
    one = queries_for_list()
    for _ in range(4):
        activate_plan(
            plan=make_plan()[0], by=ActivatedBy.OPERATOR, by_user=make_staff(Role.OPERATOR)
        )

    assert queries_for_list() == one
    assert Activation.objects.count() == 5


# --- activating for a caller -------------------------------------------------------


def test_an_operator_activates_a_plan_with_the_callers_code_and_pin(client: Client) -> None:
    contents = make_contents(contacts=4)
    plan, code = make_plan(contents=contents)
    operator = signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        response = client.post(
            reverse("plans:activate"), {"code": f"{code[:4]} {code[4:]}", "pin": PIN}, follow=True
        )

    activation = Activation.objects.get()
    assert activation.plan == plan and activation.by == ActivatedBy.OPERATOR
    assert activation.by_user == operator
    assert response.redirect_chain[-1][0] == reverse("plans:activation", args=[activation.pk])
    page = response.content.decode()
    assert f"case {activation.case.reference} opened, 4 contacts texted" in page
    assert OutboundMessage.objects.count() == 4


def test_an_unknown_code_and_a_wrong_pin_get_the_same_refusal(client: Client) -> None:
    plan, code = make_plan()
    unknown = "99999999" if code != "99999999" else "88888888"
    signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        wrong = client.post(reverse("plans:activate"), {"code": code, "pin": "9999"})
        missing = client.post(reverse("plans:activate"), {"code": unknown, "pin": PIN})

    assert wrong.status_code == missing.status_code == 400
    refusal = "That plan code and PIN do not match."
    assert refusal in wrong.content.decode() and refusal in missing.content.decode()
    assert not Activation.objects.exists()
    plan.refresh_from_db()
    assert plan.failed_pin_attempts == 0  # staff failures never lock the family out
    assert AuditEvent.objects.filter(action="plans.pin_wrong").count() == 2


def test_a_code_that_is_not_eight_digits_is_refused_by_the_form(client: Client) -> None:
    signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        response = client.post(reverse("plans:activate"), {"code": "1234", "pin": "12"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "A plan code is 8 digits." in body and "A PIN is 4 to 8 digits." in body


def test_an_operator_activates_a_plan_locked_by_wrong_pins(client: Client) -> None:
    plan, code = make_plan()
    Plan.objects.filter(pk=plan.pk).update(locked_until=timezone.now() + dt.timedelta(hours=1))
    signed_in(client, Role.OPERATOR)

    response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert response.status_code == 302
    assert Activation.objects.get().by == ActivatedBy.OPERATOR


def test_an_operators_wrong_pins_name_them_and_do_not_lock_the_familys_plan(
    client: Client,
) -> None:
    plan, code = make_plan()
    operator = signed_in(client, Role.OPERATOR)

    for _ in range(STAFF_PIN_FAILURES_PER_USER):
        assert (
            client.post(reverse("plans:activate"), {"code": code, "pin": "9999"}).status_code == 400
        )

    plan.refresh_from_db()
    assert plan.failed_pin_attempts == 0 and plan.locked_until is None and plan.lockouts == 0
    wrong = AuditEvent.objects.filter(action="plans.pin_wrong", target_id=str(plan.pk))
    assert wrong.count() == STAFF_PIN_FAILURES_PER_USER
    assert set(wrong.values_list("actor", flat=True)) == {operator.pk}
    assert check_pin(plan=plan, pin=PIN) is PinCheck.OK  # the family is not locked out


def test_the_sixth_wrong_pin_by_one_operator_is_refused_and_coordinators_are_told(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    plan, code = make_plan()
    coordinator = make_staff(Role.COORDINATOR)
    User.objects.filter(pk=coordinator.pk).update(email="coordinator@example.org")
    operator = signed_in(client, Role.OPERATOR)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        for _ in range(STAFF_PIN_FAILURES_PER_USER):
            client.post(reverse("plans:activate"), {"code": code, "pin": "9999"})
        # Even the right PIN is not compared any more.
        refused = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert refused.status_code == 429
    assert "Too many wrong PINs in the last hour" in refused.content.decode()
    assert not Activation.objects.exists()
    assert AuditEvent.objects.filter(action="plans.pin_staff_refused", actor=operator).count() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["coordinator@example.org"]
    assert "An operator was stopped after too many wrong PINs" in sent.body
    assert operator.get_username() in sent.body
    assert code not in sent.body and str(plan.pk) not in sent.body


def test_unknown_codes_count_towards_an_operators_limit_like_wrong_pins(client: Client) -> None:
    _plan, code = make_plan()
    unknown = "99999999" if code != "99999999" else "88888888"
    signed_in(client, Role.OPERATOR)

    for _ in range(STAFF_PIN_FAILURES_PER_USER):
        assert (
            client.post(reverse("plans:activate"), {"code": unknown, "pin": PIN}).status_code == 400
        )
    refused = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert refused.status_code == 429
    assert not Activation.objects.exists()


def test_staff_together_get_a_limited_number_of_wrong_pins_on_one_plan(client: Client) -> None:
    plan, code = make_plan()
    for _ in range(STAFF_PIN_FAILURES_PER_PLAN // STAFF_PIN_FAILURES_PER_USER):
        operator = make_staff(Role.OPERATOR)
        for _ in range(STAFF_PIN_FAILURES_PER_USER):
            assert check_pin(plan=plan, pin="9999", by=operator) is PinCheck.WRONG
    fresh = signed_in(client, Role.OPERATOR)

    response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert response.status_code == 429
    assert check_pin(plan=plan, pin=PIN, by=fresh) is PinCheck.REFUSED
    assert check_pin(plan=plan, pin=PIN) is PinCheck.OK  # the family's own way stays open


def test_an_operators_failures_older_than_an_hour_no_longer_count(client: Client) -> None:
    plan, code = make_plan()
    operator = signed_in(client, Role.OPERATOR)
    for _ in range(STAFF_PIN_FAILURES_PER_USER):
        check_pin(plan=plan, pin="9999", by=operator)
    assert check_pin(plan=plan, pin=PIN, by=operator) is PinCheck.REFUSED

    later = timezone.now() + dt.timedelta(hours=1, minutes=1)
    with mock.patch("amparo.plans.actions.timezone.now", return_value=later):
        response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert response.status_code == 302


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=2)
def test_a_plan_locked_again_and_again_stops_counting_lockouts(client: Client) -> None:
    plan, _code = make_plan()
    for _ in range(LOCKOUTS_CAP + 5):
        Plan.objects.filter(pk=plan.pk).update(locked_until=None)
        check_pin(plan=plan, pin="9999")
        assert check_pin(plan=plan, pin="9999") is PinCheck.LOCKED

    plan.refresh_from_db()
    assert plan.lockouts == LOCKOUTS_CAP
    assert plan.locked_until is not None
    assert plan.locked_until - timezone.now() <= dt.timedelta(hours=24)


def test_a_second_activation_by_the_hotline_texts_nobody_again(client: Client) -> None:
    plan, code = make_plan()
    first = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation
    sent = OutboundMessage.objects.count()
    signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("plans:activation", args=[first.pk])
    assert "nobody was texted again" in response.content.decode()
    assert OutboundMessage.objects.count() == sent and Activation.objects.count() == 1


def test_a_third_activation_in_a_day_by_the_hotline_says_to_call_and_the_page_counts_it(
    client: Client,
) -> None:
    plan, code = make_plan()
    first = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation
    Activation.objects.filter(pk=first.pk).update(
        activated_at=timezone.now() - dt.timedelta(hours=3)
    )
    second = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation
    Activation.objects.filter(pk=second.pk).update(
        activated_at=timezone.now() - dt.timedelta(hours=2)
    )
    sent = OutboundMessage.objects.count()
    signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN}, follow=True)

    page = response.content.decode()
    assert "already activated twice today" in page
    assert "Activated again 1 more time after the daily limit" in page
    assert OutboundMessage.objects.count() == sent


# --- the first hours -----------------------------------------------------------------


def test_the_activation_page_shows_what_the_first_hours_need(client: Client) -> None:
    contents = make_contents(contacts=3)
    plan, _code = make_plan(contents=contents)
    opt_out(
        contact=find_or_create_contact(phone=contents.contacts[1].phone),
        method=ConsentMethod.SMS_KEYWORD,
    )
    activation = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation
    user = signed_in(client, Role.LEGAL)

    with translation.override("en"):
        body = client.get(reverse("plans:activation", args=[activation.pk])).content.decode()

    for shown in (
        activation.case.reference,
        "Rosa Quintanilla-Fake",
        "012345678",
        "Tito Quintanilla-Fake",
        "Marta Fakename",
        "Lucia Fakename",
        "Atty Invented",
        "Fake Legal Aid",
        "Blue folder under the bed",
        "Asthma inhaler",
        "Invented notes",
        contents.contacts[0].name,
        contents.contacts[0].phone,
        "not texted: this number opted out",
        "Children picked up by the caregiver",
        "Mark as done",
    ):
        assert shown in body, shown
    assert body.count(">texted<") == 2
    event = AuditEvent.objects.get(action="plans.activation_view")
    assert event.actor == user


def test_a_plan_deleted_by_the_family_leaves_its_case_and_checklist(client: Client) -> None:
    activation = activated()
    assert activation.plan is not None
    delete_plan(plan=activation.plan)
    signed_in(client, Role.COORDINATOR)

    with translation.override("en"):
        body = client.get(reverse("plans:activation", args=[activation.pk])).content.decode()

    assert "Plan deleted by the family" in body
    assert activation.case.reference in body and "Located in detention" in body
    assert "Rosa Quintanilla-Fake" not in body
    with translation.override("en"):
        listed = client.get(reverse("plans:activations")).content.decode()
    assert "plan deleted by the family" in listed


@pytest.mark.parametrize("role", ALLOWED)
def test_a_closed_case_shows_its_checklist_and_texts_but_not_the_plan(
    client: Client, role: Role
) -> None:
    activation = activated(contacts=2)
    DetentionCase.objects.filter(pk=activation.case.pk).update(status=CaseStatus.CLOSED)
    user = signed_in(client, role)

    with translation.override("en"):
        response = client.get(reverse("plans:activation", args=[activation.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "This case is closed: the plan's contents are no longer shown" in body
    assert activation.case.reference in body and "Located in detention" in body
    assert "Contact 1: texted" in body and "Contact 2: texted" in body
    for secret in (
        "Rosa Quintanilla-Fake",
        "012345678",
        "Marta Fakename",
        "Blue folder under the bed",
        "Contacto Inventado",
        "+18605550001",
    ):
        assert secret not in body, secret
    assert AuditEvent.objects.get(action="plans.activation_view").actor == user


def test_a_plan_whose_key_is_gone_shows_as_deleted_not_as_an_error(client: Client) -> None:
    activation = activated()
    assert activation.plan is not None
    plan_keys.shred_plan_key(activation.plan.pk)  # and deleting the row failed
    signed_in(client, Role.LEGAL)

    with translation.override("en"):
        response = client.get(reverse("plans:activation", args=[activation.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Plan deleted by the family" in body and "Rosa Quintanilla-Fake" not in body
    assert "Contact 1: texted" in body


def test_a_code_whose_plan_key_is_gone_cannot_be_activated(client: Client) -> None:
    plan, code = make_plan()
    plan_keys.shred_plan_key(plan.pk)
    signed_in(client, Role.OPERATOR)

    with translation.override("en"):
        response = client.post(reverse("plans:activate"), {"code": code, "pin": PIN})

    assert response.status_code == 400
    assert "That plan code and PIN do not match." in response.content.decode()
    assert not Activation.objects.exists()


def test_a_notice_whose_contact_was_forgotten_says_number_forgotten(client: Client) -> None:
    activation = activated(contacts=2)
    # What forgetting the contact does to the notice (on_delete=SET_NULL).
    ActivationNotice.objects.filter(activation=activation, position=0).update(contact=None)
    signed_in(client, Role.OPERATOR)
    url = reverse("plans:activation", args=[activation.pk])

    with translation.override("en"):
        open_case = client.get(url).content.decode()
        DetentionCase.objects.filter(pk=activation.case.pk).update(status=CaseStatus.CLOSED)
        closed = client.get(url).content.decode()

    assert open_case.count("number forgotten") == 1
    assert "texted · number forgotten" in open_case
    assert "Contact 1: texted · number forgotten" in closed
    assert "Contact 2: texted<" in closed


def test_a_task_is_ticked_and_unticked(client: Client) -> None:
    activation = activated()
    task = activation.case.tasks.get(kind="attorney_reached")
    user = signed_in(client, Role.LEGAL)
    url = reverse("plans:task", args=[activation.pk, task.pk])

    response = client.post(url, {"done": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:activation", args=[activation.pk])
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == user
    with translation.override("en"):
        page = client.get(response["Location"]).content.decode()
    assert "Mark as not done" in page

    client.post(url, {"done": "0"})

    task.refresh_from_db()
    assert task.done_at is None and task.done_by is None


def test_a_task_of_another_activation_is_not_found(client: Client) -> None:
    activation, other = activated(), activated()
    task = other.case.tasks.first()
    assert task is not None
    signed_in(client, Role.OPERATOR)

    response = client.post(reverse("plans:task", args=[activation.pk, task.pk]), {"done": "1"})
    missing = client.get(reverse("plans:activation", args=[uuid.uuid4()]))

    assert response.status_code == missing.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_a_task_of_a_closed_case_is_not_changed(client: Client) -> None:
    activation = activated()
    DetentionCase.objects.filter(pk=activation.case.pk).update(status=CaseStatus.CLOSED)
    task = activation.case.tasks.first()
    assert task is not None
    signed_in(client, Role.COORDINATOR)

    response = client.post(
        reverse("plans:task", args=[activation.pk, task.pk]), {"done": "1"}, follow=True
    )

    assert "This case is closed." in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None
