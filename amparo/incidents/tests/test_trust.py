from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from amparo.contacts.models import Contact
from amparo.incidents.actions import (
    confirm_incident,
    expire_incident,
    mark_false_alarm,
    submit_report,
)
from amparo.incidents.tests.factories import (
    SCHOOL,
    STAMFORD,
    coordinator,
    make_gazetteer,
    new_contact,
    texted,
)
from amparo.incidents.trust import burst_of_new_numbers, new_number_reports, reporter_history

pytestmark = pytest.mark.django_db


def test_a_reporters_history_counts_their_reports_by_outcome() -> None:
    make_gazetteer()
    boss = coordinator()
    someone = new_contact()
    confirmed = texted(reporter=someone).incident
    false_alarm = texted(STAMFORD, reporter=someone).incident
    expired = texted(
        (SCHOOL[0] + 0.2, SCHOOL[1]),
        reporter=someone,
        received_at=timezone.now() - dt.timedelta(hours=7),
    ).incident
    texted((SCHOOL[0] - 0.2, SCHOOL[1]), reporter=someone)
    submit_report(source="sms", text="somewhere", reporter=someone)
    texted()  # someone else
    confirm_incident(incident=confirmed, by=boss, note="seen", responder_on_site=True)
    mark_false_alarm(incident=false_alarm, by=boss, note="not seen")
    assert expire_incident(incident=expired)

    assert reporter_history(someone) == {
        "reports": 5,
        "confirmed": 1,
        "false-alarm": 1,
        "unconfirmed": 1,
        "open": 1,
        "unplaced": 1,
    }


def test_a_number_never_heard_from_has_an_empty_history() -> None:
    assert reporter_history(new_contact())["reports"] == 0


@override_settings(AMPARO_BURST_MIN_REPORTS=5, AMPARO_BURST_WINDOW_MINUTES=30)
def test_many_reports_from_new_numbers_make_a_burst() -> None:
    make_gazetteer()
    for _ in range(4):
        texted()
    assert new_number_reports() == 4
    assert not burst_of_new_numbers()
    texted()
    assert burst_of_new_numbers()
    # half an hour later the window has moved on
    assert not burst_of_new_numbers(timezone.now() + dt.timedelta(minutes=31))


@override_settings(AMPARO_BURST_MIN_REPORTS=3, AMPARO_BURST_NEW_NUMBER_HOURS=24)
def test_reports_from_numbers_known_for_long_are_no_burst() -> None:
    make_gazetteer()
    regulars = [new_contact() for _ in range(4)]
    Contact.objects.filter(pk__in=[c.pk for c in regulars]).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    for contact in regulars:
        texted(reporter=contact)
    submit_report(source="web", text="anonymous", place=None)
    assert new_number_reports() == 0
    assert not burst_of_new_numbers()
