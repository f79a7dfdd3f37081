"""Account events land in the audit log without the data typed at the door."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff, totp_code, wrong_totp_code
from amparo.audit.models import AuditEvent
from amparo.audit.queries import verify_chain

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


@override_settings(AMPARO_REQUIRE_MFA=True)
def test_a_full_sign_in_and_out_is_audited_in_order(client: Client) -> None:
    user = make_staff(Role.OPERATOR)
    before = len(actions())
    client.post(reverse("account_login"), {"login": user.username, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": wrong_totp_code(user)})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    client.post(reverse("account_logout"))
    assert actions()[before:] == ["auth.mfa_failed", "auth.login", "auth.logout"]
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == user
    assert login.target_id == str(user.pk)
    assert verify_chain().ok


def test_a_failed_password_is_audited_without_the_typed_name(client: Client) -> None:
    client.post(reverse("account_login"), {"login": "rosalind-invented", "password": "not-it-1234"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.target_type == ""
    assert event.target_id == ""
    assert "rosalind" not in repr(list(AuditEvent.objects.values()))
