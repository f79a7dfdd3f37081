"""Broadcast pages: coordinators only; drafting, approval by another, override after re-auth."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff, reauthenticated
from amparo.alerts.actions import (
    draft_broadcast,
    send_back_broadcast,
    submit_broadcast,
    update_draft,
)
from amparo.alerts.models import Broadcast, BroadcastKind, BroadcastStatus
from amparo.alerts.sweeps import materialize
from amparo.alerts.tests.broadcast_factories import BODIES, coordinator, subscriber, town
from amparo.audit.models import AuditEvent
from amparo.channels.models import OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    settings.AMPARO_REQUIRE_MFA = False
    translation.activate("en")


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _approve(client: Client, broadcast: Broadcast, **follow: Any):
    """Approve as a person does: from the page, with the version it shows."""
    page = client.get(reverse("alerts:broadcast", args=[broadcast.pk])).content.decode()
    version = re.search(r'name="version" value="([0-9a-f]+)"', page)
    assert version is not None, "the approval form carries no version"
    return client.post(
        reverse("alerts:approve", args=[broadcast.pk]), {"version": version[1]}, **follow
    )


def _draft(author, *towns):
    return draft_broadcast(by=author, kind=BroadcastKind.CONFIRMED, bodies=BODIES, towns=towns)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.COORDINATOR])
def test_every_other_role_is_refused(role: Role) -> None:
    broadcast = _draft(coordinator(), town())
    client = _client(make_staff(role, second_factor=False))
    for name, args in [
        ("alerts:broadcasts", []),
        ("alerts:new_broadcast", []),
        ("alerts:broadcast", [broadcast.pk]),
        ("alerts:progress", [broadcast.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    for name in ("alerts:submit", "alerts:approve", "alerts:cancel"):
        assert client.post(reverse(name, args=[broadcast.pk])).status_code == 403, name
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT


def test_the_list_costs_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:
    author, hartford = coordinator(), town()
    client = _client(author)
    _draft(author, hartford)
    client.get(reverse("alerts:broadcasts"))  # session and staff checks warmed up
    for _ in range(4):
        _draft(author, hartford)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("alerts:broadcasts"))
    assert response.status_code == 200
    assert response.content.count(b"Hartford") == 5


def test_the_draft_form_is_prefilled_from_the_template() -> None:
    response = _client(coordinator()).get(reverse("alerts:new_broadcast") + "?kind=rights")
    assert response.status_code == 200
    assert b"REMINDER: do not open the door" in response.content
    assert b'lang="es"' in response.content


def test_a_draft_is_saved_and_shows_its_preview_and_plan() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford, language="es")
    response = _client(author).post(
        reverse("alerts:new_broadcast"),
        {
            "kind": "confirmed",
            "towns": [hartford.pk],
            "body_en": BODIES["en"],
            "body_es": BODIES["es"],
        },
        follow=True,
    )
    broadcast = Broadcast.objects.get()
    assert broadcast.bodies["es"] == BODIES["es"]
    page = response.content.decode()
    assert "UCS-2" in page  # the Spanish text has accents
    assert "1 recipients" in page


def test_a_refused_text_shows_which_words_look_like_a_name_and_keeps_the_form() -> None:
    hartford = town()
    response = _client(coordinator()).post(
        reverse("alerts:new_broadcast"),
        {"kind": "notice", "towns": [hartford.pk], "body_en": "Pray for Rosa Delgado tonight"},
    )
    assert response.status_code == 400
    assert "“Rosa Delgado”" in response.content.decode()
    assert "Pray for Rosa Delgado tonight</textarea>" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_the_author_submits_and_cannot_approve_a_second_coordinator_does() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = _draft(author, hartford)
    mine = _client(author)
    mine.post(reverse("alerts:submit", args=[broadcast.pk]))
    page = mine.get(reverse("alerts:broadcast", args=[broadcast.pk])).content.decode()
    assert "You cannot approve your own alert" in page and "Approve and send" not in page
    mine.post(reverse("alerts:approve", args=[broadcast.pk]))
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING
    assert not OutboundMessage.objects.exists()

    theirs = _client(second)
    assert (
        "Approve and send"
        in theirs.get(reverse("alerts:broadcast", args=[broadcast.pk])).content.decode()
    )
    response = _approve(theirs, broadcast, follow=True)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENDING and broadcast.approved_by == second
    assert b"<progress" in response.content
    assert materialize() == 1 and OutboundMessage.objects.count() == 1


def test_the_override_needs_a_fresh_reauthentication() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = _draft(author, hartford)
    url = reverse("alerts:override", args=[broadcast.pk])
    response = _client(author).post(url, {"reason": "danger-now", "confirm": "on"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not OutboundMessage.objects.exists()

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    reauthenticated(client, author)
    assert client.post(url, {"reason": "danger-now"}).status_code == 400  # not confirmed
    response = client.post(url, {"reason": "danger-now", "confirm": "on"})
    assert response.status_code == 302
    broadcast.refresh_from_db()
    assert broadcast.override is True and broadcast.status == BroadcastStatus.SENDING
    assert AuditEvent.objects.filter(action="alerts.broadcast_override_danger_now").exists()


def test_another_coordinator_cannot_override_someone_elses_draft() -> None:
    broadcast = _draft(coordinator(), town())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    reauthenticated(client, coordinator())
    response = client.post(
        reverse("alerts:override", args=[broadcast.pk]), {"reason": "danger-now", "confirm": "on"}
    )
    assert response.status_code == 400
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT


def test_the_progress_box_counts_without_naming_anyone() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(coordinator()), broadcast)
    response = _client(author).get(reverse("alerts:progress", args=[broadcast.pk]))
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert 'data-count="queued">1<' in page and "+1860" not in page


def test_a_correction_form_drafts_a_correction_of_the_original() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(second), broadcast)
    client = _client(author)
    assert (
        b"CORRECTION to our alert"
        in client.get(reverse("alerts:correct", args=[broadcast.pk])).content
    )
    client.post(
        reverse("alerts:correct", args=[broadcast.pk]),
        {"kind": "retraction", "body_en": "Amparo: please ignore our alert of 14:05."},
    )
    correction = Broadcast.objects.get(corrects=broadcast)
    assert (
        correction.kind == BroadcastKind.RETRACTION and correction.status == BroadcastStatus.DRAFT
    )


def test_the_author_cannot_send_back_their_own_pending_alert() -> None:
    author, hartford = coordinator(), town()
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    client = _client(author)
    page = client.get(reverse("alerts:broadcast", args=[broadcast.pk])).content.decode()
    assert "Send back to the author" not in page
    response = client.post(reverse("alerts:send_back", args=[broadcast.pk]), follow=True)
    assert "Only another coordinator may send it back" in response.content.decode()
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING


def test_an_approval_page_opened_before_a_change_approves_nothing() -> None:
    author, second, hartford = coordinator(), coordinator(), town()
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    theirs = _client(second)
    page = theirs.get(reverse("alerts:broadcast", args=[broadcast.pk])).content.decode()
    seen = re.search(r'name="version" value="([0-9a-f]+)"', page)[1]
    # Sent back by someone else, changed by its author, submitted again.
    send_back_broadcast(broadcast=broadcast, by=coordinator())
    changed = {**BODIES, "en": BODIES["en"].replace("bus station", "train station")}
    update_draft(broadcast=broadcast, by=author, bodies=changed, towns=[hartford])
    submit_broadcast(broadcast=broadcast, by=author)

    response = theirs.post(
        reverse("alerts:approve", args=[broadcast.pk]), {"version": seen}, follow=True
    )
    assert "This alert changed after you opened it" in response.content.decode()
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING and broadcast.approved_by is None
    assert "train station" in broadcast.bodies["en"]  # nothing lost
    assert not OutboundMessage.objects.exists()
    # Read again, it is approved.
    _approve(theirs, broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENDING


def test_an_approval_without_a_version_approves_nothing() -> None:
    author, hartford = coordinator(), town()
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _client(coordinator()).post(reverse("alerts:approve", args=[broadcast.pk]))
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.PENDING


def test_a_coordinator_halts_a_sending_alert_after_ticking_the_box() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(coordinator()), broadcast)
    materialize()
    other = _client(coordinator())
    url = reverse("alerts:broadcast", args=[broadcast.pk])
    assert (
        'action="' + reverse("alerts:halt", args=[broadcast.pk]) in other.get(url).content.decode()
    )
    response = other.post(reverse("alerts:halt", args=[broadcast.pk]), follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENDING

    response = other.post(
        reverse("alerts:halt", args=[broadcast.pk]), {"confirm": "on"}, follow=True
    )
    page = response.content.decode()
    assert 'id="broadcast-halted"' in page and "Halt this alert" not in page
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.CANCELLED
    assert not OutboundMessage.objects.filter(status="pending").exists()
    box = other.get(reverse("alerts:progress", args=[broadcast.pk])).content.decode()
    assert "Halted" in box


def test_another_role_cannot_halt() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(coordinator()), broadcast)
    client = _client(make_staff(Role.OPERATOR, second_factor=False))
    response = client.post(reverse("alerts:halt", args=[broadcast.pk]), {"confirm": "on"})
    assert response.status_code == 403
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENDING


def test_the_preview_reminds_author_and_approver_of_what_the_check_cannot_catch() -> None:
    author, hartford = coordinator(), town()
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    for user in (author, coordinator()):
        page = _client(user).get(reverse("alerts:broadcast", args=[broadcast.pk])).content
        assert b"no names, addresses or anything that identifies a person" in page
        assert b"name written in lower case" in page


def test_a_coordinator_withdraws_an_alert_from_the_public_feed() -> None:
    author, hartford = coordinator(), town()
    subscriber(hartford)
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(coordinator()), broadcast)
    assert Client().get(reverse("public_alerts:broadcast", args=[broadcast.pk])).status_code == 200
    other = _client(coordinator())
    url = reverse("alerts:broadcast", args=[broadcast.pk])
    withdraw = reverse("alerts:withdraw", args=[broadcast.pk])
    assert f'action="{withdraw}"' in other.get(url).content.decode()
    response = other.post(withdraw, follow=True)
    assert "Withdrawn from the public feed" in response.content.decode()
    assert f'action="{withdraw}"' not in response.content.decode()
    broadcast.refresh_from_db()
    assert broadcast.published is False and broadcast.status == BroadcastStatus.SENDING
    assert AuditEvent.objects.filter(action="alerts.broadcast_withdraw").exists()
    assert Client().get(reverse("public_alerts:broadcast", args=[broadcast.pk])).status_code == 404


def test_another_role_cannot_withdraw_an_alert() -> None:
    author, hartford = coordinator(), town()
    broadcast = submit_broadcast(broadcast=_draft(author, hartford), by=author)
    _approve(_client(coordinator()), broadcast)
    client = _client(make_staff(Role.OPERATOR, second_factor=False))
    assert client.post(reverse("alerts:withdraw", args=[broadcast.pk])).status_code == 403
    broadcast.refresh_from_db()
    assert broadcast.published is True
