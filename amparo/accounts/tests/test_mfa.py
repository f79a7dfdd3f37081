"""Second-factor secrets are sealed with Amparo's keys and follow key rotation."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff, totp_code
from amparo.crypto import keyfile, vault
from amparo.crypto.rotation import key_usage, rotate_all

pytestmark = pytest.mark.django_db


def raw_data(authenticator: Authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


def test_the_totp_secret_is_not_stored_in_the_clear() -> None:
    user = make_staff(Role.OPERATOR)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = vault.unseal_text(totp.data["secret"], context="allauth.mfa_authenticator|secret")
    stored = raw_data(totp)
    assert secret not in stored
    assert vault.TEXT_PREFIX in stored


def test_recovery_code_seeds_are_sealed_too() -> None:
    user = make_staff(Role.LEGAL)
    codes = RecoveryCodes.activate(user)
    assert codes.instance.data["seed"].startswith(vault.TEXT_PREFIX)
    assert len(codes.get_unused_codes()) == 10


def test_a_plain_secret_written_behind_allauths_back_is_refused(client: Client) -> None:
    user = make_staff(Role.COORDINATOR)
    Authenticator.objects.filter(user=user).update(data={"secret": "JBSWY3DPEHPK3PXP"})
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    with pytest.raises(vault.DecryptionError):
        client.post(reverse("mfa_authenticate"), {"code": "123456"})


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_rotation_reseals_mfa_secrets_and_sign_in_still_works(client: Client, settings) -> None:
    user = make_staff(Role.OPERATOR)
    old_key = settings.AMPARO_KEYS["active"]
    settings.AMPARO_KEYS = keyfile.with_new_active_key(settings.AMPARO_KEYS)
    assert key_usage()["mfa.Authenticator.data"] == {old_key: 1}

    rotate_all()

    new_key = settings.AMPARO_KEYS["active"]
    assert key_usage()["mfa.Authenticator.data"] == {new_key: 1}
    without_old = dict(settings.AMPARO_KEYS)
    without_old["encryption"] = {new_key: settings.AMPARO_KEYS["encryption"][new_key]}
    settings.AMPARO_KEYS = without_old
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
