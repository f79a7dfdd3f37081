"""Session policy: idle and absolute timeouts; MFA before anything else."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from amparo.accounts.middleware import LOGIN_AT, SEEN_AT
from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff, totp_code

pytestmark = pytest.mark.django_db

STAFF_HOME = reverse("core:home")
MINUTE = 60
HOUR = 60 * MINUTE


@pytest.fixture
def signed_in(client: Client) -> Client:
    """A client that signed in through allauth, so the session clock started at sign-in."""
    user = make_staff(Role.COORDINATOR)
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert client.get(STAFF_HOME).status_code == 200
    return client


def set_clock(client: Client, *, signed_in_ago: int, last_seen_ago: int) -> None:
    now = int(time.time())
    session = client.session
    session[LOGIN_AT] = now - signed_in_ago
    session[SEEN_AT] = now - last_seen_ago
    session.save()


def assert_signed_out(client: Client) -> None:
    response = client.get(STAFF_HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fstaff%2F"
    # Signed out for good, not only redirected once.
    assert client.get(STAFF_HOME).status_code == 302
    assert "_auth_user_id" not in client.session


def test_signing_in_starts_the_session_clock(signed_in: Client) -> None:
    session = signed_in.session

    assert abs(session[LOGIN_AT] - time.time()) < 5
    assert abs(session[SEEN_AT] - time.time()) < 5


def test_the_defaults_are_30_idle_minutes_and_12_hours_in_all() -> None:
    assert settings.AMPARO_SESSION_IDLE_SECONDS == 30 * MINUTE
    assert settings.AMPARO_SESSION_ABSOLUTE_SECONDS == 12 * HOUR


def test_more_than_30_idle_minutes_sign_the_user_out(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=HOUR, last_seen_ago=30 * MINUTE + 1)

    assert_signed_out(signed_in)


def test_a_timed_out_user_is_told_why(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=HOUR, last_seen_ago=HOUR)

    response = signed_in.get(STAFF_HOME, follow=True)

    assert "Your session ended. Please sign in again." in response.content.decode()


def test_more_than_12_hours_sign_the_user_out_even_when_active(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=12 * HOUR + 1, last_seen_ago=MINUTE)

    assert_signed_out(signed_in)


def test_an_active_user_within_both_limits_stays_signed_in(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=11 * HOUR, last_seen_ago=29 * MINUTE)

    assert signed_in.get(STAFF_HOME).status_code == 200
    assert abs(signed_in.session[SEEN_AT] - time.time()) < 5
    assert signed_in.session[LOGIN_AT] < time.time() - 11 * HOUR + 5


def test_activity_keeps_an_idle_clock_from_running_out(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=HOUR, last_seen_ago=20 * MINUTE)
    signed_in.get(STAFF_HOME)
    set_clock(signed_in, signed_in_ago=HOUR, last_seen_ago=20 * MINUTE)

    assert signed_in.get(STAFF_HOME).status_code == 200


@override_settings(AMPARO_SESSION_IDLE_SECONDS=5 * MINUTE)
def test_the_idle_limit_follows_the_setting(signed_in: Client) -> None:
    set_clock(signed_in, signed_in_ago=HOUR, last_seen_ago=5 * MINUTE + 1)

    assert_signed_out(signed_in)


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_without_a_second_factor_only_the_account_pages_open(client: Client) -> None:
    client.force_login(make_staff(Role.COORDINATOR, second_factor=False))

    assert client.get(STAFF_HOME)["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_index")).status_code == 200


@override_settings(AMPARO_REQUIRE_MFA=False)
def test_in_demo_mode_staff_without_a_second_factor_get_in(client: Client) -> None:
    client.force_login(make_staff(Role.COORDINATOR, second_factor=False))

    assert client.get(STAFF_HOME).status_code == 200
