"""Done when: the public form works with JavaScript disabled (a real browser, in Spanish).

Debian's chromium with JavaScript off chooses Spanish with the language switch,
fills the form, makes a mistake, corrects it and sends it. The fields are found
by their ids: the labels change with the language.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from amparo.incidents.models import Report, ReportSource
from amparo.places.models import Town

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_sent_in_spanish_without_javascript_reaches_the_network(
    browser, live_server
) -> None:
    Town.objects.create(
        name="Hartford", state="CT", latitude=Decimal("41.76371"), longitude=Decimal("-72.68509")
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))

    page.goto(live_server.url + "/report/")
    page.select_option("#language-select", "es")
    page.locator(".language-switch button").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.url == live_server.url + "/report/"

    # A first try without saying what is seen: the form explains and keeps the rest.
    page.select_option("#id_town", label="Hartford, CT")
    page.fill("#id_where", "Park St y Main St, frente a la panadería")
    page.check("#id_agency_1")  # ICE
    page.fill("#id_agents_count", "4")
    page.locator(".report-form button[type=submit]").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.locator('a[href="#id_text"]').count() == 1
    assert page.input_value("#id_where") == "Park St y Main St, frente a la panadería"
    assert page.is_checked("#id_agency_1")
    assert not Report.objects.exists()

    page.fill("#id_text", "Dos camionetas grises, agentes con chalecos")
    page.locator(".report-form button[type=submit]").click()

    assert page.locator("#report-received").is_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    report = Report.objects.get()
    assert (report.source, report.language, report.agency, report.agents_count) == (
        ReportSource.WEB,
        "es",
        "ice",
        4,
    )
    assert report.text == "Dos camionetas grises, agentes con chalecos"
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()
