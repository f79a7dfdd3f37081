from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import Role


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
