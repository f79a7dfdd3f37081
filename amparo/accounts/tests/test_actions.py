from __future__ import annotations

import pytest

from amparo.accounts.actions import (
    AccountsError,
    change_role,
    create_staff_user,
    deactivate_user,
)
from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import PASSWORD, make_staff
from amparo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-sequence").first()


def test_an_admin_opens_a_staff_account_that_can_sign_in() -> None:
    admin = make_staff(Role.ADMIN)

    user = create_staff_user(username="wren-legal", role=Role.LEGAL, password=PASSWORD, by=admin)

    assert user.role == Role.LEGAL
    assert user.check_password(PASSWORD)
    assert not (user.is_staff or user.is_superuser)
    event = last_event()
    assert (event.actor_id, event.action, event.target_id) == (
        admin.pk,
        "accounts.user_create",
        str(user.pk),
    )


def test_an_admin_account_gets_the_django_admin_but_is_never_a_superuser() -> None:
    user = create_staff_user(username="juniper-admin", role="admin", password=None, by=None)

    assert user.is_staff and not user.is_superuser
    assert user.has_perm("places.change_town")
    assert not user.has_perm("mfa.change_authenticator")
    assert not user.has_perm("account.change_emailaddress")


def test_the_database_refuses_a_superuser() -> None:
    from django.db import IntegrityError, transaction

    user = create_staff_user(username="hazel-admin", role="admin", password=None, by=None)
    user.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_an_account_without_a_password_cannot_sign_in_yet() -> None:
    user = create_staff_user(username="moss-operator", role=Role.OPERATOR, password=None, by=None)

    assert not user.has_usable_password()


def test_a_taken_username_is_refused() -> None:
    create_staff_user(username="heron-operator", role=Role.OPERATOR, password=None, by=None)

    with pytest.raises(AccountsError, match="taken"):
        create_staff_user(username="heron-operator", role=Role.LEGAL, password=None, by=None)


def test_only_an_admin_opens_accounts() -> None:
    coordinator = make_staff(Role.COORDINATOR)

    with pytest.raises(AccountsError, match="Only an active admin"):
        create_staff_user(username="fern-operator", role=Role.ADMIN, password=None, by=coordinator)
    assert not User.objects.filter(username="fern-operator").exists()


def test_an_admin_changes_a_role_and_it_is_audited() -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)

    change_role(user=operator, role=Role.COORDINATOR, by=admin)

    operator.refresh_from_db()
    assert operator.role == Role.COORDINATOR
    event = last_event()
    assert (event.actor_id, event.action, event.target_id) == (
        admin.pk,
        "accounts.role_change.coordinator",
        str(operator.pk),
    )


def test_a_demoted_admin_loses_the_django_admin() -> None:
    admin = make_staff(Role.ADMIN)
    other_admin = make_staff(Role.ADMIN)

    change_role(user=other_admin, role=Role.TREASURER, by=admin)

    other_admin.refresh_from_db()
    assert not (other_admin.is_staff or other_admin.is_superuser)


def test_a_promoted_admin_gets_the_django_admin() -> None:
    admin = make_staff(Role.ADMIN)
    legal = make_staff(Role.LEGAL)

    change_role(user=legal, role=Role.ADMIN, by=admin)

    legal.refresh_from_db()
    assert legal.is_staff and not legal.is_superuser


def test_the_last_active_admin_cannot_demote_themselves() -> None:
    admin = make_staff(Role.ADMIN)
    retired = make_staff(Role.ADMIN)
    deactivate_user(user=retired, by=admin)

    with pytest.raises(AccountsError, match="last active admin"):
        change_role(user=admin, role=Role.OPERATOR, by=admin)
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_an_admin_may_step_down_while_another_admin_remains() -> None:
    admin = make_staff(Role.ADMIN)
    make_staff(Role.ADMIN)

    change_role(user=admin, role=Role.LEGAL, by=admin)

    admin.refresh_from_db()
    assert admin.role == Role.LEGAL


def test_an_admin_demoted_meanwhile_can_no_longer_change_roles() -> None:
    # Two admins demoting each other: the second change runs after the first
    # committed and must see that its author is no longer an admin.
    first = make_staff(Role.ADMIN)
    second = make_staff(Role.ADMIN)
    stale_second = User.objects.get(pk=second.pk)

    change_role(user=second, role=Role.OPERATOR, by=first)

    with pytest.raises(AccountsError, match="Only an active admin"):
        change_role(user=first, role=Role.OPERATOR, by=stale_second)
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1


def test_someone_other_than_an_admin_cannot_change_roles() -> None:
    coordinator = make_staff(Role.COORDINATOR)
    operator = make_staff(Role.OPERATOR)

    with pytest.raises(AccountsError, match="Only an active admin"):
        change_role(user=operator, role=Role.ADMIN, by=coordinator)


def test_giving_the_same_role_again_changes_and_records_nothing() -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    before = AuditEvent.objects.count()

    change_role(user=operator, role=Role.OPERATOR, by=admin)

    assert AuditEvent.objects.count() == before


def test_an_admin_deactivates_an_account_and_it_is_audited() -> None:
    admin = make_staff(Role.ADMIN)
    responder = make_staff(Role.RESPONDER)

    deactivate_user(user=responder, by=admin)

    responder.refresh_from_db()
    assert not responder.is_active
    event = last_event()
    assert (event.actor_id, event.action, event.target_id) == (
        admin.pk,
        "accounts.user_deactivate",
        str(responder.pk),
    )


def test_an_admin_cannot_deactivate_themselves() -> None:
    admin = make_staff(Role.ADMIN)
    make_staff(Role.ADMIN)

    with pytest.raises(AccountsError, match="your own account"):
        deactivate_user(user=admin, by=admin)


def test_a_deactivated_admin_can_no_longer_change_accounts() -> None:
    admin = make_staff(Role.ADMIN)
    other_admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    deactivate_user(user=other_admin, by=admin)

    with pytest.raises(AccountsError, match="Only an active admin"):
        deactivate_user(user=operator, by=other_admin)
