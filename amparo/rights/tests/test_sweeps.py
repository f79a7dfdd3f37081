"""Stale texts: flagged on the staff page and e-mailed to the coordinators once each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.contacts.actions import find_or_create_contact
from amparo.rights.actions import note_rights_menu_sent
from amparo.rights.models import RightsMenuSent, TopicVersion
from amparo.rights.queries import access_library
from amparo.rights.sweeps import forget_menus, notify_stale
from amparo.rights.tests.factories import coordinator, draft, published, topic

pytestmark = pytest.mark.django_db

BODY_WORDS = "Ask for the warrant under the door"


def _overdue(version: TopicVersion) -> TopicVersion:
    TopicVersion.objects.filter(pk=version.pk).update(
        review_by=timezone.localdate() - dt.timedelta(days=1)
    )
    version.refresh_from_db()
    return version


def _coordinator_with_email(address: str) -> None:
    user = coordinator()
    user.email = address
    user.save(update_fields=["email"])


def test_a_text_past_its_review_date_is_flagged_on_the_staff_page() -> None:
    door = topic()
    stale = _overdue(published(door))
    fresh = published(door, language="es", title="En la puerta")

    library = access_library(coordinator(), "en")

    assert library.stale == [stale]
    assert library.rows[0].stale
    assert fresh.is_stale() is False
    assert access_library(coordinator(), "es").rows[0].stale is False


def test_coordinators_are_e_mailed_once_per_stale_text_with_title_and_link_only(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _coordinator_with_email("coordinator-one@example.org")
    _coordinator_with_email("coordinator-two@example.org")
    operator = make_staff(Role.OPERATOR, second_factor=False)
    operator.email = "operator@example.org"
    operator.save(update_fields=["email"])
    stale = _overdue(published(topic(), body=f"Secret-ish body. {BODY_WORDS}."))

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_stale() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_stale() == 0  # once

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "coordinator-one@example.org",
        "coordinator-two@example.org",
    ]
    body = mailoutbox[0].body
    assert stale.title in body and f"/staff/rights/version/{stale.pk}/" in body
    assert BODY_WORDS not in body
    assert AuditEvent.objects.filter(action="rights.version_stale", target_id=str(stale.pk))


def test_drafts_and_texts_still_in_date_are_not_e_mailed(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    _coordinator_with_email("coordinator@example.org")
    door = topic()
    published(door)
    _overdue(draft(door, by=None, language="es"))

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_stale() == 0

    assert mailoutbox == []


def test_a_new_version_of_a_stale_text_is_not_stale() -> None:
    door = topic()
    _overdue(published(door))

    newer = published(door)

    assert access_library(coordinator(), "en").stale == []
    assert not newer.is_stale()


def test_who_was_sent_the_menu_is_forgotten_after_half_an_hour() -> None:
    recent = find_or_create_contact(phone="+18605550142")
    earlier = find_or_create_contact(phone="+18605550143")
    note_rights_menu_sent(contact=recent)
    note_rights_menu_sent(contact=earlier)
    RightsMenuSent.objects.filter(contact=earlier).update(
        sent_at=timezone.now() - dt.timedelta(minutes=31)
    )

    assert forget_menus() == 1
    assert list(RightsMenuSent.objects.values_list("contact", flat=True)) == [recent.pk]
