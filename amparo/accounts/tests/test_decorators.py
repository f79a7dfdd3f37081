"""role_required and sensitive_action, tried on the real admin-only staff pages."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from amparo.accounts.decorators import role_required
from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import PASSWORD, make_staff, totp_code

pytestmark = pytest.mark.django_db

STAFF_USERS = reverse("accounts:staff_users")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_every_other_role_is_refused_the_admin_only_page(client: Client, role: Role) -> None:
    client.force_login(make_staff(role))

    response = client.get(STAFF_USERS)

    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()
    assert "accounts/staff_users.html" not in [t.name for t in response.templates]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_every_other_role_is_refused_before_being_asked_to_reauthenticate(
    client: Client, role: Role
) -> None:
    user = make_staff(role)
    client.force_login(user)

    response = client.post(reverse("accounts:change_role", args=[user.pk]), {"role": Role.ADMIN})

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.role == role


def test_an_admin_opens_the_admin_only_page(client: Client) -> None:
    client.force_login(make_staff(Role.ADMIN))

    assert client.get(STAFF_USERS).status_code == 200


def test_role_required_wants_at_least_one_real_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        role_required()
    with pytest.raises(ValueError):
        role_required("janitor")  # type: ignore[arg-type]


def test_a_sensitive_action_first_asks_for_the_second_factor(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    client.force_login(admin)
    url = reverse("accounts:change_role", args=[operator.pk])

    response = client.post(url, {"role": Role.LEGAL})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?{urlencode({'next': url})}"
    operator.refresh_from_db()
    assert operator.role == Role.OPERATOR


def test_after_reauthenticating_the_suspended_action_runs(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    client.force_login(admin)
    url = reverse("accounts:change_role", args=[operator.pk])
    reauthenticate_at = client.post(url, {"role": Role.LEGAL})["Location"]

    response = client.post(reauthenticate_at, {"code": totp_code(admin)})

    assert response.status_code == 302
    assert response["Location"] == STAFF_USERS
    operator.refresh_from_db()
    assert operator.role == Role.LEGAL


def test_a_wrong_code_does_not_run_the_action(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    client.force_login(admin)
    url = reverse("accounts:deactivate", args=[operator.pk])
    reauthenticate_at = client.post(url)["Location"]

    response = client.post(reauthenticate_at, {"code": "000000"})

    assert response.status_code == 200
    operator.refresh_from_db()
    assert operator.is_active


def test_signing_in_does_not_count_as_reauthenticating(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    client.post(reverse("account_login"), {"login": admin.username, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(admin)})

    response = client.post(reverse("accounts:deactivate", args=[operator.pk]))

    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_staff_with_a_second_factor_cannot_reauthenticate_with_the_password(
    client: Client,
) -> None:
    admin = make_staff(Role.ADMIN)
    operator = make_staff(Role.OPERATOR)
    client.force_login(admin)

    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    response = client.post(reverse("accounts:deactivate", args=[operator.pk]))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_a_recent_reauthentication_covers_the_next_actions(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    first, second = make_staff(Role.OPERATOR), make_staff(Role.OPERATOR)
    client.force_login(admin)
    reauthenticate_at = client.post(reverse("accounts:deactivate", args=[first.pk]))["Location"]
    client.post(reauthenticate_at, {"code": totp_code(admin)})

    response = client.post(reverse("accounts:deactivate", args=[second.pk]))

    assert response["Location"] == STAFF_USERS
    assert not User.objects.get(pk=second.pk).is_active


def test_a_reauthentication_expires(client: Client) -> None:
    admin = make_staff(Role.ADMIN)
    first, second = make_staff(Role.OPERATOR), make_staff(Role.OPERATOR)
    client.force_login(admin)
    reauthenticate_at = client.post(reverse("accounts:deactivate", args=[first.pk]))["Location"]
    client.post(reauthenticate_at, {"code": totp_code(admin)})

    with override_settings(ACCOUNT_REAUTHENTICATION_TIMEOUT=0):
        response = client.post(reverse("accounts:deactivate", args=[second.pk]))

    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert User.objects.get(pk=second.pk).is_active


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_in_demo_mode_staff_without_a_second_factor_reauthenticate_with_the_password(
    client: Client,
) -> None:
    admin = make_staff(Role.ADMIN, second_factor=False)
    operator = make_staff(Role.OPERATOR)
    client.force_login(admin)
    url = reverse("accounts:deactivate", args=[operator.pk])
    reauthenticate_at = client.post(url)["Location"]
    assert reauthenticate_at.startswith(reverse("account_reauthenticate"))

    client.post(reauthenticate_at, {"password": PASSWORD})

    assert not User.objects.get(pk=operator.pk).is_active
