"""Done when: a report appears on a coordinator's open board without a reload; they confirm it.

A real browser (Debian's chromium) with JavaScript on: the board's own script
(``amparo/live_rows.js``, allowed by the CSP's ``script-src 'self'``) refreshes
the rows. The report is texted from the demo's phone simulator, in a second
tab of the same signed-in browser.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff
from amparo.incidents import views
from amparo.incidents.models import Incident, IncidentState
from amparo.places.actions import add_town

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_appears_on_the_open_board_and_a_coordinator_confirms_it(
    browser, live_server, settings, monkeypatch
) -> None:
    from playwright.sync_api import expect

    settings.AMPARO_REQUIRE_MFA = False
    settings.AMPARO_DEMO = True  # the phone simulator exists only in the demo
    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    coordinator = make_staff(Role.COORDINATOR, second_factor=False)
    hartford = add_town(
        name="Hartford", state="CT", latitude=Decimal("41.76371"), longitude=Decimal("-72.68509")
    )
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))

    # Sign in and open the board from the staff home: nothing is on it yet.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Incident board").click()
    assert page.get_by_role("heading", name="Incident board", level=1).is_visible()
    expect(page.locator("#board-rows")).to_contain_text("No open incident matches")
    page.evaluate("window.boardNeverReloaded = true")  # gone if the page reloads

    # A text arrives from the phone simulator (second tab): intake makes it a report.
    phone = context.new_page()
    phone.goto(live_server.url + "/staff/messages/simulator/")
    phone.get_by_label("Text message").fill("ICE agents at the bus stop on Main St in Hartford")
    phone.get_by_role("button", name="Send text").click()
    assert "ICE agents at the bus stop" in phone.locator("#phone-thread").inner_text()
    phone.close()
    incident = Incident.objects.get()
    assert incident.town == hartford

    # Its row appears without a reload.
    row_link = page.locator("#board-rows").get_by_role("link", name="Hartford")
    expect(row_link).to_be_visible(timeout=15_000)
    expect(page.locator("#board-live")).to_contain_text("1 open incident")
    assert page.evaluate("window.boardNeverReloaded") is True

    # The coordinator opens it and confirms it on a responder's word.
    row_link.click()
    assert "ICE agents at the bus stop" in page.locator(".reports").inner_text()
    confirm = page.locator("#confirm-form")
    confirm.get_by_label("A trusted responder is on site").check()
    confirm.get_by_label("Why").fill("Ana (responder) is there and sees two vans")
    confirm.get_by_role("button", name="Confirm").click()

    expect(page.locator("#incident-state")).to_have_text("confirmed")
    assert "Confirmed." in page.locator(".messages").inner_text()
    incident.refresh_from_db()
    assert incident.state == IncidentState.CONFIRMED
    assert "Ana (responder) is there" in page.locator(".timeline").inner_text()
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()
