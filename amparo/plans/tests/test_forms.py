"""The plan forms: blank rows skipped, begun rows finished, A-numbers and phones normalized."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from amparo.plans.contents import MAX_CONTACTS, PlanContents
from amparo.plans.forms import (
    MEMBER_ROWS,
    ManageForm,
    NewPinForm,
    PlanEntry,
    normalize_a_number,
)
from amparo.plans.tests.factories import make_contents


def plan_post(**fields: Any) -> dict[str, Any]:
    """A POST of the whole plan form: one member, one contact, a PIN; ``fields`` override."""
    data: dict[str, Any] = {
        "members-TOTAL_FORMS": str(MEMBER_ROWS),
        "members-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": str(MAX_CONTACTS),
        "contacts-INITIAL_FORMS": "0",
        "members-0-name": "Rosa Inventada",
        "members-0-a_number": "A12345678",
        "members-1-name": "Tito Inventado",
        "members-1-is_child": "on",
        "contacts-0-name": "Carmen Ficticia",
        "contacts-0-phone": "(860) 555-0142",
        "contacts-0-language": "es",
        "contacts-0-relation": "hermana",
        "caregiver_name": "Marta Ficticia",
        "caregiver_phone": "860 555 0143",
        "language": "es",
        "pin": "2580",
        "pin_again": "2580",
    }
    for n in range(MAX_CONTACTS):
        data.setdefault(f"contacts-{n}-language", "en")
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("A123456789", "123456789"),
        ("a12345678", "012345678"),
        ("A-123-456-789", "123456789"),
        ("A 123 456 78", "012345678"),
        ("123456789", "123456789"),
    ],
)
def test_an_a_number_is_kept_as_nine_digits(typed: str, kept: str) -> None:
    assert normalize_a_number(typed) == kept


@pytest.mark.parametrize("typed", ["A1234567", "A1234567890", "B12345678", "A12345678X", "", "A"])
def test_what_is_not_an_a_number_is_refused(typed: str) -> None:
    assert normalize_a_number(typed) is None


def test_a_full_form_gives_the_plan_with_blank_rows_skipped() -> None:
    entry = PlanEntry(plan_post())

    assert entry.is_valid(), entry.error_links()
    contents = entry.contents()
    assert [(m.name, m.is_child, m.a_number) for m in contents.members] == [
        ("Rosa Inventada", False, "012345678"),
        ("Tito Inventado", True, ""),
    ]
    (contact,) = contents.contacts
    assert (contact.name, contact.phone, contact.language, contact.relation) == (
        "Carmen Ficticia",
        "+18605550142",
        "es",
        "hermana",
    )
    assert contents.caregiver.phone == "+18605550143"
    assert entry.language == "es" and entry.new_pin == "2580"


def test_at_least_one_contact_is_required() -> None:
    entry = PlanEntry(
        plan_post(**{"contacts-0-name": "", "contacts-0-phone": "", "contacts-0-relation": ""})
    )

    with translation.override("en"):
        assert not entry.is_valid()
        messages = [link.message for link in entry.error_links()]
    assert any("at least one emergency contact" in message for message in messages)


def test_a_begun_contact_row_needs_a_name_and_a_valid_phone() -> None:
    entry = PlanEntry(plan_post(**{"contacts-1-phone": "12", "contacts-2-name": "Sin Telefono"}))

    with translation.override("en"):
        assert not entry.is_valid()
        links = {link.anchor: link.message for link in entry.error_links()}
    assert links["id_contacts-1-phone"].startswith("Contact 2: That is not a phone number")
    assert links["id_contacts-1-name"].startswith("Contact 2: Write this contact's name")
    assert links["id_contacts-2-phone"].startswith("Contact 3: Write this contact's mobile")


def test_a_member_row_with_only_an_a_number_asks_for_the_name() -> None:
    entry = PlanEntry(plan_post(**{"members-2-a_number": "A123456789"}))

    assert not entry.is_valid()
    assert [link.anchor for link in entry.error_links()] == ["id_members-2-name"]


def test_a_bad_a_number_is_explained_in_the_page_language() -> None:
    entry = PlanEntry(plan_post(**{"members-0-a_number": "A12"}))

    with translation.override("es"):
        assert not entry.is_valid()
        (link,) = entry.error_links()
    assert link.anchor == "id_members-0-a_number"
    assert "A123456789" in link.message


@pytest.mark.parametrize(
    ("pin", "again", "field"),
    [
        ("1234", "1234", "pin"),
        ("1111", "1111", "pin"),
        ("12", "12", "pin"),
        ("2580", "2581", "pin_again"),
    ],
)
def test_a_weak_or_mistyped_pin_is_refused(pin: str, again: str, field: str) -> None:
    form = NewPinForm({"pin": pin, "pin_again": again})

    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_the_pin_is_never_shown_again_in_a_re_shown_form() -> None:
    entry = PlanEntry(plan_post(**{"contacts-0-phone": "nope"}))
    assert not entry.is_valid()
    assert entry.pin is not None

    html = str(entry.pin["pin"]) + str(entry.pin["pin_again"])

    assert "2580" not in html
    assert 'value="Rosa Inventada"' in str(entry.members.forms[0]["name"])


def test_a_plan_being_changed_is_prefilled_with_two_spare_member_rows() -> None:
    contents = make_contents(contacts=3)

    entry = PlanEntry(contents=contents, language="pt", with_pin=False)

    assert entry.pin is None
    assert entry.members.total_form_count() == MEMBER_ROWS
    assert entry.contacts.total_form_count() == MAX_CONTACTS
    assert entry.members.forms[0]["a_number"].value() in ("", None)  # write-only
    assert entry.members.forms[0].a_number_on_file
    assert not entry.members.forms[1].a_number_on_file
    assert entry.contacts.forms[2]["phone"].value() == "+18605550003"
    assert entry.contacts.forms[2]["language"].value() == contents.contacts[2].language
    assert entry.contacts.forms[3]["language"].value() == "pt"
    assert entry.details["caregiver_name"].value() == "Marta Fakename"
    assert entry.details["language"].value() == "pt"
    assert entry.contact_rows().more_open is False


def test_a_filled_row_in_the_more_box_keeps_the_box_open() -> None:
    entry = PlanEntry(plan_post(**{"contacts-5-name": "Sexto Contacto", "contacts-5-phone": "x"}))

    assert not entry.is_valid()
    assert entry.contact_rows().more_open is True
    assert entry.member_rows().more_open is False


def test_a_tampered_row_count_is_refused() -> None:
    entry = PlanEntry(plan_post(**{"contacts-TOTAL_FORMS": "50"}))

    assert entry.contacts.total_form_count() == MAX_CONTACTS


@pytest.mark.parametrize(("typed", "code"), [("4821 9307", "48219307"), ("4821-9307", "48219307")])
def test_the_manage_form_reads_a_code_however_it_is_spaced(typed: str, code: str) -> None:
    form = ManageForm({"code": typed, "pin": "2580"})

    assert form.is_valid()
    assert form.cleaned_data["code"] == code


def test_the_manage_form_refuses_what_is_not_a_code() -> None:
    form = ManageForm({"code": "4821 930", "pin": "2580"})

    assert not form.is_valid()
    assert "code" in form.errors


def changed(contents: PlanContents, **fields: Any) -> PlanContents:
    """The plan as saved from its edit form, where rows 0 and 1 are the stored members."""
    data = plan_post(pin=None, pin_again=None, **{"members-0-a_number": ""})
    data["members-0-name"] = contents.members[0].name
    data["members-1-name"] = contents.members[1].name
    data.update(fields)
    entry = PlanEntry(
        {k: v for k, v in data.items() if v is not None}, contents=contents, with_pin=False
    )
    assert entry.is_valid(), entry.error_links()
    return entry.contents()


def test_an_a_number_on_file_is_kept_when_its_field_is_left_empty() -> None:
    contents = make_contents()

    saved = changed(contents)

    assert [m.a_number for m in saved.members] == ["012345678", ""]


def test_an_a_number_on_file_is_replaced_or_removed() -> None:
    contents = make_contents()

    replaced = changed(contents, **{"members-0-a_number": "A 987 654 321"})
    removed = changed(contents, **{"members-0-remove_a_number": "on"})

    assert replaced.members[0].a_number == "987654321"
    assert removed.members[0].a_number == ""


def test_another_person_on_the_row_does_not_inherit_the_a_number() -> None:
    contents = make_contents()

    saved = changed(contents, **{"members-0-name": "Otra Persona"})
    taken_out = changed(contents, **{"members-0-name": ""})

    assert saved.members[0].a_number == ""
    assert "012345678" not in {m.a_number for m in taken_out.members}


def test_an_a_number_cannot_be_claimed_from_the_post_alone() -> None:
    # A new plan has nothing on file: a forged "remove" or empty field gives nothing.
    entry = PlanEntry(plan_post(**{"members-0-a_number": "", "members-0-remove_a_number": "on"}))

    assert entry.is_valid()
    assert entry.contents().members[0].a_number == ""
    assert not entry.members.forms[0].a_number_on_file


@pytest.mark.parametrize("phone", ["+19002345678", "1-900-234-5678"])
def test_a_contact_number_we_cannot_text_is_refused_in_the_page_language(phone: str) -> None:
    with translation.override("en"):
        entry = PlanEntry(plan_post(**{"contacts-0-phone": phone}))
        assert not entry.is_valid()
        links = entry.error_links()

    assert [(link.anchor, link.message) for link in links] == [
        (
            "id_contacts-0-phone",
            "Contact 1: We cannot text this number. Give a mobile or home number in the US.",
        )
    ]
    with translation.override("es"):
        entry = PlanEntry(plan_post(**{"contacts-0-phone": phone}))
        assert not entry.is_valid()
        spanish = entry.contacts.forms[0].errors["phone"][0]
        expected = str(_("We cannot text this number. Give a mobile or home number in the US."))
    assert spanish == expected
    assert spanish != "We cannot text this number. Give a mobile or home number in the US."


def test_a_us_number_is_accepted_for_a_contact() -> None:
    entry = PlanEntry(plan_post(**{"contacts-0-phone": "+18605550142"}))

    assert entry.is_valid(), entry.error_links()
    assert entry.contents().contacts[0].phone == "+18605550142"


@pytest.mark.parametrize("phone", ["+442079460000", "+19002345678"])
def test_caregiver_and_attorney_numbers_are_only_checked_as_numbers(phone: str) -> None:
    # They are called by staff, never texted by Amparo.
    entry = PlanEntry(plan_post(caregiver_phone=phone))

    assert entry.is_valid(), entry.error_links()
