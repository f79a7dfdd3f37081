"""Signing in as staff: password, then the second factor, throttled, never by signing up."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import PASSWORD, make_staff, totp_code, wrong_totp_code

pytestmark = pytest.mark.django_db

STAFF_HOME = reverse("core:home")


def sign_in(client: Client, user: User, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": user.username, "password": password})


def is_signed_in(client: Client) -> bool:
    return client.get(STAFF_HOME).status_code == 200


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_user_with_totp_reaches_staff_pages_only_after_the_code(client: Client) -> None:
    user = make_staff(Role.COORDINATOR)

    response = sign_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})

    assert response.status_code == 302
    assert response["Location"] == STAFF_HOME
    assert is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_wrong_totp_code_is_refused(client: Client) -> None:
    user = make_staff(Role.LEGAL)
    sign_in(client, user)

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_totp_code(user)})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_totp_code_works_only_once(client: Client) -> None:
    user = make_staff(Role.LEGAL)
    sign_in(client, user)
    code = totp_code(user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))
    assert not is_signed_in(client)

    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})

    assert not is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_user_without_a_second_factor_signs_in_only_to_enroll_one(client: Client) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)
    sign_in(client, user)

    response = client.get(STAFF_HOME)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_in_demo_mode_a_password_is_enough(client: Client) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)

    response = sign_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == STAFF_HOME
    assert is_signed_in(client)


# Without the MFA requirement, a password alone would sign in: these tests show it does not.
@override_settings(AMPARO_REQUIRE_MFA=False)
def test_a_wrong_password_is_refused(client: Client) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)

    response = sign_in(client, user, password="not-the-password")

    assert response.status_code == 200
    assert not is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_repeated_failed_sign_ins_are_throttled_even_with_the_right_password(
    client: Client,
) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)
    for _attempt in range(5):
        sign_in(client, user, password="guess-guess-guess")

    response = sign_in(client, user)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_four_failed_sign_ins_still_let_the_right_password_in(client: Client) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)
    for _attempt in range(4):
        sign_in(client, user, password="guess-guess-guess")

    sign_in(client, user)

    assert is_signed_in(client)


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_a_deactivated_account_cannot_sign_in(client: Client) -> None:
    user = make_staff(Role.OPERATOR, second_factor=False)
    User.objects.filter(pk=user.pk).update(is_active=False)

    sign_in(client, user)

    assert not is_signed_in(client)


def test_signup_is_closed(client: Client) -> None:
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]

    client.post(
        reverse("account_signup"),
        {"username": "stray-visitor", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert not User.objects.filter(username="stray-visitor").exists()


def test_the_admin_login_sends_everyone_to_the_staff_sign_in(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": "/staff/admin/"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fstaff%2Fadmin%2F"


def test_the_admin_login_drops_a_next_page_on_another_site(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": "https://elsewhere.example/"})

    assert response["Location"] == reverse("account_login")


def test_the_admin_login_form_cannot_be_used_to_skip_the_second_factor(client: Client) -> None:
    user = make_staff(Role.ADMIN)

    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert not is_signed_in(client)


def test_the_sign_in_page_labels_its_fields_and_offers_no_sign_up(client: Client) -> None:
    html = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login"' in html
    assert '<label for="id_password"' in html
    assert reverse("account_signup") not in html
