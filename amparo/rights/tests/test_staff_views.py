"""The staff rights library: operators read scripts; coordinators and legal write and review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from amparo.accounts.models import Role, User
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.rights.models import TopicVersion, VersionStatus
from amparo.rights.tests.factories import coordinator, draft, lawyer, published, topic

pytestmark = pytest.mark.django_db

WRITERS = [Role.COORDINATOR, Role.LEGAL]
NOT_READERS = [Role.RESPONDER, Role.TREASURER, Role.ADMIN]


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    settings.AMPARO_REQUIRE_MFA = False
    translation.activate("en")


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "At the door",
        "body": "Do not open the door.",
        "sms_text": "Do not open the door.",
        "script": "Ask: are they at the door now?",
        "review_by": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        "needs_legal_review": "on",
    }
    data.update(changes)
    return data


def _every_view(version: TopicVersion) -> list[tuple[str, str]]:
    return [
        ("get", reverse("rights:library")),
        ("get", reverse("rights:version", args=[version.pk])),
        ("get", reverse("rights:new_version", args=[version.topic_id, "en"])),
        ("post", reverse("rights:new_version", args=[version.topic_id, "en"])),
        ("post", reverse("rights:edit", args=[version.pk])),
        ("post", reverse("rights:review", args=[version.pk])),
        ("post", reverse("rights:publish", args=[version.pk])),
        ("post", reverse("rights:discard", args=[version.pk])),
    ]


@pytest.mark.parametrize("role", NOT_READERS)
def test_roles_without_a_use_for_the_library_are_refused_everywhere(role: Role) -> None:
    version = draft(topic(), by=coordinator())
    client = _client(make_staff(role, second_factor=False))

    for method, url in _every_view(version):
        response = getattr(client, method)(url, _form() if method == "post" else None)
        assert response.status_code == 403, (role, url)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT and TopicVersion.objects.count() == 1


def test_an_operator_reads_the_scripts_but_cannot_see_drafts_or_write() -> None:
    door = topic()
    current = published(door, script="Ask: are they at the door now?")
    unpublished = draft(door, by=coordinator(), title="Unpublished words")
    client = _client(make_staff(Role.OPERATOR, second_factor=False))

    library = client.get(reverse("rights:library"))
    assert library.status_code == 200
    page = library.content.decode()
    assert "Ask: are they at the door now?" in page
    assert "Unpublished words" not in page and "New version" not in page
    assert client.get(reverse("rights:version", args=[current.pk])).status_code == 200
    assert client.get(reverse("rights:version", args=[unpublished.pk])).status_code == 403
    for method, url in _every_view(unpublished)[2:]:
        response = getattr(client, method)(url, _form() if method == "post" else None)
        assert response.status_code == 403, url
    assert TopicVersion.objects.get(pk=unpublished.pk).status == VersionStatus.DRAFT


def test_the_library_page_shows_scripts_in_the_chosen_language_with_few_queries(
    django_assert_max_num_queries: Any,
) -> None:
    door = topic()
    published(door, script="English script.")
    published(door, language="es", title="En la puerta", script="Guion en español.")
    client = _client(coordinator())
    client.get(reverse("rights:library"))  # the session is loaded once

    with django_assert_max_num_queries(8):
        page = client.get(reverse("rights:library") + "?language=es").content.decode()

    assert "Guion en español." in page and "English script." not in page


def test_a_coordinator_drafts_a_lawyer_reviews_and_publishes_from_the_pages() -> None:
    door = topic()
    old = published(door, body="Old words.")
    author, reviewer = coordinator(), lawyer()

    response = _client(author).post(
        reverse("rights:new_version", args=[door.pk, "en"]), _form(body="New words.")
    )
    new = TopicVersion.objects.get(topic=door, language="en", number=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("rights:version", args=[new.pk])
    assert (new.author, new.status, new.body) == (author, VersionStatus.DRAFT, "New words.")

    # The author may not review it, not even by posting the form.
    page = _client(author).get(reverse("rights:version", args=[new.pk])).content.decode()
    assert "I reviewed this text" not in page
    _client(author).post(reverse("rights:review", args=[new.pk]), {})
    _client(author).post(reverse("rights:publish", args=[new.pk]))
    new.refresh_from_db()
    assert new.reviewer is None and new.status == VersionStatus.DRAFT

    lawyer_client = _client(reviewer)
    lawyer_client.post(reverse("rights:review", args=[new.pk]), {"legal_review_done": "on"})
    lawyer_client.post(reverse("rights:publish", args=[new.pk]))

    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.status, new.reviewer, new.needs_legal_review) == (
        VersionStatus.PUBLISHED,
        reviewer,
        False,
    )
    assert old.status == VersionStatus.RETIRED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"rights.version_draft", "rights.version_review", "rights.version_publish"} <= actions


def test_the_new_version_form_starts_from_the_latest_text() -> None:
    door = topic()
    published(door, body="The words to start from.")

    page = (
        _client(lawyer()).get(reverse("rights:new_version", args=[door.pk, "en"])).content.decode()
    )

    assert "The words to start from." in page


def test_a_draft_with_a_past_review_date_is_refused_with_the_reason() -> None:
    door = topic()
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    response = _client(coordinator()).post(
        reverse("rights:new_version", args=[door.pk, "en"]), _form(review_by=past)
    )

    assert response.status_code == 200
    assert "Choose a date in the future." in response.content.decode()
    assert not TopicVersion.objects.exists()


def test_editing_a_draft_changes_it_and_discarding_deletes_it() -> None:
    author = coordinator()
    version = draft(topic(), by=author)
    client = _client(author)

    client.post(reverse("rights:edit", args=[version.pk]), _form(body="Edited words."))
    version.refresh_from_db()
    assert version.body == "Edited words."

    client.post(reverse("rights:discard", args=[version.pk]))
    assert not TopicVersion.objects.filter(pk=version.pk).exists()


def test_stale_texts_are_listed_at_the_top_of_the_library() -> None:
    version = published(topic(), title="At the door")
    TopicVersion.objects.filter(pk=version.pk).update(
        review_by=timezone.localdate() - dt.timedelta(days=3)
    )

    page = _client(coordinator()).get(reverse("rights:library")).content.decode()

    assert "Past their review date" in page and "Review overdue" in page


def test_the_call_intake_page_shows_the_scripts_in_the_callers_language() -> None:
    door = topic()
    published(door, script="English script.")
    published(door, language="es", title="En la puerta", script="Guion en español.")
    operator = make_staff(Role.OPERATOR, second_factor=False)

    page = (
        _client(operator).get(reverse("intake:operator_report") + "?language=es").content.decode()
    )

    assert '<details class="rights-scripts">' in page
    assert "Guion en español." in page and "English script." not in page


def test_only_legal_staff_are_offered_to_clear_the_legal_review_flag() -> None:
    version = draft(topic(), by=coordinator())
    url = reverse("rights:version", args=[version.pk])

    as_coordinator = _client(coordinator()).get(url).content.decode()
    as_lawyer = _client(lawyer()).get(url).content.decode()

    assert "I reviewed this text" in as_coordinator and "legal_review_done" not in as_coordinator
    assert 'name="legal_review_done"' in as_lawyer


def test_a_writer_who_rewrote_a_colleagues_draft_cannot_review_or_publish_it_from_the_pages() -> (
    None
):
    door = topic()
    colleague, rewriter = coordinator(), coordinator()
    _client(colleague).post(reverse("rights:new_version", args=[door.pk, "en"]), _form())
    version = TopicVersion.objects.get(topic=door)
    client = _client(rewriter)

    # The coordinator's form has no legal review box; unticking it by hand changes nothing.
    changed_words = _form(body="Open the door and show papers.")
    del changed_words["needs_legal_review"]
    client.post(reverse("rights:edit", args=[version.pk]), changed_words)
    page = client.get(reverse("rights:version", args=[version.pk])).content.decode()
    client.post(reverse("rights:review", args=[version.pk]), {})
    client.post(reverse("rights:publish", args=[version.pk]))

    version.refresh_from_db()
    assert version.body == "Open the door and show papers."
    assert (version.status, version.reviewer, version.needs_legal_review) == (
        VersionStatus.DRAFT,
        None,
        True,
    )
    assert "I reviewed this text" not in page and 'name="needs_legal_review"' not in page
    assert "You wrote or changed this draft" in page
    assert "Written or changed by" in page
    assert colleague.username in page and rewriter.username in page


def test_only_legal_staff_see_the_legal_review_box_when_writing() -> None:
    door = topic()
    version = draft(door, by=coordinator())
    urls = [
        reverse("rights:new_version", args=[door.pk, "en"]),
        reverse("rights:version", args=[version.pk]),
    ]

    for url in urls:
        as_coordinator = _client(coordinator()).get(url).content.decode()
        as_lawyer = _client(lawyer()).get(url).content.decode()
        assert 'name="needs_legal_review"' not in as_coordinator, url
        assert "Only legal staff clear the legal review flag" in as_coordinator, url
        assert 'name="needs_legal_review"' in as_lawyer, url


def test_a_lawyer_may_lower_the_legal_review_flag_from_the_edit_form() -> None:
    version = draft(topic(), by=coordinator())
    unticked = _form()
    del unticked["needs_legal_review"]

    _client(lawyer()).post(reverse("rights:edit", args=[version.pk]), unticked)

    version.refresh_from_db()
    assert not version.needs_legal_review
