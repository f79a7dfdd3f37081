"""Forms of the rights library's staff pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Long enough for a topic, short enough that a text stays a few messages.
SMS_TEXT_MAX = 600


def _not_past(value: dt.date | None) -> None:
    if value is not None and value <= timezone.localdate():
        raise forms.ValidationError(_("Choose a date in the future."))


class VersionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text for the web"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Paragraphs separated by an empty line."),
    )
    sms_text = forms.CharField(
        label=_("Text for SMS"),
        max_length=SMS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Short. Sent split at sentence ends into messages of at most 3 segments. "
            "Accents outside GSM-7 make every segment 70 characters instead of 160."
        ),
    )
    script = forms.CharField(
        label=_("Operator script"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What an operator reads or asks during a call."),
    )
    review_by = forms.DateField(
        label=_("Review again by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_past],
    )
    needs_legal_review = forms.BooleanField(label=_("Needs legal review"), required=False)

    def __init__(self, *args: Any, legal: bool = False, **kwargs: Any) -> None:
        """``legal``: the writer is legal staff, the only ones who may lower the flag."""
        super().__init__(*args, **kwargs)
        if not legal:
            # Not offered: the action keeps the flag (and raises it when the words change).
            del self.fields["needs_legal_review"]


class ReviewForm(forms.Form):
    review_by = forms.DateField(
        label=_("Review again by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_past],
    )
    legal_review_done = forms.BooleanField(
        label=_(
            "I reviewed it as a lawyer or accredited representative: clear the legal review flag"
        ),
        required=False,
    )
