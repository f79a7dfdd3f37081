from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_public_home_needs_no_account(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Do not open the door" in response.content


def test_every_page_carries_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_no_third_party_asset(client: Client) -> None:
    html = client.get("/").content.decode()
    for marker in ('src="http', "src='http", 'href="http', "//cdn", "googleapis"):
        assert marker not in html


def test_the_demo_banner_shows_only_in_demo_mode(client: Client, settings) -> None:
    assert b"DEMO - not for real data" not in client.get("/").content
    settings.AMPARO_DEMO = True
    assert b"DEMO - not for real data" in client.get("/").content
    assert b"DEMO - not for real data" in client.get("/accounts/login/").content


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        ("es", "No abra la puerta"),
        ("pt", "Não abra a porta"),
        ("ht", "Pa louvri pòt la"),
    ],
)
def test_the_language_switch_works_without_an_account(
    client: Client, code: str, phrase: str
) -> None:
    response = client.post("/i18n/setlang/", {"language": code, "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page.content.decode().count(phrase) == 1
    assert f'lang="{code}"' in page.content.decode()


def test_every_form_field_has_a_label(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'for="language-select"' in html
    assert 'id="language-select"' in html


def test_only_admins_see_the_links_to_staff_accounts_and_administration(client: Client) -> None:
    from amparo.accounts.models import Role
    from amparo.accounts.tests.factories import make_staff

    for role in Role.values:
        client.force_login(make_staff(role))
        html = client.get("/staff/").content.decode()
        assert ('href="/staff/users/"' in html) == (role == "admin"), role
        assert ('href="/staff/admin/"' in html) == (role == "admin"), role


def test_staff_pages_are_never_kept_in_the_browser_cache(client: Client) -> None:
    from amparo.accounts.models import Role
    from amparo.accounts.tests.factories import make_staff

    client.force_login(make_staff(Role.OPERATOR))
    cache_control = client.get("/staff/")["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
