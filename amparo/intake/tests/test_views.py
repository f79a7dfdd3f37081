"""The report forms: the public one (no account, four languages, rate limited), the call intake."""

from __future__ import annotations

import base64
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from PIL import Image

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.contacts.models import Contact
from amparo.incidents.models import Incident, Report, ReportPhoto, ReportSource
from amparo.places.models import Town, ZipCode

pytestmark = pytest.mark.django_db

REPORT_URL = "/report/"
OPERATOR_URL = "/staff/intake/report/"
LANGUAGES = ["en", "es", "pt", "ht"]
CLIENT_A = "198.51.100.7"
CLIENT_B = "203.0.113.9"


@pytest.fixture
def hartford() -> Town:
    Town.objects.create(
        name="New Haven", state="CT", latitude=Decimal("41.30815"), longitude=Decimal("-72.92816")
    )
    return Town.objects.create(
        name="Hartford", state="CT", latitude=Decimal("41.76371"), longitude=Decimal("-72.68509")
    )


def in_language(client: Client, code: str) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = code
    return client


def report_data(town: Town, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "town": str(town.pk),
        "zip_code": "",
        "where": "Park St and Main St, in front of the bakery",
        "text": "Two grey vans, four agents in vests",
        "agency": "ice",
        "agents_count": "4",
        "someone_taken": "unknown",
        "warrant": "unknown",
        "place_kind": "street",
        "phone": "",
    }
    data.update(overrides)
    return data


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "InventedCam"  # Make
    exif[0x0131] = "SecretEditor 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (41.0, 45.0, 49.0)
    gps[3] = "W"
    gps[4] = (72.0, 41.0, 6.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def html(response: Any) -> str:
    return response.content.decode()


# --- the public form -----------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_form_opens_for_anyone_in_each_language(
    client: Client, hartford: Town, code: str
) -> None:
    response = in_language(client, code).get(REPORT_URL)

    page = html(response)
    assert response.status_code == 200
    assert f'<html lang="{code}">' in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_where"' in page and '<label for="id_phone"' in page
    assert "Hartford" in page and "New Haven" in page
    assert 'name="name"' not in page  # we do not ask for a name


def test_the_form_needs_no_javascript_and_loads_nothing_from_elsewhere(
    client: Client, hartford: Town
) -> None:
    page = html(client.get(REPORT_URL))

    assert "<script" not in page
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', page)


def test_the_browser_keeps_no_copy_of_what_was_typed(client: Client, hartford: Town) -> None:
    response = client.post(REPORT_URL, report_data(hartford, text=""), REMOTE_ADDR=CLIENT_A)

    assert "no-store" in response["Cache-Control"]
    assert '<form method="post"' in html(response) and 'autocomplete="off"' in html(response)


def test_no_table_holds_the_reporters_address(client: Client, hartford: Town) -> None:
    client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)
    assert Report.objects.exists()

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from Django)
            if CLIENT_A in repr(cursor.fetchall()):
                found.append(table)
    assert found == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_report_sent_in_each_language_lands_and_is_thanked_in_that_language(
    client: Client, hartford: Town, code: str
) -> None:
    in_language(client, code)

    response = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:report_thanks")
    report = Report.objects.get()
    assert (report.source, report.language, report.reporter) == (ReportSource.WEB, code, None)
    assert report.text == "Two grey vans, four agents in vests"
    assert (report.town, report.agency, report.agents_count) == (hartford, "ice", 4)
    assert report.taken_by is None
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert f'<html lang="{code}">' in html(thanks)
    assert 'id="report-received"' in html(thanks)


def test_the_thank_you_page_says_what_happens_next_and_shows_the_hotline(
    client: Client, settings: Any
) -> None:
    settings.AMPARO_CHANNELS = {
        "sms": {**settings.AMPARO_CHANNELS["sms"], "senders": ["+18605550100"]}
    }

    page = html(client.get(reverse("intake:report_thanks")))

    assert "We do not post reports that are not verified." in page
    assert '<a href="tel:+18605550100">(860) 555-0100</a>' in page


def test_the_structured_answers_reach_the_report(client: Client, hartford: Town) -> None:
    data = report_data(
        hartford, someone_taken="yes", warrant="administrative", place_kind="home", agency="cbp"
    )

    client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    report = Report.objects.get()
    assert (report.someone_taken, report.warrant, report.place_kind, report.agency) == (
        True,
        "administrative",
        "home",
        "cbp",
    )


def test_a_bad_report_is_explained_and_keeps_what_was_typed(client: Client, hartford: Town) -> None:
    in_language(client, "es")
    data = report_data(
        hartford, town="", where="", zip_code="12", agents_count="muchos", phone="12"
    )

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    page = html(response)
    assert response.status_code == 400
    assert not Report.objects.exists()
    assert '<html lang="es">' in page
    assert 'role="alert"' in page
    for field in ("zip_code", "agents_count", "phone"):
        assert f'href="#id_{field}"' in page
        assert re.search(rf'<input[^>]*id="id_{field}"[^>]*aria-invalid="true"', page) or re.search(
            rf'<input[^>]*aria-invalid="true"[^>]*id="id_{field}"', page
        )
    assert "Two grey vans, four agents in vests</textarea>" in page
    assert 'value="muchos"' in page and 'value="12"' in page
    assert re.search(r'value="ice"[^>]*checked', page)
    assert re.search(r'value="street"[^>]*checked', page)


def test_a_report_with_no_place_at_all_is_asked_where(client: Client, hartford: Town) -> None:
    response = client.post(
        REPORT_URL, report_data(hartford, town="", where="", zip_code=""), REMOTE_ADDR=CLIENT_A
    )

    assert response.status_code == 400
    assert "Tell us where: choose a town, give a ZIP code or describe the place." in html(response)
    assert 'href="#id_where"' in html(response)


def test_a_report_without_words_is_asked_what_is_seen(client: Client, hartford: Town) -> None:
    response = client.post(REPORT_URL, report_data(hartford, text=""), REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 400
    assert "Tell us what you see." in html(response)


def test_a_photo_must_be_chosen_again_after_an_error_and_the_form_says_so(
    client: Client, hartford: Town
) -> None:
    data = report_data(hartford, text="")
    data["photo"] = SimpleUploadedFile("van.jpg", jpeg_with_gps(), content_type="image/jpeg")

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 400
    assert "Your photo was not kept: choose it again if you want to send it." in html(response)


def test_a_phone_number_is_optional_and_kept_only_as_a_sealed_call_back_detail(
    client: Client, hartford: Town
) -> None:
    in_language(client, "pt")
    client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)
    client.post(REPORT_URL, report_data(hartford, phone="(860) 555-0142"), REMOTE_ADDR=CLIENT_A)

    anonymous, called_back = Report.objects.order_by("received_at")
    assert anonymous.reporter is None and anonymous.details is None
    assert called_back.reporter is None
    assert called_back.details == {"callback_phone": "+18605550142"}
    assert not Contact.objects.exists()  # a typed number proves nothing: no contact


def test_typed_numbers_do_not_make_independent_reporters(client: Client, hartford: Town) -> None:
    for phone in ["(860) 555-0142", "(860) 555-0143", "(860) 555-0144"]:
        client.post(REPORT_URL, report_data(hartford, phone=phone), REMOTE_ADDR=CLIENT_A)

    incident = Incident.objects.get()
    assert incident.report_count == 3 and incident.reporter_count == 0


def test_the_form_says_the_phone_number_is_optional(client: Client, hartford: Town) -> None:
    page = html(client.get(REPORT_URL))

    assert "Your phone number, for a call back (optional)" in page
    assert "Leave it empty to stay anonymous." in page


def test_a_photo_is_stored_sealed_and_without_its_exif_and_gps(
    client: Client, hartford: Town
) -> None:
    original = jpeg_with_gps()
    assert b"InventedCam" in original
    data = report_data(hartford)
    data["photo"] = SimpleUploadedFile("van.jpg", original, content_type="image/jpeg")

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 302
    photo = ReportPhoto.objects.get(report=Report.objects.get())
    stored = base64.b64decode(photo.data)
    assert b"InventedCam" not in stored and b"SecretEditor" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.size == (64, 48)
    assert dict(image.getexif()) == {}


def test_a_file_that_is_not_a_photo_is_refused_clearly(client: Client, hartford: Town) -> None:
    data = report_data(hartford)
    data["photo"] = SimpleUploadedFile("van.jpg", b"%PDF-1.4 not a photo", "image/jpeg")

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 400
    assert "That file is not a photo we can read." in html(response)
    assert not Report.objects.exists()


def test_a_photo_over_the_size_cap_is_refused_and_the_rest_is_kept(
    client: Client, hartford: Town, settings: Any
) -> None:
    settings.AMPARO_REPORT_PHOTO_MAX_BYTES = 100_000
    data = report_data(hartford)
    data["photo"] = SimpleUploadedFile("big.jpg", b"\xff" * 150_000, content_type="image/jpeg")

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    page = html(response)
    assert response.status_code == 400
    assert "The photo is too large (over 97.7\xa0KB)." in page
    assert "Two grey vans, four agents in vests</textarea>" in page
    assert not Report.objects.exists()


def test_an_uploaded_photo_is_never_written_to_a_temporary_file(
    client: Client, hartford: Town, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django's own handlers would go to disk

    def no_disk(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an upload went to a temporary file")

    monkeypatch.setattr("django.core.files.uploadedfile.TemporaryUploadedFile.__init__", no_disk)
    data = report_data(hartford)
    data["photo"] = SimpleUploadedFile("van.jpg", jpeg_with_gps(), content_type="image/jpeg")

    response = client.post(REPORT_URL, data, REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 302
    assert ReportPhoto.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(hartford: Town) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_flood_from_one_client_is_refused_while_another_clients_report_lands(
    client: Client, hartford: Town, settings: Any
) -> None:
    settings.AMPARO_WEB_REPORT_LIMIT = 3
    in_language(client, "es")

    flood = [
        client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A).status_code
        for _ in range(6)
    ]
    other = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_B)

    assert flood == [302, 302, 302, 429, 429, 429]
    assert other.status_code == 302
    assert Report.objects.count() == 4


def test_the_refusal_is_a_clear_page_in_the_users_language(
    client: Client, hartford: Town, settings: Any
) -> None:
    settings.AMPARO_WEB_REPORT_LIMIT = 1
    settings.AMPARO_WEB_REPORT_WINDOW_SECONDS = 600
    in_language(client, "ht")
    client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)

    refused = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)

    page = html(refused)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert '<html lang="ht">' in page
    assert 'id="report-refused"' in page
    assert "anviwon 10 minit" in page  # "about 10 minutes", in Haitian Creole


def test_mistakes_do_not_use_up_the_limit(client: Client, hartford: Town, settings: Any) -> None:
    settings.AMPARO_WEB_REPORT_LIMIT = 1
    for _ in range(3):
        client.post(REPORT_URL, report_data(hartford, text=""), REMOTE_ADDR=CLIENT_A)

    response = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)

    assert response.status_code == 302


def test_behind_the_proxy_clients_are_told_apart_by_their_forwarded_address(
    client: Client, hartford: Town, settings: Any
) -> None:
    settings.AMPARO_WEB_REPORT_LIMIT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    first = client.post(
        REPORT_URL, report_data(hartford), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=CLIENT_A
    )
    again = client.post(
        REPORT_URL, report_data(hartford), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=CLIENT_A
    )
    other = client.post(
        REPORT_URL, report_data(hartford), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=CLIENT_B
    )

    assert [first.status_code, again.status_code, other.status_code] == [302, 429, 302]


def test_an_ipv6_client_counts_once_for_its_whole_64(
    client: Client, hartford: Town, settings: Any
) -> None:
    settings.AMPARO_WEB_REPORT_LIMIT = 1
    client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR="2001:db8:1:2::10")

    same_64 = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR="2001:db8:1:2::99")
    other_64 = client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR="2001:db8:1:3::10")

    assert (same_64.status_code, other_64.status_code) == (429, 302)


# --- the operators' call intake ------------------------------------------------------


def operator_data(town: Town, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "caller_language": "es",
        "phone": "",
        "place_kind": "home",
        "town": str(town.pk),
        "zip_code": "",
        "where": "34 Park St, second floor",
        "text": "Agents knocking at the door, asking for the father",
        "agents_count": "3",
        "vehicles": "two grey Dodge vans",
        "plates": "CT AB-1234",
        "uniforms": "vests marked POLICE ICE",
        "agency": "ice",
        "warrant": "administrative",
        "someone_taken": "no",
        "said": "Open up, we have a warrant",
    }
    data.update(overrides)
    return data


def incident_page_or_intake(report: Report) -> str:
    """Where the intake sends the operator: the incident's page once the board exists."""
    try:
        return reverse("incidents:incident", args=[report.incident_id])
    except NoReverseMatch:
        return OPERATOR_URL


@pytest.fixture
def operator_client(client: Client) -> Client:
    client.force_login(make_staff(Role.OPERATOR))
    return client


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COORDINATOR])
def test_an_operator_or_coordinator_takes_a_report_from_a_call(
    client: Client, hartford: Town, role: Role
) -> None:
    user = make_staff(role)
    client.force_login(user)

    response = client.post(OPERATOR_URL, operator_data(hartford))

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.source, report.taken_by, report.language) == (ReportSource.OPERATOR, user, "es")
    assert report.details == {
        "vehicles": "two grey Dodge vans",
        "plates": "CT AB-1234",
        "uniforms": "vests marked POLICE ICE",
        "said": "Open up, we have a warrant",
    }
    assert (report.place_kind, report.warrant, report.someone_taken) == (
        "home",
        "administrative",
        False,
    )
    assert report.incident is not None
    assert response["Location"] == incident_page_or_intake(report)


def test_only_what_the_operator_wrote_goes_to_the_details(
    operator_client: Client, hartford: Town
) -> None:
    data = operator_data(hartford, vehicles="", plates="", said="")

    operator_client.post(OPERATOR_URL, data)

    assert Report.objects.get().details == {"uniforms": "vests marked POLICE ICE"}


def test_the_callers_number_links_a_contact_in_the_callers_language(
    operator_client: Client, hartford: Town
) -> None:
    operator_client.post(OPERATOR_URL, operator_data(hartford, phone="+1 860 555 0177"))

    contact = Contact.objects.matching(phone="+18605550177").get()
    assert Report.objects.get().reporter == contact
    assert contact.language == "es"


def test_a_bad_call_report_keeps_what_the_operator_typed(
    operator_client: Client, hartford: Town
) -> None:
    response = operator_client.post(OPERATOR_URL, operator_data(hartford, text="", zip_code="6"))

    page = html(response)
    assert response.status_code == 400
    assert not Report.objects.exists()
    assert 'href="#id_text"' in page and 'href="#id_zip_code"' in page
    assert 'value="two grey Dodge vans"' in page
    assert "Open up, we have a warrant</textarea>" in page


@pytest.mark.parametrize("role", [Role.RESPONDER, Role.LEGAL, Role.TREASURER, Role.ADMIN])
def test_other_roles_are_refused_the_call_intake(
    client: Client, hartford: Town, role: Role
) -> None:
    client.force_login(make_staff(role))

    assert client.get(OPERATOR_URL).status_code == 403
    assert client.post(OPERATOR_URL, operator_data(hartford)).status_code == 403
    assert not Report.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, hartford: Town) -> None:
    got = client.get(OPERATOR_URL)
    posted = client.post(OPERATOR_URL, operator_data(hartford))

    assert got.status_code == posted.status_code == 302
    assert got["Location"].startswith(reverse("account_login"))
    assert not Report.objects.exists()


def test_the_call_intake_refuses_a_post_without_the_csrf_token(hartford: Town) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff(Role.OPERATOR))

    response = client.post(OPERATOR_URL, operator_data(hartford))

    assert response.status_code == 403
    assert not Report.objects.exists()


def test_the_coaching_script_is_shown_in_the_callers_language_and_english(
    operator_client: Client, hartford: Town
) -> None:
    page = html(operator_client.get(OPERATOR_URL, {"language": "pt"}))

    shown = re.findall(r'<section class="coaching-text" lang="(\w+)" data-language="\w+">', page)
    hidden = re.findall(r'data-language="(\w+)" hidden>', page)
    assert shown == ["pt", "en"]
    assert sorted(hidden) == ["es", "ht"]
    assert "Do not open the door." in page
    assert "Não abra a porta." in page and "No abra la puerta." in page
    assert "Ask them to pass the warrant under the door" in page
    assert re.search(r'<option value="pt"[^>]*selected', page)


def test_the_coaching_script_is_visible_without_javascript_and_highlighted_at_a_home(
    operator_client: Client, hartford: Town
) -> None:
    plain = html(operator_client.get(OPERATOR_URL))
    at_home = html(operator_client.post(OPERATOR_URL, operator_data(hartford, text="")))

    assert 'class="coaching"' in plain
    assert 'class="coaching at-home"' in at_home
    assert '<script src="/static/intake/operator.js" defer></script>' in plain


def test_a_zip_code_places_the_report_at_its_centroid(client: Client, hartford: Town) -> None:
    ZipCode.objects.create(
        code="06106", town=hartford, latitude=Decimal("41.74930"), longitude=Decimal("-72.69610")
    )

    client.post(
        REPORT_URL,
        report_data(hartford, town="", where="", zip_code="06106-1234"),
        REMOTE_ADDR=CLIENT_A,
    )

    report = Report.objects.get()
    assert report.location["precision"] == "zip"
    assert report.town == hartford
    assert report.incident is not None


def test_a_web_report_and_a_call_about_the_same_place_join_one_incident(
    client: Client, hartford: Town
) -> None:
    client.post(REPORT_URL, report_data(hartford), REMOTE_ADDR=CLIENT_A)
    client.force_login(make_staff(Role.OPERATOR))
    client.post(OPERATOR_URL, operator_data(hartford))

    web, call = Report.objects.order_by("received_at")
    assert web.incident_id is not None
    assert web.incident_id == call.incident_id


def test_a_call_with_no_known_place_is_saved_and_waits_to_be_placed(
    operator_client: Client, hartford: Town
) -> None:
    data = operator_data(hartford, town="", where="behind the old mill nobody knows")

    response = operator_client.post(OPERATOR_URL, data, follow=True)

    report = Report.objects.get()
    assert report.incident is None
    assert response.redirect_chain == [(OPERATOR_URL, 302)]
    assert "it waits on the board for an operator to place it" in html(response)
