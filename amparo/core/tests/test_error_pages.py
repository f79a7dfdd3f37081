from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_missing_page_answers_in_the_visitors_language(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "pt", "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Página não encontrada" in response.content.decode()


def test_a_stale_form_gets_a_plain_explanation_not_a_technical_one() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "es"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert "CSRF" not in response.content.decode()


def test_the_server_error_page_renders_without_a_request() -> None:
    html = get_template("500.html").render()
    assert "Something went wrong" in html
