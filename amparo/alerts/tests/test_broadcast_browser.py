"""Done when: coordinator A drafts and submits, coordinator B approves, and the progress
bar reaches 100% against the console gateway, without a reload (broadcast_progress.js)."""

from __future__ import annotations

import pytest

from amparo.accounts.tests.factories import PASSWORD
from amparo.alerts.models import Broadcast, BroadcastStatus
from amparo.alerts.sweeps import materialize
from amparo.alerts.tests.broadcast_factories import coordinator, subscriber, town
from amparo.alerts.views import broadcasts as views
from amparo.channels.models import OutboundMessage, OutboundStatus
from amparo.channels.sweeps import send_due_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, live_server, user):
    context = browser.new_context(java_script_enabled=True, locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return context, page


def test_a_coordinator_drafts_a_second_approves_and_the_progress_bar_fills(
    browser, live_server, settings, monkeypatch
) -> None:
    from playwright.sync_api import expect

    settings.AMPARO_REQUIRE_MFA = False
    settings.AMPARO_CHANNELS = {
        "sms": {
            "gateway": "amparo.channels.gateways.console.ConsoleGateway",
            "senders": ["+18605550100"],
            "rate_per_sender": 1000.0,
            "validity_seconds": 36000,
        }
    }
    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    author, approver = coordinator(), coordinator()
    hartford = town("Hartford")
    for language in ("en", "es", "pt"):
        subscriber(hartford, language=language)
    problems: list[str] = []

    # A drafts a rights reminder from the template and submits it.
    context_a, page = _sign_in(browser, live_server, author)
    page.on("console", lambda message: problems.append(message.text))
    page.get_by_role("link", name="Community alerts").click()
    page.get_by_role("link", name="Draft an alert").click()
    page.get_by_label("Kind").select_option("rights")
    page.get_by_label("Towns").select_option(label="Hartford, CT")
    page.get_by_role("button", name="Fill in the texts from the template").click()
    assert "REMINDER" in page.get_by_label("Text in English").input_value()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#broadcast-plan")).to_contain_text("3 recipients")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator("#broadcast-state")).to_have_text("waiting for approval")
    assert page.get_by_role("button", name="Approve and send").count() == 0
    broadcast = Broadcast.objects.get()
    assert not OutboundMessage.objects.exists()
    context_a.close()

    # B opens it, sees the author, approves: the progress box appears.
    context_b, page = _sign_in(browser, live_server, approver)
    page.on("console", lambda message: problems.append(message.text))
    page.goto(f"{live_server.url}/staff/alerts/{broadcast.pk}/")
    assert author.username in page.locator(".summary").inner_text()
    page.get_by_role("button", name="Approve and send").click()
    expect(page.locator("#broadcast-state")).to_have_text("sending")
    bar = page.locator("#broadcast-progress-bar")
    expect(bar).to_have_attribute("value", "0")
    page.evaluate("window.progressNeverReloaded = true")

    # The worker makes the messages and sends them; the bar fills without a reload.
    assert materialize() == 3
    for _ in range(5):
        send_due_messages()
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {OutboundStatus.SENT}
    expect(page.locator("#broadcast-progress")).to_contain_text("100% finished", timeout=15_000)
    expect(bar).to_have_attribute("value", "3")
    assert page.evaluate("window.progressNeverReloaded") is True
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENDING and broadcast.approved_by == approver
    assert not [p for p in problems if "Content Security Policy" in p]
    context_b.close()
