"""Done when: a text from the phone simulator reaches an operator, whose reply comes back.

A real browser (Debian's chromium, JavaScript off: the pages must not need it)
signs in through the real sign-in page. The outbox sweep the worker runs is run
here, in the test process, between the steps.
"""

from __future__ import annotations

import time

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import PASSWORD, make_staff
from amparo.channels.models import OutboundMessage, OutboundStatus
from amparo.channels.sweeps import send_due_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_the_send_sweep_until_nothing_waits(*, timeout: float = 15.0) -> None:
    """What the worker does: send due outbox rows (the channel's throttle may pace them)."""
    deadline = time.monotonic() + timeout
    while OutboundMessage.objects.filter(status=OutboundStatus.PENDING).exists():
        assert time.monotonic() < deadline, "the outbox sweep left messages unsent"
        if not send_due_messages():
            time.sleep(0.2)


def test_a_text_from_the_simulator_reaches_an_operator_whose_reply_reaches_the_phone(
    browser, live_server, settings
) -> None:
    settings.AMPARO_DEMO = True
    settings.AMPARO_REQUIRE_MFA = False
    operator = make_staff(Role.OPERATOR, second_factor=False)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text))

    # Sign in through the real sign-in page and open the simulator from the staff home.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(operator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Phone simulator").click()
    assert page.get_by_role("heading", name="Phone simulator", level=1).is_visible()

    # The fake phone texts the network.
    assert page.get_by_label("Fake phone number").input_value() == "+18605550142"
    page.get_by_label("Phone's language").select_option("es")
    page.get_by_label("Text message").fill("hay agentes en la esquina")
    page.get_by_role("button", name="Send text").click()
    thread = page.locator("#phone-thread")
    assert "hay agentes en la esquina" in thread.inner_text()
    run_the_send_sweep_until_nothing_waits()  # intake's automatic answer
    page.get_by_role("link", name="Refresh the phone").click()
    answers_before = page.locator("#phone-thread li.theirs").count()
    assert answers_before >= 1

    # An operator finds it in the inbox and replies.
    page.get_by_role("link", name="Operators' inbox").click()
    conversation = page.get_by_role("link", name="Conversation with •••• 0142")
    assert conversation.is_visible()
    assert "+18605550142" not in page.content()
    conversation.click()
    assert "hay agentes en la esquina" in page.locator(".thread").inner_text()
    page.get_by_label("Your reply").fill("Vamos para allá")
    page.get_by_role("button", name="Send reply").click()
    assert "Your reply is queued" in page.locator(".messages").inner_text()

    # The worker sends it, and the phone shows it.
    run_the_send_sweep_until_nothing_waits()
    assert OutboundMessage.objects.get(sent_by=operator).status == OutboundStatus.SENT
    page.goto(live_server.url + "/staff/messages/simulator/")
    received = page.locator("#phone-thread li.theirs")
    assert received.count() == answers_before + 1
    assert "Vamos para allá" in received.last.inner_text()
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()
