"""The report forms: the public one (no account) and the operators' call intake.

Validation at the edge (STYLE.md rule 3): these forms check everything a person
types, in the person's language, so the actions can assume clean input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import to_e164
from amparo.incidents.models import Agency, PlaceKind, Warrant
from amparo.places.lookup import towns_in_region
from amparo.places.models import Town

WHERE_MAX_CHARACTERS = 300
TEXT_MAX_CHARACTERS = 2000
DETAIL_MAX_CHARACTERS = 500
AGENTS_MAX = 500
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")

# Yes / no / do not know, as the radio buttons send them.
_TAKEN = {"yes": True, "no": False, "unknown": None}


def _agents_count_field(label: Any) -> forms.IntegerField:
    """How many agents: optional, a plausible whole number, both forms the same rules."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=AGENTS_MAX,
        error_messages={
            "invalid": _("Write the number of agents as a number, like 3."),
            "min_value": _("Write a number of agents from 1 up, or leave it empty."),
            "max_value": _("Write a number of agents up to %(limit_value)s, or leave it empty."),
        },
    )


def _choices(choices: list[tuple[str, Any]], *, unknown: Any = None) -> list[tuple[str, Any]]:
    """Model choices with a capital first letter; "unknown" reworded if ``unknown`` is given."""
    return [
        (value, unknown if value == "unknown" and unknown is not None else capfirst(label))
        for value, label in choices
    ]


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the message and the input it sends the reader to."""

    anchor: str
    message: str


class _ReportFields(forms.Form):
    """What both forms check the same way: the place, the ZIP code, the phone number, the photo."""

    town = forms.ModelChoiceField(queryset=Town.objects.none(), required=False)
    zip_code = forms.CharField(max_length=10, required=False)
    where = forms.CharField(
        max_length=WHERE_MAX_CHARACTERS,
        required=False,
        error_messages={
            "max_length": _(
                "Use at most %(limit_value)d characters to say where (now %(show_value)d)."
            )
        },
    )
    photo = forms.ImageField(
        required=False,
        error_messages={
            "invalid_image": _(
                "That file is not a photo we can read. Choose a JPEG or PNG photo, or leave it out."
            ),
        },
    )

    def __init__(self, *args: Any, photo_too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.photo_too_large = photo_too_large
        town = self.fields["town"]
        assert isinstance(town, forms.ModelChoiceField)
        town.queryset = towns_in_region()
        town.empty_label = _("Choose a town")
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/*"

    def clean_zip_code(self) -> str:
        value: str = self.cleaned_data["zip_code"].strip()
        if value and not _ZIP.match(value):
            raise forms.ValidationError(
                _("A ZIP code has 5 digits, like 06106. Leave it empty if you do not know it."),
                code="zip",
            )
        return value[:5]

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            return to_e164(value)
        except ContactsError:
            raise forms.ValidationError(
                _("That is not a phone number we can call. Check it, or leave it empty."),
                code="phone",
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.photo_too_large:
            limit = filesizeformat(settings.AMPARO_REPORT_PHOTO_MAX_BYTES)
            self.add_error(
                "photo",
                forms.ValidationError(
                    _(
                        "The photo is too large (over %(limit)s). Choose a smaller one, "
                        "or leave it out."
                    ),
                    code="photo_too_large",
                    params={"limit": limit},
                ),
            )
        place_fields = ("town", "zip_code", "where")
        if not any(cleaned.get(name) for name in place_fields) and not any(
            name in self.errors for name in place_fields
        ):
            self.add_error(
                "where",
                forms.ValidationError(
                    _("Tell us where: choose a town, give a ZIP code or describe the place."),
                    code="no_place",
                ),
            )
        return cleaned

    def photo_bytes(self) -> list[bytes]:
        photo = self.cleaned_data.get("photo")
        if not photo:
            return []
        photo.seek(0)
        return [photo.read()]

    def error_links(self) -> list[ErrorLink]:
        """The error summary, in the order of the form, each linked to its input."""
        links = [ErrorLink("", str(message)) for message in self.non_field_errors()]
        for bound in self:
            if not bound.errors:
                continue
            # A group of radio buttons has no element with the field's id; its first button has.
            anchor = f"{bound.auto_id}_0" if bound.use_fieldset else bound.auto_id
            for message in bound.errors:
                links.append(ErrorLink(anchor, str(message)))
        return links


class PublicReportForm(_ReportFields):
    """A community member's report. No name, nothing we do not use."""

    field_order = [
        "town",
        "zip_code",
        "where",
        "text",
        "agency",
        "agents_count",
        "someone_taken",
        "warrant",
        "place_kind",
        "photo",
        "phone",
    ]

    text = forms.CharField(
        label=_("What do you see?"),
        max_length=TEXT_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example: two cars without plates, agents in vests marked ICE, at a house."
        ),
        error_messages={
            "required": _("Tell us what you see."),
            "max_length": _("Use at most %(limit_value)d characters (now %(show_value)d)."),
        },
    )
    agency = forms.ChoiceField(
        label=_("Who are the agents?"),
        choices=_choices(Agency.choices, unknown=_("I do not know")),
        initial=Agency.UNKNOWN,
        widget=forms.RadioSelect(),
    )
    agents_count = _agents_count_field(_("How many agents? (optional)"))
    someone_taken = forms.TypedChoiceField(
        label=_("Is anyone being taken?"),
        choices=[("unknown", _("I do not know")), ("yes", _("Yes")), ("no", _("No"))],
        initial="unknown",
        coerce=_TAKEN.__getitem__,
        empty_value=None,
        widget=forms.RadioSelect(),
    )
    warrant = forms.ChoiceField(
        label=_("Did the agents show a warrant?"),
        choices=_choices(Warrant.choices, unknown=_("I do not know")),
        initial=Warrant.UNKNOWN,
        widget=forms.RadioSelect(),
    )
    place_kind = forms.ChoiceField(
        label=_("What kind of place is it?"),
        choices=_choices(PlaceKind.choices, unknown=_("I do not know")),
        initial=PlaceKind.UNKNOWN,
        widget=forms.RadioSelect(),
    )
    phone = forms.CharField(
        label=_("Your phone number, for a call back (optional)"),
        max_length=32,
        required=False,
        # Not "tel": the browser would offer, and may keep, the numbers typed on this phone.
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_(
            "Optional. Leave it empty to stay anonymous. If you give it, an operator may "
            "call or text you to check what you saw."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].label = _("Town")
        self.fields["zip_code"].label = _("ZIP code (optional)")
        self.fields["where"].label = _("Where exactly?")
        self.fields["where"].help_text = _(
            "A street and number, a corner, a store or a school nearby. Do not write names."
        )
        self.fields["photo"].label = _("A photo (optional)")
        self.fields["photo"].help_text = _(
            "Only if it is safe to take one. We remove the location and camera details from "
            "the file. If the form shows an error, choose the photo again."
        )
        self.fields["town"].error_messages["invalid_choice"] = _(
            "Choose a town from the list, or leave it empty."
        )


class OperatorReportForm(_ReportFields):
    """A report an operator takes on a call, in the order the call goes (CONTEXT.md)."""

    field_order = [
        "caller_language",
        "place_kind",
        "town",
        "zip_code",
        "where",
        "text",
        "agents_count",
        "vehicles",
        "plates",
        "uniforms",
        "agency",
        "warrant",
        "someone_taken",
        "said",
        "photo",
        "phone",
    ]

    caller_language = forms.ChoiceField(
        label=_("Caller's language"), choices=Language.choices, initial=Language.ENGLISH
    )
    place_kind = forms.ChoiceField(
        label=_("Where is it happening?"),
        choices=_choices(PlaceKind.choices),
        initial=PlaceKind.UNKNOWN,
    )
    text = forms.CharField(
        label=_("What the caller sees"),
        max_length=TEXT_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write what the caller sees."),
            "max_length": _("Use at most %(limit_value)d characters (now %(show_value)d)."),
        },
    )
    agents_count = _agents_count_field(_("How many agents"))
    vehicles = forms.CharField(
        label=_("Vehicles (kind, color)"), max_length=DETAIL_MAX_CHARACTERS, required=False
    )
    plates = forms.CharField(
        label=_("License plates"), max_length=DETAIL_MAX_CHARACTERS, required=False
    )
    uniforms = forms.CharField(
        label=_("Uniforms, vests, badges (what they say)"),
        max_length=DETAIL_MAX_CHARACTERS,
        required=False,
    )
    agency = forms.ChoiceField(
        label=_("Agency"), choices=_choices(Agency.choices), initial=Agency.UNKNOWN
    )
    warrant = forms.ChoiceField(
        label=_("Warrant shown, and what kind"),
        choices=_choices(Warrant.choices),
        initial=Warrant.UNKNOWN,
    )
    someone_taken = forms.TypedChoiceField(
        label=_("Anyone taken?"),
        choices=[("unknown", _("Not known")), ("yes", _("Yes")), ("no", _("No"))],
        initial="unknown",
        coerce=_TAKEN.__getitem__,
        empty_value=None,
        widget=forms.RadioSelect(),
    )
    said = forms.CharField(
        label=_("What the agents said"),
        max_length=TEXT_MAX_CHARACTERS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = forms.CharField(
        label=_("Caller's number (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Only if the caller agrees to be called back. Never write it anywhere else."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].label = _("Town")
        self.fields["zip_code"].label = _("ZIP code")
        self.fields["where"].label = _("Where exactly")
        self.fields["where"].help_text = _("Street and number, corner, landmark.")
        self.fields["photo"].label = _("Photo, if the caller can send one safely")

    def details(self) -> dict[str, str]:
        """What goes to the report's sealed details: only what the operator wrote."""
        keys = ("vehicles", "plates", "uniforms", "said")
        return {
            key: self.cleaned_data[key].strip() for key in keys if self.cleaned_data[key].strip()
        }
