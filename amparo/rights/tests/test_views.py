"""Public rights pages: no account, no JavaScript, small, printable; old versions stay."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from amparo.rights.models import TopicKind, TopicVersion
from amparo.rights.tests.factories import coordinator, draft, publish_seed, published, topic

pytestmark = pytest.mark.django_db

NOT_ADVICE = "general information, not legal advice"


def _client(language: str = "en") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def _page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_index_lists_every_topic_in_the_visitors_language(
    django_assert_num_queries: Any,
) -> None:
    publish_seed()

    with django_assert_num_queries(1):
        page = _page(_client("es").get("/rights/"))

    assert '<html lang="es">' in page
    assert "En la puerta de su casa" in page and "Tipos de orden (warrant)" in page
    assert "At the door" not in page
    assert page.count('href="/rights/card/') == 4
    assert len(page) < 12_000


def test_a_topic_page_shows_the_current_text_its_review_date_and_that_it_is_not_advice(
    django_assert_num_queries: Any,
) -> None:
    door = topic()
    version = published(door, body="Do not open the door.\n\nPass the warrant under the door.")

    with translation.override("en"), django_assert_num_queries(2):
        page = _page(_client().get("/rights/at-the-door/"))

    assert "<p>Pass the warrant under the door.</p>" in page
    assert NOT_ADVICE in page.lower()
    assert "Reviewed" in page and f'datetime="{version.reviewed_at:%Y-%m-%d}"' in page
    assert "waiting for review by a lawyer" in page  # the flag is shown
    assert "older version" not in page


def test_an_old_version_stays_readable_by_its_link_and_points_to_the_current_one() -> None:
    door = topic()
    first = published(door, body="The first text.")
    second = published(door, body="The second text.")

    with translation.override("en"):
        old = _page(_client().get("/rights/at-the-door/en/v1/"))
        current = _page(_client().get("/rights/at-the-door/"))

    assert "The first text." in old and "older version" in old
    assert 'href="/rights/at-the-door/en/v2/"' in old
    assert "The second text." in current and "older version" not in current
    assert 'href="/rights/at-the-door/en/v1/"' in current  # the history links every version
    assert (first.number, second.number) == (1, 2)


def test_a_draft_is_never_public() -> None:
    door = topic()
    published(door, body="Published text.")
    secret = draft(door, by=coordinator(), body="Unreviewed draft words.")

    assert _client().get(f"/rights/at-the-door/en/v{secret.number}/").status_code == 404
    assert "Unreviewed draft words." not in _page(_client().get("/rights/at-the-door/"))


def test_a_topic_without_a_text_in_the_visitors_language_is_shown_in_english() -> None:
    published(topic(), title="At the door", body="English words.")

    page = _page(_client("pt").get("/rights/at-the-door/"))

    assert '<article class="rights-text" lang="en">' in page
    assert "English words." in page


def test_an_unknown_topic_or_version_is_not_found() -> None:
    published(topic())

    assert _client().get("/rights/nowhere/").status_code == 404
    assert _client().get("/rights/at-the-door/en/v9/").status_code == 404
    assert _client().get("/rights/at-the-door/xx/v1/").status_code == 404


def test_pages_load_nothing_from_another_origin_and_print_cleanly() -> None:
    published(topic(TopicKind.WARRANTS, "warrants", 7), title="Warrants explained")

    pages = [_page(_client().get(url)) for url in ("/rights/", "/rights/warrants/")]

    for page in pages:
        assert "<script" not in page
        assert not re.search(r'(src|href)="(https?:)?//', page)
    css = _client().get("/static/rights/rights.css")
    assert css.status_code == 200
    assert b"@media print" in b"".join(css.streaming_content)  # type: ignore[attr-defined]


def test_the_public_pages_need_no_account_and_no_post() -> None:
    published(topic())

    for url in ("/rights/", "/rights/at-the-door/", "/rights/at-the-door/en/v1/"):
        assert _client().get(url).status_code == 200
        assert _client().post(url).status_code == 405


def test_the_staff_rights_page_is_not_public() -> None:
    response = _client().get(reverse("rights:library"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert TopicVersion.objects.count() == 0
