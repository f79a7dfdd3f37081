"""The staff accounts page: who works for the network, their role and second factor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff, totp_code
from amparo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STAFF_USERS = reverse("accounts:staff_users")


@pytest.fixture
def admin(client: Client) -> User:
    """An admin signed in on ``client`` who re-authenticated a moment ago."""
    user = make_staff(Role.ADMIN)
    client.force_login(user)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(user)})
    return user


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_list_shows_each_account_with_role_status_and_second_factor(
    client: Client, admin: User
) -> None:
    enrolled = make_staff(Role.LEGAL)
    not_enrolled = make_staff(Role.RESPONDER, second_factor=False)

    response = client.get(STAFF_USERS)

    accounts = {a.username: a for a in response.context["accounts"]}
    assert accounts[enrolled.username].has_second_factor
    assert not accounts[not_enrolled.username].has_second_factor
    html = response.content.decode()
    for text in (enrolled.username, not_enrolled.username, "Legal", "Responder", "Not enrolled"):
        assert text in html


def test_the_list_never_shows_password_hashes(client: Client, admin: User) -> None:
    html = client.get(STAFF_USERS).content.decode()

    assert admin.password not in html
    assert "md5$" not in html


def test_the_list_labels_every_form_field(client: Client, admin: User) -> None:
    other = make_staff(Role.OPERATOR)

    html = client.get(STAFF_USERS).content.decode()

    assert f'<label for="role-{other.pk}">' in html
    assert f'<select id="role-{other.pk}" name="role">' in html


def test_opening_the_list_is_audited(client: Client, admin: User) -> None:
    client.get(STAFF_USERS)

    event = AuditEvent.objects.order_by("-sequence").first()
    assert (event.actor_id, event.action) == (admin.pk, "accounts.staff_list")


def test_the_list_costs_the_same_queries_for_3_or_30_accounts(
    client: Client, admin: User, django_assert_num_queries
) -> None:
    for _ in range(2):
        make_staff(Role.OPERATOR)
    with django_assert_num_queries(10) as few:
        client.get(STAFF_USERS)
    for _ in range(27):
        make_staff(Role.OPERATOR, second_factor=False)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(STAFF_USERS)


def test_changing_a_role_says_what_happened(client: Client, admin: User) -> None:
    operator = make_staff(Role.OPERATOR)

    response = client.post(
        reverse("accounts:change_role", args=[operator.pk]), {"role": Role.COORDINATOR}, follow=True
    )

    assert messages_on(response) == [f"{operator.username} is now Coordinator."]
    assert User.objects.get(pk=operator.pk).role == Role.COORDINATOR


def test_an_unknown_role_is_refused(client: Client, admin: User) -> None:
    operator = make_staff(Role.OPERATOR)

    response = client.post(
        reverse("accounts:change_role", args=[operator.pk]), {"role": "superuser"}, follow=True
    )

    assert messages_on(response) == ["Choose one of the listed roles."]
    assert User.objects.get(pk=operator.pk).role == Role.OPERATOR


def test_a_broken_rule_is_explained(client: Client, admin: User) -> None:
    response = client.post(
        reverse("accounts:change_role", args=[admin.pk]), {"role": Role.OPERATOR}, follow=True
    )

    assert messages_on(response) == [
        f"{admin.username} is the last active admin. Make someone else an admin first."
    ]
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_an_unknown_account_is_not_found(client: Client, admin: User) -> None:
    response = client.post(reverse("accounts:deactivate", args=[999_999]))

    assert response.status_code == 404


def test_changes_are_refused_by_get(client: Client, admin: User) -> None:
    operator = make_staff(Role.OPERATOR)

    assert client.get(reverse("accounts:deactivate", args=[operator.pk])).status_code == 405
    assert client.get(reverse("accounts:change_role", args=[operator.pk])).status_code == 405


def test_a_deactivated_user_is_signed_out_at_their_next_request(
    client: Client, admin: User
) -> None:
    operator = make_staff(Role.OPERATOR)
    their_browser = Client()
    their_browser.force_login(operator)
    assert their_browser.get(reverse("core:home")).status_code == 200

    response = client.post(reverse("accounts:deactivate", args=[operator.pk]), follow=True)

    assert messages_on(response) == [f"{operator.username} can no longer sign in."]
    response = their_browser.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
