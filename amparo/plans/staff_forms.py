"""The staff form of family plans: an operator activates a plan for a caller.

(The family's and the clinic's forms are in :mod:`amparo.plans.forms`.)
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.plans import codes


class ActivateForm(forms.Form):
    """The plan code and PIN a caller reads out to the operator."""

    code = forms.CharField(
        label=_("Plan code"),
        max_length=20,
        help_text=_("8 digits, as on the family's card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = codes.normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("A plan code is 8 digits."))
        return code

    def clean_pin(self) -> str:
        pin: str = self.cleaned_data["pin"].strip()
        if not (pin.isascii() and pin.isdigit() and codes.PIN_MIN <= len(pin) <= codes.PIN_MAX):
            raise forms.ValidationError(_("A PIN is 4 to 8 digits."))
        return pin

    def refuse(self) -> None:
        """Unknown code or wrong PIN: one message for both, on the form."""
        self.add_error(None, _("That plan code and PIN do not match."))

    def stop(self) -> None:
        """Too many wrong PINs from this user (or from staff on this plan) in the last hour."""
        self.add_error(
            None,
            _(
                "Too many wrong PINs in the last hour: activating this way is paused for up to "
                "an hour, and the coordinators were told. The caller can still text the "
                "activation word, the plan code and the PIN to the hotline."
            ),
        )
