"""The public join form: a phone number, towns (a list or typed), a language.

Validation at the edge: the number must be one the network may text (E.164,
a country it answers automatically: a form must not make us pay for texts to
premium numbers abroad), every typed place must be found, and at least one
town given. Messages are in the page's language.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from amparo.alerts.actions.subscriptions import MAX_TOWNS
from amparo.alerts.town_words import read_towns
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import to_e164
from amparo.intake.forms import ErrorLink
from amparo.places.lookup import towns_in_region
from amparo.places.models import Town

PLACES_MAX_CHARACTERS = 200


def page_language() -> str:
    code = (translation.get_language() or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


class JoinForm(forms.Form):
    phone = forms.CharField(
        label=_("Your mobile phone number"),
        max_length=32,
        # type=tel for the phone keypad; autocomplete off: the browser keeps no copy.
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("We text it once to ask you to confirm. For example: 860 555 0142."),
        error_messages={"required": _("Write the number of the phone that should get alerts.")},
    )
    towns = forms.ModelMultipleChoiceField(
        label=_("Towns"),
        queryset=Town.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Choose one or more. On a computer, hold Ctrl (or Cmd) to choose several."),
        error_messages={"invalid_choice": _("Choose towns from the list.")},
    )
    places = forms.CharField(
        label=_("Or write towns or ZIP codes"),
        max_length=PLACES_MAX_CHARACTERS,
        required=False,
        help_text=_("Separate them with commas. For example: Hartford, 06511."),
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters (now %(show_value)d)."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the alerts"),
        choices=Language.choices,
        widget=forms.RadioSelect(),
        error_messages={"required": _("Choose the language of the alerts.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        towns = self.fields["towns"]
        assert isinstance(towns, forms.ModelMultipleChoiceField)
        towns.queryset = towns_in_region()
        if not self.is_bound:
            self.initial.setdefault("language", page_language())

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        try:
            e164 = to_e164(value)
        except ContactsError:
            raise forms.ValidationError(
                _("That is not a phone number we can text. Check it."), code="phone"
            ) from None
        codes: list[str] = settings.AMPARO_AUTO_REPLY_COUNTRY_CODES
        if not any(e164.startswith(f"+{code}") for code in codes):
            raise forms.ValidationError(
                _("We can only text phone numbers in this country."), code="country"
            )
        return e164

    def clean_places(self) -> list[Town]:
        value: str = self.cleaned_data["places"].strip()
        if not value:
            return []
        read = read_towns(value)
        if read.not_understood or not read.towns:
            raise forms.ValidationError(
                _(
                    "We could not find all of these places. Check the spelling, write a "
                    "5-digit ZIP code, or choose the towns from the list."
                ),
                code="places",
            )
        return read.towns

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "towns" in self.errors or "places" in self.errors:
            return cleaned
        chosen: list[Town] = list(cleaned.get("towns") or [])
        for town in cleaned.get("places") or []:
            if all(t.pk != town.pk for t in chosen):
                chosen.append(town)
        if not chosen:
            self.add_error(
                "towns",
                forms.ValidationError(
                    _("Choose at least one town, or write a town or ZIP code."), code="no_town"
                ),
            )
        elif len(chosen) > MAX_TOWNS:
            self.add_error(
                "towns",
                forms.ValidationError(
                    _("Choose at most %(limit)d towns."),
                    code="too_many",
                    params={"limit": MAX_TOWNS},
                ),
            )
        cleaned["all_towns"] = chosen
        return cleaned

    def error_links(self) -> list[ErrorLink]:
        """The error summary, in the order of the form, each linked to its input."""
        links = [ErrorLink("", str(message)) for message in self.non_field_errors()]
        for bound in self:
            anchor = f"{bound.auto_id}_0" if bound.use_fieldset else bound.auto_id
            links.extend(ErrorLink(anchor, str(message)) for message in bound.errors)
        return links
