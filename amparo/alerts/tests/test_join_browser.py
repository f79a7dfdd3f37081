"""The join form in a real browser, JavaScript off, in Haitian Creole: a mistake, then a request."""

from __future__ import annotations

import pytest

from amparo.alerts.models import Subscription, SubscriptionStatus
from amparo.alerts.tests.subscription_factories import make_towns
from amparo.channels.models import OutboundMessage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_joining_on_the_web_without_javascript_asks_to_confirm_by_text(
    browser, live_server
) -> None:
    make_towns()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(live_server.url + "/alerts/join/")
    page.select_option("#language-select", "ht")
    page.locator(".language-switch button").click()
    assert page.locator("html").get_attribute("lang") == "ht"
    assert page.is_checked("#id_language_3")  # the page's language is the alerts' by default

    # No town yet: the form explains and keeps the number.
    page.fill("#id_phone", "860 555 0123")
    page.locator(".report-form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator('#error-summary a[href="#id_towns"]').count() == 1
    assert page.input_value("#id_phone") == "860 555 0123"

    page.select_option("#id_towns", label="Hartford, CT")
    page.fill("#id_places", "06511")
    page.locator(".report-form button[type=submit]").click()

    assert page.locator("#join-sent").is_visible()
    assert "DAKO" in page.content()
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.PENDING
    assert set(subscription.towns.values_list("name", flat=True)) == {"Hartford", "New Haven"}
    (message,) = OutboundMessage.objects.all()
    assert "DAKO" in message.body
    context.close()
