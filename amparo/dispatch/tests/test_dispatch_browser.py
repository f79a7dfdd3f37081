"""Done when: a coordinator dispatches from the incident's page and sees the accept arrive.

A real browser (Debian's chromium) with JavaScript on: the page's own script
(``amparo/live_rows.js``, allowed by the CSP's ``script-src 'self'``)
refreshes the offers' rows. The responder's "1 <code>" is stored and routed
by the test, as the worker would after the provider's webhook.
"""

from __future__ import annotations

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff
from amparo.dispatch.models import Offer, OfferStatus
from amparo.dispatch.tests.test_offers import an_incident, phone_of, responder_near
from amparo.dispatch.views import offers as views
from amparo.intake.tests.texts import text_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_dispatches_from_the_incident_and_sees_the_accept_without_reload(
    browser, live_server, settings, monkeypatch
) -> None:
    from playwright.sync_api import expect

    settings.AMPARO_REQUIRE_MFA = False
    monkeypatch.setattr(views, "POLL_SECONDS", 1)
    coordinator = make_staff(Role.COORDINATOR, second_factor=False)
    incident = an_incident()
    near = responder_near("Invented Near Rosa", km_away=1)
    far = responder_near("Invented Far Jean", km_away=4)
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))

    # Sign in, open the incident's page and follow its dispatch link.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/staff/incidents/{incident.pk}/")
    page.get_by_role("link", name="Dispatch: responders and offers").click()
    assert page.get_by_role("heading", name="Dispatch: Hartford", level=1).is_visible()

    # Tick both proposed responders, one needed, send.
    form = page.locator("#offer-form")
    form.get_by_label("Invented Near Rosa").check()
    form.get_by_label("Invented Far Jean").check()
    form.get_by_label("Responders needed").fill("1")
    form.get_by_role("button", name="Send offers").click()
    expect(page.locator(".messages")).to_contain_text("Offers sent to 2 responders")
    offer = Offer.objects.get(responder=near)
    status = page.locator(f"#offer-{offer.pk} .status")
    expect(status).to_have_text("offered")
    page.evaluate("window.dispatchNeverReloaded = true")  # gone if the page reloads

    # The nearest responder texts "1 <code>"; the worker would route it like this.
    text_in(f"1 {offer.code}", phone=phone_of(near))
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED

    expect(status).to_have_text("accepted", timeout=15_000)
    assert page.evaluate("window.dispatchNeverReloaded") is True
    expect(page.locator(f"#offer-{Offer.objects.get(responder=far).pk} .status")).to_have_text(
        "offered"
    )
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()
