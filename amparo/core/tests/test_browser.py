"""The base UI in a real browser: keyboard, language switch without JavaScript, CSP clean."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_keyboard_user_can_skip_to_content_and_switch_language(browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.inner_text() == "Skip to content"
    page.select_option("#language-select", "es")
    page.get_by_role("button", name="Change").click()
    assert page.locator("h2").first.inner_text() == "Si agentes de inmigración llegan a su puerta"
    assert page.locator("html").get_attribute("lang") == "es"
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()


def test_the_page_renders_without_csp_violations_with_javascript_on(browser, live_server) -> None:
    page = browser.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_by_label("Username").is_visible()
    assert not [v for v in violations if "Content Security Policy" in v]
    page.close()
