"""Done when: the rights pages work with JavaScript off, language switch included.

Debian's chromium reads /rights/ as a community member on a phone would, with
JavaScript disabled: it switches to Spanish with the language switch, opens a
topic, follows the link to an older version and back to the current one, and
asks no origin but ours for anything.
"""

from __future__ import annotations

import pytest

from amparo.browser import requests_elsewhere
from amparo.rights.actions import publish_version, review_version
from amparo.rights.tests.factories import coordinator, draft, lawyer, publish_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _newer_spanish_door() -> None:
    """A second Spanish version of "at the door", so the first becomes an older one."""
    from amparo.rights.models import Topic

    door = Topic.objects.get(slug="at-the-door")
    version = draft(
        door,
        by=coordinator(),
        language="es",
        title="En la puerta de su casa",
        body="No abra la puerta. Texto revisado de nuevo.",
    )
    publish_version(version=review_version(version=version, by=lawyer()), by=lawyer())


def test_the_rights_pages_work_without_javascript_in_spanish(browser, live_server) -> None:
    publish_seed()
    _newer_spanish_door()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    elsewhere = requests_elsewhere(page, live_server.url)

    page.goto(live_server.url + "/rights/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".rights-topics li").count() == 8
    assert "At the door" in page.locator(".rights-topics").inner_text()

    page.select_option("#language-select", "es")
    page.locator(".language-switch button").click()
    assert page.url == live_server.url + "/rights/"
    assert page.locator("html").get_attribute("lang") == "es"
    topics = page.locator(".rights-topics")
    assert "En la puerta de su casa" in topics.inner_text()
    assert "Tipos de orden (warrant)" in topics.inner_text()

    page.get_by_role("link", name="En la puerta de su casa").click()
    assert page.url == live_server.url + "/rights/at-the-door/"
    assert "Texto revisado de nuevo." in page.locator("article.rights-text").inner_text()

    page.locator(".rights-history a", has_text="1").first.click()
    assert page.url == live_server.url + "/rights/at-the-door/es/v1/"
    assert page.locator(".older-version").is_visible()
    assert "No abra la puerta" in page.locator("article.rights-text").inner_text()

    page.locator(".older-version a").click()
    assert page.url == live_server.url + "/rights/at-the-door/es/v2/"
    assert page.locator(".older-version").count() == 0

    response = page.request.get(live_server.url + "/rights/card/es.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert elsewhere == []
    context.close()
