"""The family plan forms: one page, no JavaScript, a fixed number of blank rows.

A plan is entered as a :class:`PlanEntry`: the plan's own fields, rows of
members, rows of emergency contacts and (when a plan is made) a PIN typed
twice. A row left blank is ignored; a row begun must be finished. Everything
typed comes back on a re-shown page except the PINs. Messages are in the
page's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import is_textable, to_e164
from amparo.intake.forms import ErrorLink
from amparo.plans import codes
from amparo.plans.contents import (
    MAX_CONTACTS,
    MAX_MEMBERS,
    EmergencyContact,
    Member,
    Person,
    PlanContents,
)
from amparo.plans.errors import PlansError

NAME_MAX = 100
PHONE_MAX = 32
RELATION_MAX = 60
TEXT_MAX = 1000
# Rows shown open; more rows wait in a <details> box (no JavaScript needed to add one).
MEMBER_ROWS_SHOWN = 4
MEMBER_ROWS = 8
CONTACT_ROWS_SHOWN = 4
_A_NUMBER = re.compile(r"^A?(\d{8,9})$")
_A_NUMBER_SEPARATORS = re.compile(r"[\s\-.]+")


def page_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


def normalize_a_number(text: str) -> str | None:
    """``"A-123 456 789"``, ``"a12345678"`` -> 9 digits (zero-padded); None if it is not one.

    An A-number is "A" and 8 or 9 digits (CONTEXT.md), kept as 9 digits.
    """
    compact = _A_NUMBER_SEPARATORS.sub("", text or "").upper()
    match = _A_NUMBER.match(compact)
    if match is None or not match[1].isascii():
        return None
    return match[1].zfill(9)


def _phone(value: str, message: Any) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return to_e164(value)
    except ContactsError:
        raise forms.ValidationError(message, code="phone") from None


def _text(label: Any, *, max_length: int = NAME_MAX, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters (now %(show_value)d)."),
        },
        **kwargs,
    )


def _phone_field(label: Any) -> forms.CharField:
    # type=tel for the phone keypad; autocomplete off: the browser keeps no copy.
    return _text(
        label,
        max_length=PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


def _long_text(label: Any, help_text: Any = "") -> forms.CharField:
    return _text(
        label,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class MemberForm(forms.Form):
    """One person the plan is for. A blank row is ignored.

    On a plan being changed the A-number is write-only: the page says one is on
    file (``a_number_on_file``, set by :class:`PlanEntry` from the stored plan,
    never from the POST) but never shows it; the field replaces it and
    ``remove_a_number`` drops it.
    """

    name = _text(_("Name"))
    is_child = forms.BooleanField(label=_("Child (under 18)"), required=False)
    a_number = _text(
        _("A-number (optional)"),
        max_length=16,
        help_text=_("The letter A and 8 or 9 digits, as on immigration papers."),
    )
    remove_a_number = forms.BooleanField(label=_("Remove the A-number on file"), required=False)

    a_number_on_file = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["a_number"].widget.attrs["autocomplete"] = "off"

    def mark_a_number_on_file(self) -> None:
        self.a_number_on_file = True
        self.fields["a_number"].label = _("New A-number (optional)")
        self.fields["a_number"].help_text = _(
            "An A-number is on file for this person; for your safety we do not show it. "
            "Leave this empty to keep it, or write a new one to replace it. If you change "
            "the name on this row, write the A-number again."
        )

    def clean_a_number(self) -> str:
        value: str = self.cleaned_data["a_number"].strip()
        if not value:
            return ""
        normalized = normalize_a_number(value)
        if normalized is None:
            raise forms.ValidationError(
                _("An A-number is the letter A and 8 or 9 digits, like A123456789."),
                code="a_number",
            )
        return normalized

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        begun = cleaned.get("is_child") or cleaned.get("a_number") or "a_number" in self.errors
        if begun and not cleaned.get("name", "").strip():
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Write this person's name, or leave the whole row empty."), code="no_name"
                ),
            )
        return cleaned

    def member(self) -> Member | None:
        name = self.cleaned_data.get("name", "").strip()
        if not name:
            return None
        return Member(
            name=name,
            is_child=bool(self.cleaned_data["is_child"]),
            a_number=self.cleaned_data["a_number"],
        )


class ContactForm(forms.Form):
    """One emergency contact: who is texted, in their language, if the plan is activated."""

    name = _text(_("Name"))
    phone = _phone_field(_("Mobile phone"))
    language = forms.ChoiceField(label=_("Language of their texts"), choices=Language.choices)
    relation = _text(_("Relation (optional)"), max_length=RELATION_MAX)

    def clean_phone(self) -> str:
        phone = _phone(
            self.cleaned_data["phone"], _("That is not a phone number we can text. Check it.")
        )
        # Every contact is texted on activation: no premium-rate or foreign number a form
        # could use to make us pay for texts (SMS pumping).
        if phone and not is_textable(phone):
            raise forms.ValidationError(
                _("We cannot text this number. Give a mobile or home number in the US."),
                code="not_textable",
            )
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = cleaned.get("name", "").strip()
        phone = cleaned.get("phone", "")
        begun = name or phone or cleaned.get("relation", "").strip() or "phone" in self.errors
        if begun and not name:
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Write this contact's name, or leave the whole row empty."), code="no_name"
                ),
            )
        if begun and not phone and "phone" not in self.errors:
            self.add_error(
                "phone",
                forms.ValidationError(
                    _("Write this contact's mobile number: it is how we reach them."),
                    code="no_phone",
                ),
            )
        return cleaned

    def contact(self) -> EmergencyContact | None:
        name = self.cleaned_data.get("name", "").strip()
        if not name:
            return None
        return EmergencyContact(
            name=name,
            phone=self.cleaned_data["phone"],
            language=self.cleaned_data["language"],
            relation=self.cleaned_data["relation"].strip(),
        )


class _Rows(forms.BaseFormSet):
    """Rows whose blank ones are simply skipped (every field of a row is optional)."""

    row_label: Any = ""

    def error_links(self) -> list[ErrorLink]:
        links = [ErrorLink("", str(message)) for message in self.non_form_errors()]
        for number, form in enumerate(self.forms, start=1):
            for bound in form:
                prefix = self.row_label.format(number=number)
                links.extend(
                    ErrorLink(str(bound.auto_id), f"{prefix}: {message}")
                    for message in bound.errors
                )
        return links


class _MemberRows(_Rows):
    row_label = _("Person {number}")
    # The stored members of a plan being changed, by row (rows follow the stored order).
    on_file: tuple[Member, ...] = ()

    def mark_a_numbers_on_file(self, members: list[Member]) -> None:
        self.on_file = tuple(members)
        for form, member in zip(self.forms, members, strict=False):
            if member.a_number:
                form.mark_a_number_on_file()

    def members(self) -> list[Member]:
        found = []
        for index, form in enumerate(self.forms):
            member = form.member()
            if member is None:
                continue
            stored = self.on_file[index] if index < len(self.on_file) else None
            if (
                stored is not None
                and not member.a_number
                and not form.cleaned_data["remove_a_number"]
                # Another person written over this row does not inherit the A-number.
                and _same_name(stored.name, member.name)
            ):
                member.a_number = stored.a_number
            found.append(member)
        return found


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class _ContactRows(_Rows):
    row_label = _("Contact {number}")
    # The language a blank row offers first: the plan's, or the page's.
    default_language: str = Language.ENGLISH

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        if index is not None and index >= len(self.initial or []):
            return {"initial": {"language": self.default_language}}
        return {}

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        if not self.contacts():
            raise forms.ValidationError(
                _("Give at least one emergency contact: someone we text if the plan is activated."),
                code="no_contact",
            )

    def contacts(self) -> list[EmergencyContact]:
        return [c for form in self.forms if (c := form.contact()) is not None]


def _member_rows(rows: int) -> type[_MemberRows]:
    return forms.formset_factory(  # type: ignore[return-value]
        MemberForm,
        formset=_MemberRows,
        extra=rows,
        max_num=MAX_MEMBERS,
        absolute_max=MAX_MEMBERS,
        validate_max=True,
    )


def _contact_rows(rows: int) -> type[_ContactRows]:
    return forms.formset_factory(  # type: ignore[return-value]
        ContactForm,
        formset=_ContactRows,
        extra=rows,
        max_num=MAX_CONTACTS,
        absolute_max=MAX_CONTACTS,
        validate_max=True,
    )


class PlanDetailsForm(forms.Form):
    """Everything in a plan but its members and contacts."""

    caregiver_name = _text(_("Name"))
    caregiver_phone = _phone_field(_("Phone"))
    backup_name = _text(_("Name"))
    backup_phone = _phone_field(_("Phone"))
    caregiver_authorization_signed = forms.BooleanField(
        label=_("A caregiver authorization is signed"),
        required=False,
        help_text=_("A signed paper that lets the caregiver act for the children."),
    )
    documents_location = _long_text(
        _("Where are the important documents?"),
        _(
            "Passports, birth certificates, immigration papers. For example: a blue folder "
            "at a cousin's house."
        ),
    )
    attorney_name = _text(_("Name"))
    attorney_phone = _phone_field(_("Phone"))
    attorney_organization = _text(_("Organization"))
    g28_signed = forms.BooleanField(
        label=_("A G-28 form is signed"),
        required=False,
        help_text=_(
            "The form that lets the attorney act for the person with immigration authorities."
        ),
    )
    medical_needs = _long_text(
        _("Medical needs"), _("Medicines, allergies, conditions the caregiver must know.")
    )
    notes = _long_text(_("Anything else we should know"))
    language = forms.ChoiceField(
        label=_("Language of the plan"),
        choices=Language.choices,
        widget=forms.RadioSelect(),
        help_text=_("The language of your wallet card and of our messages to you."),
        error_messages={"required": _("Choose the language of the plan.")},
    )

    def _clean_phone(self, name: str) -> str:
        return _phone(
            self.cleaned_data[name], _("That is not a phone number we can call. Check it.")
        )

    def clean_caregiver_phone(self) -> str:
        return self._clean_phone("caregiver_phone")

    def clean_backup_phone(self) -> str:
        return self._clean_phone("backup_phone")

    def clean_attorney_phone(self) -> str:
        return self._clean_phone("attorney_phone")

    @classmethod
    def initial_from(cls, contents: PlanContents, *, language: str) -> dict[str, Any]:
        return {
            "caregiver_name": contents.caregiver.name,
            "caregiver_phone": contents.caregiver.phone,
            "backup_name": contents.backup_caregiver.name,
            "backup_phone": contents.backup_caregiver.phone,
            "caregiver_authorization_signed": contents.caregiver_authorization_signed,
            "documents_location": contents.documents_location,
            "attorney_name": contents.attorney.name,
            "attorney_phone": contents.attorney.phone,
            "attorney_organization": contents.attorney_organization,
            "g28_signed": contents.g28_signed,
            "medical_needs": contents.medical_needs,
            "notes": contents.notes,
            "language": language,
        }


def _pin_field(label: Any, required: Any, help_text: Any = "") -> forms.CharField:
    # A password input is never filled again by the server: a re-shown form asks for it anew.
    return forms.CharField(
        label=label,
        max_length=codes.PIN_MAX,
        strip=True,
        help_text=help_text,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}
        ),
        error_messages={
            "required": required,
            "max_length": _("A PIN is 4 to 8 digits."),
        },
    )


class NewPinForm(forms.Form):
    """A PIN chosen twice: 4 to 8 digits, not one anybody guesses first."""

    pin = _pin_field(
        _("Choose a PIN"),
        _("Choose a PIN of 4 to 8 digits."),
        _("4 to 8 digits that you will remember, not 1234 or 1111. Never write it on the card."),
    )
    pin_again = _pin_field(_("The same PIN again"), _("Type the same PIN again."))

    def clean_pin(self) -> str:
        pin: str = self.cleaned_data["pin"]
        try:
            return codes.check_new_pin(pin)
        except PlansError as exc:
            raise forms.ValidationError(str(exc), code="pin") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pin, again = cleaned.get("pin"), cleaned.get("pin_again")
        if pin and again is not None and pin != again:
            self.add_error(
                "pin_again",
                forms.ValidationError(
                    _("The two PINs are not the same. Type the PIN again in both boxes."),
                    code="pin_mismatch",
                ),
            )
        return cleaned

    def error_links(self) -> list[ErrorLink]:
        return _error_links(self)


class ChangePinForm(NewPinForm):
    """A new PIN for a plan already open: the current PIN first, then the new one twice."""

    current_pin = _pin_field(_("Your PIN now"), _("Write the PIN you use now."))

    field_order = ["current_pin", "pin", "pin_again"]


def _error_links(form: forms.Form) -> list[ErrorLink]:
    links = [ErrorLink("", str(message)) for message in form.non_field_errors()]
    for bound in form:
        anchor = f"{bound.auto_id}_0" if bound.use_fieldset else str(bound.auto_id)
        links.extend(ErrorLink(anchor, str(message)) for message in bound.errors)
    return links


@dataclass(frozen=True)
class RowGroups:
    """Rows shown open and rows in a "more" box, open if one of those is filled or wrong."""

    shown: list[forms.Form]
    more: list[forms.Form]
    more_open: bool

    @property
    def offset(self) -> int:
        """How many rows come before the first in the "more" box."""
        return len(self.shown)

    @classmethod
    def split(cls, rows: forms.BaseFormSet, shown: int) -> RowGroups:
        more = rows.forms[shown:]

        def filled(form: forms.Form) -> bool:
            if form.is_bound:
                return bool(form.errors) or form.has_changed()
            return bool(form.initial.get("name"))

        return cls(shown=rows.forms[:shown], more=more, more_open=any(map(filled, more)))


class PlanEntry:
    """The whole plan form: details, member rows, contact rows and, for a new plan, a PIN.

    ``contents``: the stored plan being changed (it prefills an unbound form);
    ``data`` binds it (a POST). Rows: :data:`MEMBER_ROWS` for members (a plan
    being changed gets what it has and two more, up to the maximum) and every
    contact row there may be. A-numbers of a plan being changed are never put
    back on the page: a row says one is on file, and :meth:`contents` keeps it
    unless the row replaces or removes it (or the person is taken out).
    """

    def __init__(
        self,
        data: Any = None,
        *,
        contents: PlanContents | None = None,
        language: str | None = None,
        with_pin: bool = True,
    ) -> None:
        # Only an unbound form is prefilled: a bound row equal to its initial values would
        # count as unchanged, and an unchanged extra row is skipped as blank.
        prefill = contents if data is None else None
        member_initial = [
            {"name": m.name, "is_child": m.is_child} for m in (prefill.members if prefill else [])
        ]
        contact_initial = [
            {"name": c.name, "phone": c.phone, "language": c.language, "relation": c.relation}
            for c in (prefill.contacts if prefill else [])
        ]
        member_rows = min(MAX_MEMBERS, max(MEMBER_ROWS, len(member_initial) + 2))
        contact_rows = MAX_CONTACTS
        default_language = language or page_language()
        details_initial = (
            PlanDetailsForm.initial_from(prefill, language=default_language)
            if prefill
            else {"language": default_language}
        )
        self.details = PlanDetailsForm(data, initial=details_initial)
        # Rows are "extra" forms with their initial values: a blank one is simply skipped.
        self.members = _member_rows(member_rows - len(member_initial))(
            data, prefix="members", initial=member_initial or None
        )
        self.contacts = _contact_rows(contact_rows - len(contact_initial))(
            data, prefix="contacts", initial=contact_initial or None
        )
        self.members.mark_a_numbers_on_file(contents.members if contents else [])
        self.contacts.default_language = default_language
        self.pin = NewPinForm(data) if with_pin else None

    def member_rows(self) -> RowGroups:
        return RowGroups.split(self.members, MEMBER_ROWS_SHOWN)

    def contact_rows(self) -> RowGroups:
        return RowGroups.split(self.contacts, CONTACT_ROWS_SHOWN)

    @property
    def is_bound(self) -> bool:
        return self.details.is_bound

    def parts(self) -> Iterator[Any]:
        yield self.details
        yield self.members
        yield self.contacts
        if self.pin is not None:
            yield self.pin

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.parts()])

    def contents(self) -> PlanContents:
        """The plan as entered; call after :meth:`is_valid` said True."""
        cleaned = self.details.cleaned_data
        return PlanContents(
            members=self.members.members(),
            contacts=self.contacts.contacts(),
            caregiver=Person(
                name=cleaned["caregiver_name"].strip(), phone=cleaned["caregiver_phone"]
            ),
            backup_caregiver=Person(
                name=cleaned["backup_name"].strip(), phone=cleaned["backup_phone"]
            ),
            caregiver_authorization_signed=cleaned["caregiver_authorization_signed"],
            documents_location=cleaned["documents_location"].strip(),
            attorney=Person(name=cleaned["attorney_name"].strip(), phone=cleaned["attorney_phone"]),
            attorney_organization=cleaned["attorney_organization"].strip(),
            g28_signed=cleaned["g28_signed"],
            medical_needs=cleaned["medical_needs"].strip(),
            notes=cleaned["notes"].strip(),
        )

    @property
    def language(self) -> str:
        value: str = self.details.cleaned_data["language"]
        return value

    @property
    def new_pin(self) -> str:
        assert self.pin is not None
        value: str = self.pin.cleaned_data["pin"]
        return value

    def error_links(self) -> list[ErrorLink]:
        """The error summary, in the order of the page, each linked to its input."""
        if not self.is_bound:
            return []
        links = _error_links(self.details)
        links += self.members.error_links()
        links += self.contacts.error_links()
        if self.pin is not None:
            links += _error_links(self.pin)
        return links


class ManageForm(forms.Form):
    """The plan code and the PIN: all a family needs to change or delete its plan."""

    code = forms.CharField(
        label=_("Plan code"),
        max_length=20,
        help_text=_("The 8 digits on your wallet card, like 4821 9307."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Write your plan code.")},
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=codes.PIN_MAX,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Write your PIN."),
            "max_length": _("A PIN is 4 to 8 digits."),
        },
    )

    def clean_code(self) -> str:
        code = codes.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A plan code is 8 digits, like 4821 9307. Check your wallet card."),
                code="code",
            )
        return code

    def error_links(self) -> list[ErrorLink]:
        return _error_links(self)


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete our plan and everything in it. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm, or go back to keep the plan.")},
    )

    def error_links(self) -> list[ErrorLink]:
        return _error_links(self)
