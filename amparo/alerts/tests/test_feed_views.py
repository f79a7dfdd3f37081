"""The public alerts feed: only published alerts, in the viewer's language, as pages and feeds."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from amparo.alerts.actions.broadcasts import (
    approve_broadcast,
    draft_broadcast,
    submit_broadcast,
    withdraw_from_feed,
)
from amparo.alerts.models import BroadcastKind, BroadcastRecipient, BroadcastStatus
from amparo.alerts.queries.feed import KIND_LABELS
from amparo.alerts.tests.feed_factories import (
    BODIES,
    DEBUNK_BODIES,
    make_broadcast,
    make_confirmed_incident,
    make_coordinator,
    make_debunked_incident,
    make_town,
)
from amparo.contacts.actions import find_or_create_contact
from amparo.incidents.actions import close_incident

pytestmark = pytest.mark.django_db

FEED_URL = "/alerts/"
ATOM_URL = "/alerts/feed.atom"
JSON_URL = "/alerts/feed.json"
ATOM = "{http://www.w3.org/2005/Atom}"
# The recipient's number in any format (the network's own hotline may show).
RECIPIENT_PHONE = "+18605550142"
PHONE = re.compile(r"555[ ).-]*0142")


def in_language(client: Client, code: str) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = code
    return client


def page(client: Client, url: str = FEED_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_a_published_alert_without_an_account() -> None:
    make_broadcast(towns=[make_town()])
    with translation.override("en"):
        html = page(Client())
    assert BODIES["en"] in html
    assert "Hartford" in html
    assert "Confirmed" in html


@pytest.mark.parametrize(
    "status",
    [BroadcastStatus.DRAFT, BroadcastStatus.PENDING, BroadcastStatus.CANCELLED],
)
def test_a_broadcast_that_did_not_go_out_never_shows(status: str) -> None:
    make_broadcast(status=status, bodies={"en": "Not approved yet: agents near Elm St."})
    html = page(Client())
    assert "Not approved yet" not in html
    assert 'id="no-alerts"' in html


def test_an_unpublished_kind_never_shows_even_once_sent() -> None:
    make_broadcast(
        kind=BroadcastKind.NOTICE, published=False, bodies={"en": "Volunteer meeting Tuesday."}
    )
    assert "Volunteer meeting" not in page(Client())


def test_alerts_come_newest_first() -> None:
    make_broadcast(bodies={"en": "Older alert about Maple Ave."}, minutes_ago=60)
    make_broadcast(bodies={"en": "Newer alert about Oak St."}, minutes_ago=1)
    html = page(Client())
    assert html.index("Newer alert") < html.index("Older alert")


@pytest.mark.parametrize("code", ["es", "pt", "ht"])
def test_each_alert_shows_in_the_viewers_language(code: str) -> None:
    make_broadcast()
    html = page(in_language(Client(), code))
    assert BODIES[code] in html
    assert BODIES["en"] not in html


def test_an_alert_missing_the_viewers_language_falls_back_to_english_marked_as_such() -> None:
    make_broadcast(bodies={"en": "All clear on Park St.", "es": "Todo despejado en Park St."})
    html = page(in_language(Client(), "ht"))
    assert '<div class="alert-body" lang="en"><p>All clear on Park St.</p></div>' in html
    assert "Todo despejado" not in html


def test_a_debunk_shows_as_a_false_alarm_about_its_incident() -> None:
    hartford = make_town()
    incident = make_debunked_incident(hartford)
    make_broadcast(kind=BroadcastKind.DEBUNK, bodies=DEBUNK_BODIES, incident=incident)
    with translation.override("en"):
        html = page(Client())
    assert "FALSE ALARM" in html
    assert "The report of activity in Hartford (" in html
    assert 'FALSE ALARM</strong><span class="alert-towns"> · Hartford</span>' in html
    assert "alert-debunk" in html


def test_a_retracted_alert_says_so_and_links_its_retraction() -> None:
    original = make_broadcast(bodies={"en": "Agents near the library."}, minutes_ago=30)
    retraction = make_broadcast(
        kind=BroadcastKind.RETRACTION,
        bodies={"en": "Retraction: the alert about the library was wrong."},
        corrects=original,
    )
    with translation.override("en"):
        html = page(Client())
    assert "Withdrawn: the network retracted this alert." in html
    assert f'href="/alerts/{retraction.id}/"' in html
    assert f'href="/alerts/{original.id}/"' in html  # the retraction points back
    assert "Agents near the library." not in html  # the retracted words are not repeated
    own = page(Client(), f"/alerts/{original.id}/")
    assert "Withdrawn" in own and "Agents near the library." not in own
    feeds = page(Client(), JSON_URL) + page(Client(), ATOM_URL)
    assert "Agents near the library." not in feeds


def test_the_page_never_shows_who_wrote_approved_or_received_an_alert() -> None:
    author = make_coordinator()
    broadcast = make_broadcast(author=author)
    contact = find_or_create_contact(phone=RECIPIENT_PHONE)
    BroadcastRecipient.objects.create(broadcast=broadcast, contact=contact, language="en")
    for html in (page(Client()), page(Client(), f"/alerts/{broadcast.id}/")):
        assert author.username not in html
        assert broadcast.approved_by is not None
        assert broadcast.approved_by.username not in html
        assert not PHONE.search(html)


def test_the_page_costs_the_same_few_queries_for_many_alerts(django_assert_num_queries) -> None:
    towns = [make_town("Hartford"), make_town("New Haven", "41.30815", "-72.92816")]
    for n in range(12):
        original = make_broadcast(towns=towns, bodies={"en": f"Alert number {n} near Main St."})
        make_broadcast(kind=BroadcastKind.CORRECTION, corrects=original)
    client = Client()
    # broadcasts, their towns, their originals' towns, their corrections
    with django_assert_num_queries(4):
        client.get(FEED_URL)


def test_one_alert_has_its_own_page_and_an_unpublished_one_is_not_found() -> None:
    published = make_broadcast()
    draft = make_broadcast(status=BroadcastStatus.DRAFT)
    assert BODIES["en"] in page(Client(), f"/alerts/{published.id}/")
    assert Client().get(f"/alerts/{draft.id}/").status_code == 404
    assert Client().get(f"/alerts/{uuid.uuid4()}/").status_code == 404


# --- Atom ------------------------------------------------------------------------


def atom_entries(client: Client, url: str) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's answer)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_the_atom_feed_holds_only_published_alerts_in_the_asked_language() -> None:
    make_broadcast(towns=[make_town()])
    make_broadcast(status=BroadcastStatus.PENDING, bodies={"en": "Waiting for approval."})
    root, entries = atom_entries(Client(), ATOM_URL + "?lang=es")
    assert len(entries) == 1
    summary = entries[0].find(f"{ATOM}summary")
    assert summary is not None and summary.text is not None
    assert BODIES["es"] in summary.text
    title = entries[0].find(f"{ATOM}title")
    with translation.override("es"):
        expected = f"{KIND_LABELS[BroadcastKind.CONFIRMED]} · Hartford"
    assert title is not None and title.text == expected
    assert b"Waiting for approval" not in ET.tostring(root)


def test_atom_entries_are_well_formed_and_name_no_person() -> None:
    author = make_coordinator()
    broadcast = make_broadcast(
        author=author, bodies={"en": "Agents <b>at</b> the bus stop & park."}
    )
    response = Client().get(ATOM_URL + "?lang=en")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's answer)
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    entry_id = entry.find(f"{ATOM}id")
    assert entry_id is not None and entry_id.text == broadcast.id.urn
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").endswith(f"/alerts/{broadcast.id}/")
    assert entry.find(f"{ATOM}updated") is not None
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None and summary.text is not None
    # The body is text: a reader rendering the HTML summary shows the brackets, runs no markup.
    assert "&lt;b&gt;at&lt;/b&gt;" in summary.text
    feed_author = root.find(f"{ATOM}author/{ATOM}name")
    assert feed_author is not None and feed_author.text == django_settings.AMPARO_NETWORK_NAME
    assert author.username.encode() not in response.content


def test_an_unknown_lang_falls_back_to_the_visitors_language() -> None:
    make_broadcast()
    _root, entries = atom_entries(in_language(Client(), "pt"), ATOM_URL + "?lang=xx")
    summary = entries[0].find(f"{ATOM}summary")
    assert summary is not None and summary.text is not None and BODIES["pt"] in summary.text


# --- JSON Feed -------------------------------------------------------------------


def test_the_json_feed_is_json_feed_1_1_with_only_published_alerts() -> None:
    hartford = make_town()
    published = make_broadcast(towns=[hartford])
    make_broadcast(status=BroadcastStatus.DRAFT, bodies={"en": "A draft about Elm St."})
    response = Client().get(JSON_URL + "?lang=ht")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["language"] == "ht"
    assert feed["feed_url"].endswith("/alerts/feed.json?lang=ht")
    assert feed["home_page_url"].endswith("/alerts/")
    [item] = feed["items"]
    assert item["id"] == published.id.urn
    assert item["url"].endswith(f"/alerts/{published.id}/")
    assert item["content_text"] == BODIES["ht"]
    assert item["language"] == "ht"
    assert item["_amparo"]["towns"] == ["Hartford"]
    assert item["date_published"].startswith(str(published.queued_at.year))
    assert "A draft" not in response.content.decode()


def test_the_json_feed_falls_back_to_english_and_holds_no_personal_data() -> None:
    author = make_coordinator()
    broadcast = make_broadcast(author=author, bodies={"en": "All clear near the school."})
    contact = find_or_create_contact(phone=RECIPIENT_PHONE)
    BroadcastRecipient.objects.create(broadcast=broadcast, contact=contact, language="pt")
    feed = json.loads(Client().get(JSON_URL + "?lang=pt").content)
    [item] = feed["items"]
    assert item["content_text"] == "All clear near the school."
    assert item["language"] == "en"
    text = json.dumps(feed)
    assert author.username not in text
    assert not PHONE.search(text)
    assert set(item) == {
        "id",
        "url",
        "title",
        "content_text",
        "date_published",
        "language",
        "tags",
        "_amparo",
    }


def test_feeds_may_be_cached_a_minute_and_vary_with_the_language() -> None:
    response = Client().get(JSON_URL)
    assert "max-age=60" in response["Cache-Control"]
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


# --- limits ----------------------------------------------------------------------


def test_a_client_loading_pages_too_fast_is_refused_for_a_while(settings) -> None:
    settings.AMPARO_PUBLIC_ALERTS_LIMIT = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        assert client.get(FEED_URL).status_code == 200
    refused = client.get(ATOM_URL)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(settings.AMPARO_PUBLIC_ALERTS_WINDOW_SECONDS)
    assert Client(REMOTE_ADDR="203.0.113.9").get(FEED_URL).status_code == 200


def test_the_feed_pages_answer_only_reads() -> None:
    assert Client().post(FEED_URL).status_code in (403, 405)


def test_feed_readers_may_ask_for_headers_only() -> None:
    for url in (FEED_URL, ATOM_URL, JSON_URL):
        response = Client().head(url)
        assert response.status_code == 200
        assert response.content == b""


def test_the_atom_feed_says_its_language() -> None:
    make_broadcast()
    root, _entries = atom_entries(Client(), ATOM_URL + "?lang=ht")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ht"


def test_a_confirmed_alert_says_when_its_incident_is_over() -> None:
    hartford = make_town()
    incident = make_confirmed_incident(hartford)
    make_broadcast(incident=incident, towns=[hartford])
    with translation.override("en"):
        assert "Over: the network has closed" not in page(Client())
        close_incident(incident=incident, by=make_coordinator(), note="agents left")
        html = page(Client())
    assert "Over: the network has closed this incident since." in html
    assert BODIES["en"] in html  # what was sent stays readable


def test_an_alert_shows_once_a_second_coordinator_approves_it_through_the_actions() -> None:
    hartford = make_town()
    author, approver = make_coordinator(), make_coordinator()
    bodies = {
        "en": "Confirmed: immigration agents in Hartford now. Stay inside, know your rights.",
        "es": "Confirmado: agentes de inmigración en Hartford ahora. Quédese adentro.",
    }
    draft = draft_broadcast(
        by=author, kind=BroadcastKind.CONFIRMED, bodies=bodies, towns=[hartford]
    )
    assert "agents in Hartford now" not in page(Client())
    submit_broadcast(broadcast=draft, by=author)
    assert "agents in Hartford now" not in page(Client())
    approve_broadcast(broadcast=draft, by=approver)
    html = page(in_language(Client(), "es"))
    assert bodies["es"] in html
    assert f'id="alert-{draft.id}"' in html


def test_an_alert_withdrawn_from_the_feed_is_gone_from_the_page_and_the_feeds() -> None:
    shown = make_broadcast(bodies={"en": "Agents near the library."})
    withdraw_from_feed(broadcast=shown, by=make_coordinator())
    assert Client().get(f"/alerts/{shown.id}/").status_code == 404
    everything = page(Client()) + page(Client(), JSON_URL) + page(Client(), ATOM_URL)
    assert "Agents near the library." not in everything and str(shown.id) not in everything
