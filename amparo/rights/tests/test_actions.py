"""Writing the rights library: drafts, a review by someone else, publication, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.rights.actions import (
    discard_draft,
    publish_version,
    review_version,
    update_draft,
)
from amparo.rights.errors import RightsError
from amparo.rights.models import TopicVersion, VersionStatus
from amparo.rights.tests.factories import coordinator, draft, lawyer, published, topic

pytestmark = pytest.mark.django_db


def test_a_draft_cannot_be_published_without_a_review() -> None:
    author = coordinator()
    version = draft(topic(), by=author)

    with pytest.raises(RightsError, match="reviewed"):
        publish_version(version=version, by=author)
    with pytest.raises(RightsError):
        publish_version(version=version, by=lawyer())

    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.published_at is None


def test_the_author_cannot_review_their_own_text() -> None:
    author = coordinator()
    version = draft(topic(), by=author)

    with pytest.raises(RightsError, match="other than its author"):
        review_version(version=version, by=author)

    version.refresh_from_db()
    assert version.reviewer is None


def test_the_database_refuses_a_published_text_nobody_reviewed() -> None:
    version = draft(topic(), by=coordinator())

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED)


def test_the_database_refuses_an_author_reviewing_their_own_text() -> None:
    author = coordinator()
    version = draft(topic(), by=author)

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicVersion.objects.filter(pk=version.pk).update(reviewer=author)


def test_a_text_reviewed_by_someone_else_is_published_and_retires_the_one_before() -> None:
    door = topic()
    first = published(door, author=coordinator())
    author = coordinator()
    second = draft(door, by=author, title="At the door (2026)")
    reviewer = lawyer()

    second = publish_version(version=review_version(version=second, by=reviewer), by=author)

    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.status == VersionStatus.RETIRED and first.published_at is not None
    assert second.status == VersionStatus.PUBLISHED and second.is_current
    assert second.reviewer == reviewer and second.reviewed_at is not None


def test_versions_are_numbered_per_language() -> None:
    door = topic()
    author = coordinator()

    numbers = [draft(door, by=author, language=lang).number for lang in ["en", "en", "es"]]

    assert numbers == [1, 2, 1]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.RESPONDER, Role.TREASURER, Role.ADMIN])
def test_other_roles_cannot_write_or_review(role: Role) -> None:
    outsider = make_staff(role, second_factor=False)
    door = topic()
    version = draft(door, by=coordinator())

    with pytest.raises(RightsError):
        draft(door, by=outsider)
    with pytest.raises(RightsError):
        review_version(version=version, by=outsider)


def test_only_legal_staff_clear_the_legal_review_flag() -> None:
    version = draft(topic(), by=coordinator())
    assert version.needs_legal_review

    with pytest.raises(RightsError):
        review_version(version=version, by=coordinator(), legal_review_done=True)
    reviewed = review_version(version=version, by=lawyer(), legal_review_done=True)

    assert not reviewed.needs_legal_review


def test_changing_a_reviewed_draft_needs_a_new_review() -> None:
    author = coordinator()
    version = review_version(version=draft(topic(), by=author), by=lawyer())

    changed = update_draft(
        version=version,
        title="At the door",
        body="Changed.",
        sms_text="Changed.",
        script="",
        review_by=dt.date(2099, 1, 1),
        needs_legal_review=True,
        by=author,
    )

    assert changed.reviewer is None and changed.reviewed_at is None
    with pytest.raises(RightsError):
        publish_version(version=changed, by=author)


def test_a_published_text_cannot_be_changed_or_discarded() -> None:
    author = coordinator()
    version = published(topic(), author=author)

    with pytest.raises(RightsError):
        update_draft(
            version=version,
            title="x",
            body="x",
            sms_text="x",
            script="",
            review_by=dt.date(2099, 1, 1),
            needs_legal_review=True,
            by=author,
        )
    with pytest.raises(RightsError):
        discard_draft(version=version, by=author)


def test_every_write_is_audited() -> None:
    author, reviewer = coordinator(), lawyer()
    door = topic()
    version = draft(door, by=author)
    review_version(version=version, by=reviewer)
    publish_version(version=version, by=author)
    extra = draft(door, by=author)
    discard_draft(version=extra, by=author)

    events = list(
        AuditEvent.objects.filter(action__startswith="rights.").values_list("action", "target_id")
    )
    assert ("rights.topic_create", str(door.pk)) in events
    assert ("rights.version_draft", str(version.pk)) in events
    assert ("rights.version_review", str(version.pk)) in events
    assert ("rights.version_publish", str(version.pk)) in events
    assert ("rights.version_discard", str(extra.pk)) in events
    assert not TopicVersion.objects.filter(pk=extra.pk).exists()
