"""Broadcast actions: drafts are checked, and a second coordinator (or an override) sends."""

from __future__ import annotations

import pytest
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.alerts.actions import (
    approve_broadcast,
    cancel_broadcast,
    draft_broadcast,
    draft_correction,
    send_back_broadcast,
    send_with_override,
    submit_broadcast,
    update_draft,
    withdraw_from_feed,
)
from amparo.alerts.checks import BodyRefused
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import BroadcastKind, BroadcastRecipient, BroadcastStatus
from amparo.alerts.queries.broadcasts import broadcast_version
from amparo.alerts.tests.broadcast_factories import (
    BODIES,
    coordinator,
    incident,
    subscriber,
    town,
)
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage
from amparo.incidents.models import IncidentState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


def _submitted(author, *towns, kind=BroadcastKind.CONFIRMED, bodies=BODIES):
    broadcast = draft_broadcast(by=author, kind=kind, bodies=bodies, towns=towns)
    return submit_broadcast(broadcast=broadcast, by=author)


def test_a_draft_is_checked_and_audited_without_its_words() -> None:
    author, hartford = coordinator(), town()
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=[hartford]
    )
    assert broadcast.status == BroadcastStatus.DRAFT
    assert broadcast.validity_seconds == 2 * 60 * 60
    event = AuditEvent.objects.get(action="alerts.broadcast_draft")
    assert event.target_id == str(broadcast.pk)


def test_a_draft_naming_a_person_is_refused() -> None:
    with pytest.raises(BodyRefused):
        draft_broadcast(
            by=coordinator(),
            kind=BroadcastKind.NOTICE,
            bodies={"en": "Pray for Rosa Delgado, taken this morning"},
            towns=[town()],
        )


def test_only_a_coordinator_may_draft() -> None:
    with pytest.raises(AlertsError):
        draft_broadcast(
            by=make_staff(Role.OPERATOR, second_factor=False),
            kind=BroadcastKind.NOTICE,
            bodies=BODIES,
            towns=[town()],
        )


def test_the_author_cannot_approve_their_own_broadcast() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = _submitted(author, hartford)
    with pytest.raises(AlertsError, match="second coordinator"):
        approve_broadcast(broadcast=broadcast, by=author)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING
    assert not OutboundMessage.objects.exists()


def test_a_second_coordinator_approves_and_it_is_queued() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = approve_broadcast(broadcast=_submitted(author, hartford), by=second)
    assert broadcast.status == BroadcastStatus.SENDING
    assert broadcast.approved_by == second
    assert broadcast.recipient_count == 1 and BroadcastRecipient.objects.count() == 1
    assert broadcast.published is True
    assert AuditEvent.objects.filter(action="alerts.broadcast_approve", actor=second).exists()


def test_nothing_goes_out_before_approval() -> None:
    hartford = town()
    subscriber(hartford)
    _submitted(coordinator(), hartford)
    assert not OutboundMessage.objects.exists()


def test_a_draft_cannot_be_approved_before_it_is_submitted() -> None:
    hartford = town()
    broadcast = draft_broadcast(
        by=coordinator(), kind=BroadcastKind.RIGHTS, bodies=BODIES, towns=[hartford]
    )
    with pytest.raises(AlertsError):
        approve_broadcast(broadcast=broadcast, by=coordinator())


def test_an_override_is_the_authors_alone_and_audited_with_its_reason() -> None:
    author, other, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=[hartford]
    )
    with pytest.raises(AlertsError):
        send_with_override(broadcast=broadcast, by=other, reason="danger-now")
    with pytest.raises(AlertsError):
        send_with_override(broadcast=broadcast, by=author, reason="because")
    sent = send_with_override(broadcast=broadcast, by=author, reason="danger-now")
    assert sent.override is True and sent.approved_by is None
    assert sent.status == BroadcastStatus.SENDING
    assert AuditEvent.objects.filter(
        action="alerts.broadcast_override_danger_now", actor=author
    ).exists()


def test_a_debunk_needs_its_false_alarm_incident() -> None:
    author, hartford = coordinator(), town()
    with pytest.raises(AlertsError, match="false alarm"):
        draft_broadcast(by=author, kind=BroadcastKind.DEBUNK, bodies=BODIES, towns=[hartford])
    with pytest.raises(AlertsError):
        draft_broadcast(
            by=author,
            kind=BroadcastKind.DEBUNK,
            bodies=BODIES,
            towns=[hartford],
            incident=incident(IncidentState.VERIFYING),
        )
    debunk = draft_broadcast(
        by=author,
        kind=BroadcastKind.DEBUNK,
        bodies=BODIES,
        towns=[hartford],
        incident=incident(IncidentState.FALSE_ALARM),
    )
    assert debunk.incident is not None


def test_confirmed_activity_needs_a_confirmed_incident_or_none() -> None:
    with pytest.raises(AlertsError, match="confirmed"):
        draft_broadcast(
            by=coordinator(),
            kind=BroadcastKind.CONFIRMED,
            bodies=BODIES,
            towns=[town()],
            incident=incident(IncidentState.REPORTED),
        )


def test_submitting_needs_english_towns_and_no_placeholder_left() -> None:
    author, hartford = coordinator(), town()
    no_english = draft_broadcast(
        by=author, kind=BroadcastKind.RIGHTS, bodies={"es": BODIES["es"]}, towns=[hartford]
    )
    with pytest.raises(AlertsError, match="English"):
        submit_broadcast(broadcast=no_english, by=author)
    placeholder = draft_broadcast(
        by=author,
        kind=BroadcastKind.RIGHTS,
        bodies={"en": "Agents near {place}."},
        towns=[hartford],
    )
    with pytest.raises(AlertsError, match="placeholders"):
        submit_broadcast(broadcast=placeholder, by=author)
    no_town = draft_broadcast(by=author, kind=BroadcastKind.RIGHTS, bodies=BODIES, towns=[])
    with pytest.raises(AlertsError, match="town"):
        submit_broadcast(broadcast=no_town, by=author)


def test_only_the_author_edits_a_draft_and_only_while_it_is_one() -> None:
    author, hartford = coordinator(), town()
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.RIGHTS, bodies=BODIES, towns=[hartford]
    )
    with pytest.raises(AlertsError):
        update_draft(broadcast=broadcast, by=coordinator(), bodies={"en": "Know your rights."})
    update_draft(broadcast=broadcast, by=author, bodies={"en": "Know your rights."})
    submit_broadcast(broadcast=broadcast, by=author)
    with pytest.raises(AlertsError):
        update_draft(broadcast=broadcast, by=author, bodies={"en": "Changed after submitting."})


def test_sent_back_it_is_a_draft_again_and_cancelled_it_never_goes() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = _submitted(author, hartford)
    assert (
        send_back_broadcast(broadcast=broadcast, by=coordinator()).status == BroadcastStatus.DRAFT
    )
    cancelled = cancel_broadcast(broadcast=broadcast, by=author)
    assert cancelled.status == BroadcastStatus.CANCELLED
    with pytest.raises(AlertsError):
        submit_broadcast(broadcast=broadcast, by=author)
    assert not OutboundMessage.objects.exists()


def test_a_correction_needs_an_alert_that_was_sent() -> None:
    author, hartford = coordinator(), town()
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=[hartford]
    )
    with pytest.raises(AlertsError):
        draft_correction(
            original=broadcast, by=author, kind=BroadcastKind.CORRECTION, bodies=BODIES
        )


def test_a_correction_also_needs_a_second_coordinator() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    original = approve_broadcast(broadcast=_submitted(author, hartford), by=second)
    correction = draft_correction(
        original=original,
        by=author,
        kind=BroadcastKind.RETRACTION,
        bodies={"en": "Amparo: please ignore our alert of 14:05. It was sent in error."},
    )
    submit_broadcast(broadcast=correction, by=author)
    with pytest.raises(AlertsError):
        approve_broadcast(broadcast=correction, by=author)
    approved = approve_broadcast(broadcast=correction, by=second)
    assert approved.published is True  # the original was public


def test_the_author_may_cancel_but_not_send_back_their_own_broadcast() -> None:
    author, hartford = coordinator(), town()
    broadcast = _submitted(author, hartford)
    with pytest.raises(AlertsError, match="Only another coordinator"):
        send_back_broadcast(broadcast=broadcast, by=author)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING
    with pytest.raises(AlertsError):
        update_draft(broadcast=broadcast, by=author, bodies={"en": "Doors may be opened."})
    assert cancel_broadcast(broadcast=broadcast, by=author).status == BroadcastStatus.CANCELLED


def test_approval_of_an_older_version_is_refused_and_changes_nothing() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = _submitted(author, hartford)
    seen = broadcast_version(broadcast)
    send_back_broadcast(broadcast=broadcast, by=coordinator())
    update_draft(
        broadcast=broadcast, by=author, bodies={"en": "Amparo: all clear."}, towns=[hartford]
    )
    submit_broadcast(broadcast=broadcast, by=author)
    with pytest.raises(AlertsError, match="changed after you opened it"):
        approve_broadcast(broadcast=broadcast, by=second, expected=seen)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING and broadcast.bodies["en"]
    assert not BroadcastRecipient.objects.exists()
    approved = approve_broadcast(
        broadcast=broadcast, by=second, expected=broadcast_version(broadcast)
    )
    assert approved.status == BroadcastStatus.SENDING


@pytest.mark.parametrize("change", ["towns", "incident", "resubmitted"])
def test_the_version_covers_towns_incident_and_submission(change: str) -> None:
    author, hartford = coordinator(), town()
    broadcast = _submitted(author, hartford)
    before = broadcast_version(broadcast)
    if change == "towns":
        broadcast.towns.add(town("Hamden"))
    elif change == "incident":
        broadcast.incident = incident(where=hartford)
    else:
        send_back_broadcast(broadcast=broadcast, by=coordinator())
        broadcast = submit_broadcast(broadcast=broadcast, by=author)
    assert broadcast_version(broadcast) != before


def test_an_author_cannot_override_a_send_back_until_they_change_the_draft() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = _submitted(author, hartford)
    send_back_broadcast(broadcast=broadcast, by=coordinator())
    with pytest.raises(AlertsError, match="Another coordinator sent this alert back"):
        send_with_override(broadcast=broadcast, by=author, reason="danger-now")
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT and not broadcast.override
    assert not BroadcastRecipient.objects.exists()
    changed = {"en": BODIES["en"].replace("bus station", "train station")}
    update_draft(broadcast=broadcast, by=author, bodies=changed, towns=[hartford])
    sent = send_with_override(broadcast=broadcast, by=author, reason="danger-now")
    assert sent.status == BroadcastStatus.SENDING


def test_a_pending_broadcast_not_sent_back_may_still_be_overridden() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    sent = send_with_override(
        broadcast=_submitted(author, hartford), by=author, reason="approver-unreachable"
    )
    assert sent.override is True


def test_the_other_coordinators_are_emailed_of_an_override_after_the_commit(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:
    author, hartford = coordinator(), town()
    author.email = "author@example.org"
    author.save(update_fields=["email"])
    other = coordinator()
    other.email = "other@example.org"
    other.save(update_fields=["email"])
    gone = coordinator()
    gone.email = "gone@example.org"
    gone.is_active = False
    gone.save(update_fields=["email", "is_active"])
    operator = make_staff(Role.OPERATOR, second_factor=False)
    operator.email = "operator@example.org"
    operator.save(update_fields=["email"])
    coordinator()  # no address
    subscriber(hartford)
    broadcast = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=[hartford]
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_with_override(broadcast=broadcast, by=author, reason="danger-now")
    assert not mailoutbox
    for callback in callbacks:
        callback()
    assert [mail.to for mail in mailoutbox] == [["other@example.org"]]
    mail = mailoutbox[0]
    assert "emergency override" in mail.subject
    assert f"/staff/alerts/{broadcast.pk}/" in mail.body
    assert "bus station" not in mail.body and "+1860" not in mail.body


def test_withdrawing_from_the_feed_is_audited_and_only_for_a_published_alert() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = approve_broadcast(broadcast=_submitted(author, hartford), by=coordinator())
    with pytest.raises(AlertsError):
        withdraw_from_feed(broadcast=broadcast, by=make_staff(Role.OPERATOR, second_factor=False))
    assert withdraw_from_feed(broadcast=broadcast, by=coordinator()).published is False
    with pytest.raises(AlertsError, match="not on the public feed"):
        withdraw_from_feed(broadcast=broadcast, by=coordinator())
    assert (
        AuditEvent.objects.filter(
            action="alerts.broadcast_withdraw", target_id=str(broadcast.pk)
        ).count()
        == 1
    )
