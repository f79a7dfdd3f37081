"""The public plan form in a real browser, JavaScript off, in Spanish: a mistake, a plan,
then opening it with code and PIN."""

from __future__ import annotations

import pytest

from amparo.plans.models import Plan
from amparo.plans.sealing import open_contents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_family_registers_and_opens_its_plan_without_javascript(browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(live_server.url + "/plan/")
    page.select_option("#language-select", "es")
    page.locator(".language-switch button").click()
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator('a[href="/plan/new/"]').click()
    assert page.is_checked("#id_language_1")  # the plan's language starts as the page's

    # Half filled: a contact without a phone, PINs that differ.
    page.fill("#id_members-0-name", "Rosa Inventada")
    page.fill("#id_members-0-a_number", "A12345678")
    page.fill("#id_members-1-name", "Tito Inventado")
    page.check("#id_members-1-is_child")
    page.fill("#id_contacts-0-name", "Carmen Ficticia")
    page.select_option("#id_contacts-0-language", "pt")
    page.fill("#id_documents_location", "Carpeta azul")
    page.fill("#id_pin", "2580")
    page.fill("#id_pin_again", "2581")
    page.locator(".report-form button[type=submit]").click()

    assert page.locator("#error-summary").is_visible()
    assert page.locator('#error-summary a[href="#id_contacts-0-phone"]').count() == 1
    assert page.locator('#error-summary a[href="#id_pin_again"]').count() == 1
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.input_value("#id_members-0-name") == "Rosa Inventada"
    assert page.input_value("#id_members-0-a_number") == "A12345678"
    assert page.is_checked("#id_members-1-is_child")
    assert page.input_value("#id_contacts-0-name") == "Carmen Ficticia"
    assert page.input_value("#id_contacts-0-language") == "pt"
    assert page.input_value("#id_documents_location") == "Carpeta azul"
    assert page.input_value("#id_pin") == ""  # PINs are typed again
    assert not Plan.objects.exists()

    page.fill("#id_contacts-0-phone", "860 555 0142")
    page.fill("#id_pin", "2580")
    page.fill("#id_pin_again", "2580")
    page.locator(".report-form button[type=submit]").click()

    assert page.locator("#plan-registered").is_visible()
    code = page.locator("#plan-code").inner_text()
    assert len(code.replace(" ", "")) == 8
    assert code.replace(" ", "") not in page.url
    plan = Plan.objects.get()
    assert open_contents(plan).contacts[0].phone == "+18605550142"
    assert plan.language == "es"

    # Shown once: coming back shows no code.
    page.reload()
    assert page.locator("#code-gone").is_visible()
    assert page.locator("#plan-code").count() == 0

    page.goto(live_server.url + "/plan/manage/")
    page.fill("#id_code", code)
    page.fill("#id_pin", "2580")
    page.locator(".report-form button[type=submit]").click()

    assert page.locator("#plan-open").is_visible()
    assert page.input_value("#id_members-0-name") == "Rosa Inventada"
    # A-numbers are write-only once stored: the page says one is on file, never which.
    assert page.input_value("#id_members-0-a_number") == ""
    assert page.locator("#members-0-a-number-on-file").is_visible()
    assert "012345678" not in page.content()
    assert page.input_value("#id_contacts-0-phone") == "+18605550142"
    assert page.input_value("#id_documents_location") == "Carpeta azul"
    assert "/plan/manage/" in page.url and code.replace(" ", "") not in page.url
    context.close()
