"""Adding, changing and taking responders off the roster; adding and removing shifts."""

from __future__ import annotations

import datetime as dt

import pytest

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.contacts.models import Contact
from amparo.dispatch import actions
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import Responder, Shift, ShiftKind, Skill
from amparo.dispatch.queries.roster import responder_for_feed
from amparo.dispatch.tests.factories import make_responder, weekly

pytestmark = pytest.mark.django_db

NAME = "Invented Rosa Quintero"
PHONE = "+18605550131"


def test_an_sms_only_responder_gets_a_contact_and_a_sealed_name() -> None:
    coordinator = make_staff(Role.COORDINATOR)

    responder = actions.add_responder(
        by=coordinator,
        display_name=NAME,
        phone="(860) 555-0131",
        language="es",
        skills=[Skill.VERIFIER, Skill.INTERPRETER, Skill.VERIFIER],
        languages=["es", "pt"],
        home_point={"lat": 41.76, "lon": -72.67},
        travel_radius_km=25,
        trained_on=dt.date(2026, 1, 10),
    )

    responder.refresh_from_db()
    assert responder.contact is not None and responder.contact.phone == PHONE
    assert responder.contact.language == "es"
    assert responder.display_name == NAME
    assert responder.skills == ["interpreter", "verifier"]
    assert responder.home_point == {"lat": 41.76, "lon": -72.67}
    raw = Responder.objects.filter(pk=responder.pk).values_list("display_name", "home_point")
    assert all(NAME not in str(value) and "41.76" not in str(value) for value in raw.get())
    event = AuditEvent.objects.get(action="dispatch.responder_add")
    assert (event.actor_id, event.target_id) == (coordinator.pk, str(responder.pk))


def test_an_existing_contact_is_reused_for_the_same_number() -> None:
    first = make_responder(phone=PHONE)
    assert first.contact is not None
    second = make_responder(phone="860-555-0131")
    assert second.contact == first.contact
    assert Contact.objects.count() == 1


def test_a_staff_responder_needs_an_eligible_account_not_yet_on_the_roster() -> None:
    operator = make_staff(Role.OPERATOR)
    responder = actions.add_responder(by=None, display_name=NAME, user=operator)
    assert responder.contact is None and responder.user == operator

    with pytest.raises(DispatchError, match="already on the roster"):
        actions.add_responder(by=None, display_name=NAME, user=operator)
    with pytest.raises(DispatchError, match="operator, responder or coordinator"):
        actions.add_responder(by=None, display_name=NAME, user=make_staff(Role.TREASURER))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"display_name": NAME}, "needs a phone number"),
        ({"display_name": "  ", "phone": PHONE}, "needs a name"),
        ({"display_name": NAME, "phone": "12"}, "not a valid phone number"),
        ({"display_name": NAME, "phone": PHONE, "skills": ["pilot"]}, "not a skill"),
        ({"display_name": NAME, "phone": PHONE, "languages": ["xx"]}, "not a language"),
        ({"display_name": NAME, "phone": PHONE, "home_point": {"lat": 99.0, "lon": 0}}, "home"),
    ],
)
def test_an_incomplete_or_invalid_profile_is_refused(kwargs, message) -> None:
    with pytest.raises(DispatchError, match=message):
        actions.add_responder(by=None, **kwargs)
    assert not Responder.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.COORDINATOR])
def test_only_a_coordinator_manages_the_roster(role: Role) -> None:
    someone = make_staff(role)
    responder = make_responder()
    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.add_responder(by=someone, display_name=NAME, phone=PHONE)
    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.deactivate_responder(responder=responder, by=someone)
    with pytest.raises(DispatchError, match="Only a coordinator"):
        actions.add_shift(
            responder=responder,
            kind=ShiftKind.FIELD,
            by=someone,
            weekday=0,
            start_time=dt.time(8),
            end_time=dt.time(9),
        )
    assert Responder.objects.count() == 1 and not Shift.objects.exists()


def test_updating_replaces_the_profile_and_the_number() -> None:
    coordinator = make_staff(Role.COORDINATOR)
    responder = make_responder(phone=PHONE)

    actions.update_responder(
        responder=responder,
        by=coordinator,
        display_name="Invented Rosa Q.",
        phone="+18605550132",
        skills=[Skill.DRIVER],
        travel_radius_km=5,
    )

    responder = Responder.objects.get(pk=responder.pk)
    assert responder.display_name == "Invented Rosa Q."
    assert responder.contact is not None and responder.contact.phone == "+18605550132"
    assert (responder.skills, responder.travel_radius_km) == (["driver"], 5)
    assert responder.contact.language == "en"

    actions.update_responder(
        responder=responder,
        by=coordinator,
        display_name="Invented Rosa Q.",
        phone="+18605550132",
        language="ht",
    )
    assert Contact.objects.get(pk=responder.contact.pk).language == "ht"
    assert AuditEvent.objects.filter(
        action="dispatch.responder_update", target_id=str(responder.pk)
    ).exists()


def test_deactivating_stops_the_feed_and_shifts_and_reactivating_restores_shifts() -> None:
    coordinator = make_staff(Role.COORDINATOR)
    responder = make_responder()
    weekly(responder, 0, dt.time(8), dt.time(16))
    token = actions.new_feed_token(responder=responder, by=coordinator)
    assert responder_for_feed(token) == responder

    assert actions.deactivate_responder(responder=responder, by=coordinator)
    assert not actions.deactivate_responder(responder=responder, by=coordinator)

    assert responder_for_feed(token) is None
    with pytest.raises(DispatchError, match="not active"):
        weekly(responder, 1, dt.time(8), dt.time(16))
    assert actions.reactivate_responder(responder=responder, by=coordinator)
    assert Responder.objects.get(pk=responder.pk).active
    assert responder_for_feed(token) is None  # a new address is needed
    assert responder.shifts.count() == 1
    assert AuditEvent.objects.filter(action="dispatch.responder_deactivate").count() == 1


def test_a_new_feed_token_replaces_the_old_and_only_its_digest_is_stored() -> None:
    responder = make_responder()
    old = actions.new_feed_token(responder=responder, by=None)
    new = actions.new_feed_token(responder=responder, by=None)

    assert old != new and len(new) >= 40
    assert responder_for_feed(old) is None and responder_for_feed(new) == responder
    stored = Responder.objects.get(pk=responder.pk).feed_token_index
    assert stored and new not in stored


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekday": 0, "start_time": dt.time(8)}, "either weekly"),
        ({"weekday": 7, "start_time": dt.time(8), "end_time": dt.time(9)}, "day of the week"),
        ({"weekday": 0, "start_time": dt.time(8), "end_time": dt.time(8)}, "different"),
        (
            {
                "starts_at": dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC),
                "ends_at": dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
            },
            "after its start",
        ),
        (
            {
                "starts_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                "ends_at": dt.datetime(2026, 12, 9, tzinfo=dt.UTC),
            },
            "at most a week",
        ),
        (
            {
                "weekday": 0,
                "start_time": dt.time(8),
                "end_time": dt.time(9),
                "starts_at": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            },
            "either weekly",
        ),
    ],
)
def test_an_incomplete_or_mixed_shift_is_refused(kwargs, message) -> None:
    responder = make_responder()
    with pytest.raises(DispatchError, match=message):
        actions.add_shift(responder=responder, kind=ShiftKind.FIELD, by=None, **kwargs)
    assert not Shift.objects.exists()


def test_removing_a_shift_is_audited_by_id() -> None:
    coordinator = make_staff(Role.COORDINATOR)
    shift = weekly(make_responder(), 2, dt.time(8), dt.time(12))
    shift_id = shift.pk

    actions.remove_shift(shift=shift, by=coordinator)

    assert not Shift.objects.exists()
    assert AuditEvent.objects.filter(
        action="dispatch.shift_remove", target_id=str(shift_id)
    ).exists()
