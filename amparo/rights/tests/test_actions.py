"""Writing the rights library: drafts, a review by someone else, publication, audit."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.rights.actions import (
    discard_draft,
    publish_version,
    review_version,
    update_draft,
)
from amparo.rights.errors import RightsError
from amparo.rights.models import TopicKind, TopicVersion, VersionStatus
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


def _rewrite(version: TopicVersion, *, by: User, legal_flag: bool, body: str) -> TopicVersion:
    return update_draft(
        version=version,
        title=version.title,
        body=body,
        sms_text=body,
        script=version.script,
        review_by=dt.date(2099, 1, 1),
        needs_legal_review=legal_flag,
        by=by,
    )


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.LEGAL])
def test_a_writer_who_rewrote_a_colleagues_draft_can_neither_review_nor_publish_it(
    role: Role,
) -> None:
    colleague, rewriter = coordinator(), make_staff(role, second_factor=False)
    version = draft(topic(), by=colleague)

    version = _rewrite(
        version, by=rewriter, legal_flag=False, body="Open the door and show papers."
    )
    with pytest.raises(RightsError, match="did not change this text"):
        review_version(version=version, by=rewriter)
    with pytest.raises(RightsError):
        publish_version(version=version, by=rewriter)

    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and version.published_at is None
    assert version.reviewer is None
    assert set(version.editors.all()) == {colleague, rewriter}
    # Only a lawyer's own rewrite may leave the legal review flag down.
    assert version.needs_legal_review is (role == Role.COORDINATOR)


def test_a_seed_draft_edited_by_someone_cannot_be_reviewed_by_them() -> None:
    seed = draft(topic(), by=None)
    assert seed.author is None and not seed.editors.exists()
    editor, other = lawyer(), lawyer()

    edited = _rewrite(seed, by=editor, legal_flag=True, body="Open the door and show papers.")
    with pytest.raises(RightsError, match="did not change this text"):
        review_version(version=edited, by=editor)
    reviewed = review_version(version=edited, by=other)

    assert list(edited.editors.all()) == [editor]
    assert reviewed.reviewer == other


def test_publishing_refuses_a_reviewer_who_changed_the_text() -> None:
    # Only reachable by a write outside the actions (the review is voided by an edit).
    colleague, rewriter = coordinator(), coordinator()
    version = _rewrite(
        draft(topic(), by=colleague), by=rewriter, legal_flag=True, body="Changed words."
    )
    TopicVersion.objects.filter(pk=version.pk).update(reviewer=rewriter)

    with pytest.raises(RightsError, match="reviewer wrote or changed"):
        publish_version(version=version, by=colleague)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_a_coordinator_cannot_clear_the_legal_review_flag() -> None:
    author, other = coordinator(), coordinator()
    door = topic()

    drafted = draft(
        door,
        by=author,
        body="Do not open the door.",
        sms_text="Do not open the door.",
        script="",
        needs_legal_review=False,
    )
    assert drafted.needs_legal_review

    edited = _rewrite(drafted, by=other, legal_flag=False, body="Do not open the door.")
    edited.refresh_from_db()
    assert edited.needs_legal_review
    with pytest.raises(RightsError, match="Only legal staff"):
        review_version(version=edited, by=coordinator(), legal_review_done=True)
    edited.refresh_from_db()
    assert edited.needs_legal_review and edited.reviewer is None


def test_a_coordinator_changing_the_words_of_a_legally_cleared_draft_raises_the_flag_again() -> (
    None
):
    writer = lawyer()
    cleared = _rewrite(draft(topic(), by=writer), by=writer, legal_flag=False, body="Cleared.")
    assert not cleared.needs_legal_review
    dates_only = update_draft(
        version=cleared,
        title=cleared.title,
        body=cleared.body,
        sms_text=cleared.sms_text,
        script=cleared.script,
        review_by=dt.date(2099, 6, 1),
        by=coordinator(),
    )
    assert not dates_only.needs_legal_review  # the words a lawyer saw are unchanged

    changed = _rewrite(dates_only, by=coordinator(), legal_flag=False, body="Other words.")

    changed.refresh_from_db()
    assert changed.needs_legal_review


def test_legal_staff_may_clear_the_legal_review_flag_when_drafting_or_editing() -> None:
    writer = lawyer()
    drafted = draft(
        topic(),
        by=writer,
        body="Do not open the door.",
        sms_text="Do not open the door.",
        script="",
        needs_legal_review=False,
    )
    assert not drafted.needs_legal_review

    flagged = _rewrite(drafted, by=writer, legal_flag=True, body="Do not open the door.")
    assert flagged.needs_legal_review
    cleared = _rewrite(flagged, by=lawyer(), legal_flag=False, body="Do not open the door.")
    cleared.refresh_from_db()
    assert not cleared.needs_legal_review


def test_an_edit_after_review_clears_the_review_and_its_editor_cannot_review_again() -> None:
    author, reviewer, second = coordinator(), lawyer(), lawyer()
    version = review_version(version=draft(topic(), by=author), by=reviewer)
    assert version.reviewer == reviewer

    changed = _rewrite(version, by=reviewer, legal_flag=True, body="Open the door.")

    changed.refresh_from_db()
    assert changed.reviewer is None and changed.reviewed_at is None
    with pytest.raises(RightsError):
        publish_version(version=changed, by=author)
    with pytest.raises(RightsError, match="did not change this text"):
        review_version(version=changed, by=reviewer)
    published_now = publish_version(version=review_version(version=changed, by=second), by=author)
    assert published_now.status == VersionStatus.PUBLISHED and published_now.reviewer == second
    assert AuditEvent.objects.filter(
        action="rights.version_update", target_id=str(version.pk), actor=reviewer
    ).exists()


def test_the_migration_records_past_editors_from_the_author_and_the_audit_log() -> None:
    colleague, rewriter = coordinator(), coordinator()
    version = _rewrite(draft(topic(), by=colleague), by=rewriter, legal_flag=True, body="New.")
    seed = draft(topic(kind=TopicKind.ON_THE_STREET, slug="on-the-street", order=2), by=None)
    TopicVersion.editors.through.objects.all().delete()
    migration = importlib.import_module("amparo.rights.migrations.0002_version_editors")

    migration.record_past_editors(apps, None)

    assert set(version.editors.all()) == {colleague, rewriter}
    assert not seed.editors.exists()
