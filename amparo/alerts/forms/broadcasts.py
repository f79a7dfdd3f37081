"""Forms of the broadcast pages: what a coordinator types is validated here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.alerts.actions.broadcasts import CORRECTION_KINDS, OVERRIDE_REASONS
from amparo.alerts.models import BroadcastKind
from amparo.alerts.texts import LANGUAGES
from amparo.contacts.models import Language
from amparo.incidents.models import Incident, IncidentState
from amparo.places.lookup import towns_in_region

BODY_MAX = 640  # ten GSM-7 segments; a longer alert is no alert
LANGUAGE_LABELS = dict(Language.choices)


def body_field(language: str) -> forms.CharField:
    return forms.CharField(
        label=_("Text in %(language)s") % {"language": LANGUAGE_LABELS[language]},
        required=False,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "lang": language, "spellcheck": "true"}),
    )


class BodiesMixin(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            self.fields[f"body_{language}"] = body_field(language)

    def bodies(self) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(f"body_{language}", "").strip()
            for language in LANGUAGES
            if self.cleaned_data.get(f"body_{language}", "").strip()
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(f"body_{language}", "").strip() for language in LANGUAGES):
            raise forms.ValidationError(_("Write the text in at least one language."))
        return cleaned


class BroadcastForm(BodiesMixin):
    """A new broadcast or a draft's changes: kind, incident, towns and the texts."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, v) for k, v in BroadcastKind.choices if k not in CORRECTION_KINDS],
    )
    incident = forms.ModelChoiceField(
        label=_("Incident"),
        required=False,
        queryset=Incident.objects.none(),
        help_text=_("Required for a false-alarm debunk; a confirmed alert needs a confirmed one."),
    )
    towns = forms.ModelMultipleChoiceField(
        label=_("Towns"),
        queryset=towns_in_region(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Subscribers of these towns get it, each once."),
        required=False,
    )

    field_order = ["kind", "incident", "towns"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = (  # type: ignore[attr-defined]
            Incident.objects.filter(
                state__in=[IncidentState.CONFIRMED, IncidentState.FALSE_ALARM],
                closed_at__isnull=True,
            )
            .select_related("town")
            .order_by("-opened_at")
        )
        self.fields["incident"].label_from_instance = _incident_label  # type: ignore[attr-defined]


def _incident_label(incident: Incident) -> str:
    town = incident.town.name if incident.town else _("no town")
    return f"{town} · {incident.get_state_display()} · {incident.opened_at:%Y-%m-%d %H:%M}"


class CorrectionForm(BodiesMixin):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, v) for k, v in BroadcastKind.choices if k in CORRECTION_KINDS],
        widget=forms.RadioSelect,
    )
    field_order = ["kind"]


class OverrideForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why can it not wait for a second coordinator?"),
        choices=list(OVERRIDE_REASONS.items()),
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I send this to the public alone, and this is recorded with my name."),
        required=True,
    )
