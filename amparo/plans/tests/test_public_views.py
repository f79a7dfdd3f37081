"""The public plan pages: register, see the code once, open with code and PIN, change, delete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from amparo.core import ratelimit
from amparo.crypto import plan_keys
from amparo.plans.actions import check_pin
from amparo.plans.models import Plan, PlanSource
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents
from amparo.plans.tests.factories import PIN, make_plan
from amparo.plans.tests.test_forms import plan_post
from amparo.plans.views.public import (
    MANAGE_LIMIT,
    REGISTER_LIMIT,
    TOKEN_LIFETIME_SECONDS,
    TOKEN_MAX_AGE_SECONDS,
)

pytestmark = pytest.mark.django_db

LANDING = reverse("plans_public:landing")
NEW = reverse("plans_public:new")
DONE = reverse("plans_public:registered")
MANAGE = reverse("plans_public:manage")
EDIT = reverse("plans_public:edit")
NEW_PIN = reverse("plans_public:pin")
DELETE = reverse("plans_public:delete")
CARD = reverse("plans_public:card")
CODE_ON_PAGE = re.compile(r'id="plan-code">(\d{4} \d{4})<')
TOKEN_ON_PAGE = re.compile(r'name="token" value="([^"]+)"')


def register(client: Client, **fields: Any) -> str:
    """Register through the form; return the code the next page shows."""
    response = client.post(NEW, plan_post(**fields))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == DONE
    page = client.get(DONE).content.decode()
    match = CODE_ON_PAGE.search(page)
    assert match is not None
    return match[1]


def token_of(response: Any) -> str:
    match = TOKEN_ON_PAGE.search(response.content.decode())
    assert match is not None
    return match[1]


def open_plan(client: Client, code: str, pin: str = PIN) -> Any:
    return client.post(MANAGE, {"code": code, "pin": pin})


def assert_private(response: Any) -> None:
    assert "no-store" in response["Cache-Control"]
    # No referrer leaves the site (and our URLs hold nothing secret anyway).
    assert response["Referrer-Policy"] == "same-origin"


# --- landing and form ---------------------------------------------------------------


def test_the_landing_page_says_what_is_kept_and_how_it_is_protected(
    client: Client, django_assert_num_queries: Any
) -> None:
    with translation.override("en"), django_assert_num_queries(0):
        response = client.get(LANDING)

    page = response.content.decode()
    assert response.status_code == 200
    assert_private(response)
    assert "encrypted with a key of its own" in page
    assert "Nobody on our staff reads your plan unless it is activated" in page
    assert f'href="{NEW}"' in page and f'href="{MANAGE}"' in page
    assert "<script" not in page


@pytest.mark.parametrize("language", ["en", "es", "pt", "ht"])
def test_the_form_opens_without_an_account_in_each_language(
    client: Client, language: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get(NEW, HTTP_ACCEPT_LANGUAGE=language)

    page = response.content.decode()
    assert response.status_code == 200
    assert_private(response)
    assert f'lang="{language}"' in page
    assert 'class="language-switch"' in page
    assert 'id="id_members-7-name"' in page and 'id="id_members-8-name"' not in page
    assert 'id="id_contacts-5-phone"' in page and 'id="id_contacts-6-phone"' not in page
    # The plan's language starts as the page's.
    assert re.search(rf'value="{language}"[^>]*id="id_language_\d"[^>]*checked', page)
    assert "<script" not in page


# --- registering -----------------------------------------------------------------------


def test_registering_makes_a_plan_with_what_was_typed_sealed(client: Client) -> None:
    code = register(client)

    plan = Plan.objects.get()
    assert find_plan(code) == plan
    assert plan.source == PlanSource.WEB and plan.registered_by is None
    assert plan.language == "es"
    contents = open_contents(plan)
    assert [m.name for m in contents.members] == ["Rosa Inventada", "Tito Inventado"]
    assert contents.members[0].a_number == "012345678"
    assert contents.contacts[0].phone == "+18605550142"
    assert contents.caregiver.name == "Marta Ficticia"
    sealed = bytes(plan.sealed_contents)
    for clear in (b"Carmen Ficticia", b"Rosa Inventada", b"5550142", b"012345678"):
        assert clear not in sealed
    assert code.replace(" ", "") not in plan.code_index


def test_the_code_is_shown_once_and_never_in_a_url_or_cookie(client: Client) -> None:
    response = client.post(NEW, plan_post())
    with translation.override("en"):
        shown = client.get(DONE)
    code = CODE_ON_PAGE.search(shown.content.decode())[1]  # type: ignore[index]

    assert_private(shown)
    assert "Write it down now" in shown.content.decode()
    assert code.replace(" ", "") not in response["Location"]
    for cookie in client.cookies.values():
        assert code.replace(" ", "") not in cookie.value
    # The anonymous visitor's session row is gone with the code in it.
    assert not Session.objects.exists()
    again = client.get(DONE)
    assert again.status_code == 410
    assert code not in again.content.decode()
    assert "plan-code" not in again.content.decode()


def test_the_done_page_without_a_registration_shows_nothing(client: Client) -> None:
    with translation.override("en"):
        response = client.get(DONE)

    assert response.status_code == 410
    assert "shown only once" in response.content.decode()


def test_the_done_page_offers_the_wallet_card_and_the_hotline(client: Client) -> None:
    client.post(NEW, plan_post())
    with translation.override("en"):
        page = client.get(DONE)

    token = token_of(page)
    card = client.post(CARD, {"token": token})
    assert card.status_code == 200
    assert card["Content-Type"] == "application/pdf"
    assert card.content.startswith(b"%PDF")
    assert_private(card)
    assert "555-0100" in page.content.decode()


def test_a_half_filled_form_comes_back_with_everything_but_the_pins(client: Client) -> None:
    data = plan_post(**{"contacts-0-phone": "86O 555", "documents_location": "Carpeta azul"})

    with translation.override("es"):
        response = client.post(NEW, data, HTTP_ACCEPT_LANGUAGE="es")

    page = response.content.decode()
    assert response.status_code == 400
    assert_private(response)
    assert 'id="error-summary"' in page
    assert 'href="#id_contacts-0-phone"' in page
    assert "Contacto 1" in page or "Contact 1" in page
    assert 'value="86O 555"' in page
    assert 'value="Carmen Ficticia"' in page and 'value="A12345678"' in page
    assert "Carpeta azul" in page
    assert 'value="2580"' not in page
    assert not Plan.objects.exists()


def test_registrations_from_one_client_are_limited(client: Client) -> None:
    for _ in range(REGISTER_LIMIT):
        register(client)

    refused = client.post(NEW, plan_post())

    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert Plan.objects.count() == REGISTER_LIMIT
    # Another client is not held back.
    assert Client(REMOTE_ADDR="192.0.2.9").post(NEW, plan_post()).status_code == 302


def test_a_form_with_errors_does_not_use_up_the_limit(client: Client) -> None:
    for _ in range(REGISTER_LIMIT + 2):
        assert client.post(NEW, plan_post(pin="1234", pin_again="1234")).status_code == 400

    assert client.post(NEW, plan_post()).status_code == 302


# --- opening with code and PIN -------------------------------------------------------------


def test_code_and_pin_open_the_plan_prefilled(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    _plan, code = make_plan()

    with django_assert_max_num_queries(8):
        response = open_plan(client, code[:4] + " " + code[4:])

    page = response.content.decode()
    assert response.status_code == 200
    assert_private(response)
    assert 'value="Rosa Quintanilla-Fake"' in page
    assert "A-number on file" in page and "012345678" not in page
    assert 'value="+18605550001"' in page
    assert "Blue folder under the bed" in page
    assert code not in page and PIN not in page
    assert token_of(response)


def test_the_manage_form_opens_without_queries(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get(MANAGE)

    assert response.status_code == 200
    assert_private(response)


def test_an_unknown_code_and_a_wrong_pin_get_the_same_answer(client: Client) -> None:
    plan, code = make_plan()
    other = "1" + code[1:] if code[0] != "1" else "2" + code[1:]

    with translation.override("en"):
        wrong_pin = open_plan(client, code, "9753")
        unknown = open_plan(client, other, PIN)

    assert wrong_pin.status_code == unknown.status_code == 400
    assert without_csrf(wrong_pin).replace(code, other) == without_csrf(unknown)
    plan.refresh_from_db()
    assert plan.failed_pin_attempts == 1


def without_csrf(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=3)
def test_wrong_pins_lock_the_plan_and_the_page_says_to_try_later_or_call(client: Client) -> None:
    plan, code = make_plan()

    with translation.override("en"):
        answers = [open_plan(client, code, "9753").status_code for _ in range(3)]
        locked = open_plan(client, code, PIN)

    assert answers == [400, 400, 400]
    page = locked.content.decode()
    assert locked.status_code == 400
    assert (
        "That code and PIN do not open a plan now. Check them and try again later, "
        "or call (860) 555-0100." in page
    )
    assert 'name="token"' not in page
    plan.refresh_from_db()
    assert plan.locked_until is not None


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=3)
def test_a_locked_plan_and_an_unknown_code_get_byte_identical_answers(client: Client) -> None:
    plan, code = make_plan()
    other = "1" + code[1:] if code[0] != "1" else "2" + code[1:]

    with translation.override("en"):
        real = [open_plan(client, code, "9753") for _ in range(4)]
        unknown = [open_plan(client, other, "9753") for _ in range(4)]
        real_locked_right_pin = open_plan(client, code, PIN)

    plan.refresh_from_db()
    assert plan.locked_until is not None
    for mine, theirs in zip(real, unknown, strict=True):
        assert mine.status_code == theirs.status_code == 400
        assert without_csrf(mine).replace(code, other) == without_csrf(theirs)
    assert without_csrf(real_locked_right_pin).replace(code, other) == without_csrf(unknown[-1])


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=3)
def test_an_unknown_code_counts_in_the_scope_the_sms_door_uses(client: Client) -> None:
    for _ in range(2):
        open_plan(client, "48219307", "9753")

    # The text message door asks the same counter: the code is "locked" there too.
    assert not ratelimit.allow(
        scope="plan-unknown-code", key="48219307", limit=2, window_seconds=15 * 60
    )


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=1)
def test_one_attempt_per_lock_works_for_unknown_codes_too(client: Client) -> None:
    with translation.override("en"):
        response = open_plan(client, "48219307", "9753")

    assert response.status_code == 400
    assert "do not open a plan now" in response.content.decode()


def test_code_and_pin_tries_from_one_client_are_limited(client: Client) -> None:
    for n in range(MANAGE_LIMIT):
        open_plan(client, f"4821{n:04d}", "9753")

    refused = open_plan(client, "48219999", "9753")

    assert refused.status_code == 429
    assert "Retry-After" in refused


# --- changing, new PIN, card, delete ---------------------------------------------------------


def test_the_plan_is_changed_with_the_token(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))
    data = plan_post(token=token, pin=None, pin_again=None, language="ht")
    data["contacts-0-name"] = "Nuevo Contacto"

    response = client.post(EDIT, data)

    assert response.status_code == 200, response.content.decode()
    assert_private(response)
    plan.refresh_from_db()
    contents = open_contents(plan)
    assert [c.name for c in contents.contacts] == ["Nuevo Contacto"]
    assert plan.language == "ht"
    assert 'value="Nuevo Contacto"' in response.content.decode()


def test_a_numbers_are_never_shown_back_and_are_kept_replaced_or_removed(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))

    def save(token: str, **fields: Any) -> Any:
        data = plan_post(token=token, pin=None, pin_again=None)
        data["members-0-name"] = "Rosa Quintanilla-Fake"
        data["members-0-a_number"] = ""
        data.update(fields)
        response = client.post(EDIT, data)
        assert response.status_code == 200, response.content.decode()
        plan.refresh_from_db()
        return response

    with translation.override("en"):
        kept = save(token)
        assert open_contents(plan).members[0].a_number == "012345678"
        assert "A-number on file" in kept.content.decode()
        assert "012345678" not in kept.content.decode()
        replaced = save(token_of(kept), **{"members-0-a_number": "A987654321"})
        assert open_contents(plan).members[0].a_number == "987654321"
        assert "987654321" not in replaced.content.decode()
        removed = save(token_of(replaced), **{"members-0-remove_a_number": "on"})

    assert open_contents(plan).members[0].a_number == ""
    assert "A-number on file" not in removed.content.decode()


def test_a_change_with_errors_does_not_show_the_a_number_either(client: Client) -> None:
    _plan, code = make_plan()
    token = token_of(open_plan(client, code))
    data = plan_post(token=token, pin=None, pin_again=None)
    data["members-0-name"] = "Rosa Quintanilla-Fake"
    data["members-0-a_number"] = ""
    data["contacts-0-phone"] = "bad"

    with translation.override("en"):
        response = client.post(EDIT, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "A-number on file" in page and "012345678" not in page


def test_a_change_with_errors_keeps_what_was_typed(client: Client) -> None:
    _plan, code = make_plan()
    token = token_of(open_plan(client, code))
    data = plan_post(token=token, pin=None, pin_again=None)
    data["contacts-0-phone"] = "bad"
    data["notes"] = "Notas nuevas"

    response = client.post(EDIT, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="bad"' in page and "Notas nuevas" in page
    assert token_of(response)
    assert open_contents(Plan.objects.get()).notes == "Invented notes"


def test_without_a_valid_token_nothing_changes(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))
    before = bytes(plan.sealed_contents)

    for bad in ("", token[:-2] + "xx", "plain"):
        response = client.post(EDIT, plan_post(token=bad, pin=None, pin_again=None))
        assert response.status_code == 403
        assert client.post(CARD, {"token": bad}).status_code == 403
        assert (
            client.post(DELETE, {"token": bad, "confirm_step": "1", "confirm": "on"}).status_code
            == 403
        )

    plan.refresh_from_db()
    assert bytes(plan.sealed_contents) == before


def test_the_token_expires_after_fifteen_minutes(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plan, code = make_plan()
    token = token_of(open_plan(client, code))
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + TOKEN_MAX_AGE_SECONDS + 5)

    with translation.override("en"):
        response = client.post(CARD, {"token": token})

    assert response.status_code == 403
    assert "15 minutes" in response.content.decode()


def test_a_token_kept_busy_still_ends_twenty_minutes_after_code_and_pin(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _plan, code = make_plan()
    import time

    start = float(int(time.time()))  # whole seconds, as tokens count them
    monkeypatch.setattr(time, "time", lambda: start)
    token = token_of(open_plan(client, code))
    monkeypatch.setattr(time, "time", lambda: start + 14 * 60)
    at_14 = client.post(CARD, {"token": token})
    assert at_14.status_code == 200
    ask = client.post(DELETE, {"token": token})  # a page that renews the token
    assert ask.status_code == 200
    renewed = token_of(ask)
    assert renewed != token

    monkeypatch.setattr(time, "time", lambda: start + 29 * 60)
    with translation.override("en"):
        at_29 = client.post(CARD, {"token": renewed})
        edit = client.post(EDIT, plan_post(token=renewed, pin=None, pin_again=None))

    assert at_29.status_code == edit.status_code == 403
    assert "20 minutes in all" in at_29.content.decode()
    # Idle for less than TOKEN_MAX_AGE_SECONDS: only the whole lifetime ended it.
    assert TOKEN_MAX_AGE_SECONDS >= (29 - 14) * 60 and TOKEN_LIFETIME_SECONDS < 29 * 60
    monkeypatch.setattr(time, "time", lambda: start + 14 * 60)
    fresh = token_of(open_plan(client, code))
    monkeypatch.setattr(time, "time", lambda: start + 29 * 60)
    assert client.post(CARD, {"token": fresh}).status_code == 200


def test_a_new_pin_needs_the_current_pin(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))

    with translation.override("en"):
        missing = client.post(NEW_PIN, {"token": token, "pin": "3691", "pin_again": "3691"})
        wrong = client.post(
            NEW_PIN, {"token": token, "current_pin": "9753", "pin": "3691", "pin_again": "3691"}
        )

    assert missing.status_code == wrong.status_code == 400
    assert "Write the PIN you use now." in missing.content.decode()
    assert "not the plan&#x27;s PIN now" in wrong.content.decode()
    plan.refresh_from_db()
    assert check_pin(plan=plan, pin=PIN).value == "ok"
    assert check_pin(plan=plan, pin="3691").value == "wrong"


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=3)
def test_wrong_current_pins_lock_the_plan_and_close_the_page(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))

    answers = []
    for _ in range(3):
        response = client.post(
            NEW_PIN, {"token": token, "current_pin": "9753", "pin": "3691", "pin_again": "3691"}
        )
        answers.append(response.status_code)
        if response.status_code == 400:
            token = token_of(response)

    assert answers == [400, 400, 403]
    plan.refresh_from_db()
    assert plan.locked_until is not None
    # A locked plan's tokens open nothing, not even the card.
    assert client.post(CARD, {"token": token}).status_code == 403


def test_the_registration_token_gives_the_card_but_does_not_open_the_plan(client: Client) -> None:
    client.post(NEW, plan_post())
    token = token_of(client.get(DONE))

    assert client.post(CARD, {"token": token}).status_code == 200
    edit = client.post(EDIT, plan_post(token=token, pin=None, pin_again=None))
    ask = client.post(DELETE, {"token": token})
    assert edit.status_code == ask.status_code == 403
    assert "Carmen Ficticia" not in edit.content.decode()


def test_a_get_of_a_token_page_goes_back_to_code_and_pin(client: Client) -> None:
    for url in (EDIT, NEW_PIN, DELETE, CARD):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == MANAGE


def test_a_new_pin_works_and_ends_the_old_tokens(client: Client) -> None:
    plan, code = make_plan()
    old_token = token_of(open_plan(client, code))

    with translation.override("en"):
        response = client.post(
            NEW_PIN,
            {"token": old_token, "current_pin": PIN, "pin": "3691", "pin_again": "3691"},
        )

    assert response.status_code == 200
    assert "new PIN is set" in response.content.decode()
    plan.refresh_from_db()
    assert check_pin(plan=plan, pin="3691").value == "ok"
    assert client.post(CARD, {"token": old_token}).status_code == 403
    assert client.post(CARD, {"token": token_of(response)}).status_code == 200


def test_a_weak_new_pin_is_refused_on_the_plan_page(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))

    response = client.post(
        NEW_PIN, {"token": token, "current_pin": PIN, "pin": "0000", "pin_again": "0000"}
    )

    assert response.status_code == 400
    assert 'href="#id_pin"' in response.content.decode()
    plan.refresh_from_db()
    assert check_pin(plan=plan, pin=PIN).value == "ok"


def test_the_card_comes_again_after_code_and_pin(client: Client) -> None:
    _plan, code = make_plan()
    token = token_of(open_plan(client, code))

    response = client.post(CARD, {"token": token})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert code not in response["Content-Disposition"]
    assert_private(response)


def test_deleting_asks_first_then_destroys_the_key_and_the_plan(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))

    ask = client.post(DELETE, {"token": token})
    assert ask.status_code == 200
    assert Plan.objects.filter(pk=plan.pk).exists()
    unconfirmed = client.post(DELETE, {"token": token, "confirm_step": "1"})
    assert unconfirmed.status_code == 400
    assert Plan.objects.filter(pk=plan.pk).exists()

    done = client.post(DELETE, {"token": token_of(ask), "confirm_step": "1", "confirm": "on"})

    assert done.status_code == 200
    assert_private(done)
    assert not Plan.objects.filter(pk=plan.pk).exists()
    assert not plan_keys.has_plan_key(plan.pk)
    assert find_plan(code) is None
    with pytest.raises(plan_keys.PlanKeyMissing):
        open_contents(plan)
    # The token of a deleted plan opens nothing.
    assert client.post(CARD, {"token": token}).status_code == 403


def test_a_plan_whose_key_is_gone_answers_like_a_wrong_code(client: Client) -> None:
    plan, code = make_plan()
    token = token_of(open_plan(client, code))
    plan_keys.shred_plan_key(plan.pk)  # and deleting the row failed
    other = "1" + code[1:] if code[0] != "1" else "2" + code[1:]

    with translation.override("en"):
        gone = open_plan(client, code)
        unknown = open_plan(client, other)
        edit = client.post(EDIT, plan_post(token=token, pin=None, pin_again=None))

    assert gone.status_code == unknown.status_code == 400
    assert without_csrf(gone).replace(code, other) == without_csrf(unknown)
    assert edit.status_code == 403
    assert client.post(CARD, {"token": token}).status_code == 403


def test_nothing_of_the_plan_reaches_the_logs(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    code = register(client)
    client.post(NEW, plan_post(**{"contacts-0-phone": "bad"}))
    open_plan(client, code, "9753")

    logged = caplog.text
    assert "Bad Request: /plan/new/" in logged  # the capture works
    for secret in (code, code.replace(" ", ""), "Carmen Ficticia", "Rosa Inventada", "2580"):
        assert secret not in logged


def test_the_hotline_is_the_configured_one(client: Client) -> None:
    with override_settings(AMPARO_HOTLINE_NUMBER="+18605550199"):
        page = client.get(LANDING).content.decode()

    assert "555-0199" in page
