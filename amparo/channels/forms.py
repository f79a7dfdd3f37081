"""Forms of the staff messaging pages: validation at the edge (STYLE.md rule 3)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.channels.models import Lane, OutboundStatus
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import is_fictional_number, to_e164

REPLY_MAX_CHARACTERS = 1000
# Twilio refuses longer bodies; a real phone splits them anyway.
SIMULATED_TEXT_MAX_CHARACTERS = 1600
DEFAULT_SIMULATED_PHONE = "+18605550142"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=REPLY_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Up to 1,000 characters. A text holds 160 characters, or 70 with accents or "
            "emoji; longer replies go as several texts. Never write names, A-numbers or "
            "immigration status: the phone company sees every text."
        ),
        error_messages={
            "required": _("Write a reply before sending."),
            "max_length": _(
                "A reply can have at most %(limit_value)d characters; this one has "
                "%(show_value)d. Shorten it and send again."
            ),
        },
    )


def _all(choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", _("All")), *choices]


class MessageLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all(OutboundStatus.choices)
    )
    lane = forms.TypedChoiceField(
        label=_("Lane"),
        required=False,
        choices=_all(Lane.choices),
        coerce=int,
        empty_value=None,
    )


class SimulatedTextForm(forms.Form):
    phone = forms.CharField(
        label=_("Fake phone number"),
        max_length=32,
        help_text=_(
            "Use a made-up number such as +1 860 555 0142 (555-01xx numbers are fictional)."
        ),
        error_messages={"required": _("Type the fake phone's number.")},
    )
    language = forms.ChoiceField(label=_("Phone's language"), choices=Language.choices)
    text = forms.CharField(
        label=_("Text message"),
        required=False,
        max_length=SIMULATED_TEXT_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("A text can have at most %(limit_value)d characters here."),
        },
    )

    def __init__(self, *args: Any, sending: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sending = sending

    def clean_phone(self) -> str:
        try:
            phone = to_e164(self.cleaned_data["phone"])
        except ContactsError:
            raise forms.ValidationError(
                _("That is not a phone number. Try +1 860 555 0142."), code="invalid"
            ) from None
        if not is_fictional_number(phone):
            # The simulator must never read or act for a real person's number.
            raise forms.ValidationError(
                _("Use a fictional 555-01xx number, such as +1 860 555 0142."), code="real"
            )
        return phone

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if self.sending and not text:
            raise forms.ValidationError(_("Type a text to send."), code="required")
        return text
