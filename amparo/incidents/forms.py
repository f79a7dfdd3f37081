"""Forms of the board and incident pages: validation at the edge (STYLE.md rule 3)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from amparo.incidents.models import Incident, IncidentState, Report
from amparo.incidents.queries import BOARD_STATES, DECIDED_STATES
from amparo.places.lookup import locate, towns_in_region
from amparo.places.models import Town

NOTE_MAX_CHARACTERS = 2000
NOTE_HINT = _(
    "Say what you saw or were told and by whom (a role, not a name). No phone numbers and "
    "no quotes from reporters: notes stay after reports are deleted. Staff read this; the "
    "public never does."
)


def _note(*, required: bool, label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or (_("Why") if required else _("Note (optional)")),
        required=required,
        max_length=NOTE_MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NOTE_HINT,
        error_messages={"required": _("Write why: every decision records who, when and why.")},
    )


class BoardFilterForm(forms.Form):
    town = forms.ModelChoiceField(
        label=_("Town"),
        queryset=Town.objects.none(),
        required=False,
        empty_label=_("All towns"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All on the board")),
            *[(s.value, s.label) for s in (*BOARD_STATES, *DECIDED_STATES)],
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        town_field = self.fields["town"]
        assert isinstance(town_field, forms.ModelChoiceField)
        town_field.queryset = Town.objects.order_by("name", "state")

    def filters(self) -> dict[str, Any]:
        """The valid filters, or none (a stale link still shows the whole board)."""
        if not self.is_valid():
            return {}
        return {"town": self.cleaned_data["town"], "state": self.cleaned_data["state"]}


class NoteForm(forms.Form):
    note = _note(required=True, label=_("Note"))


class OptionalNoteForm(forms.Form):
    note = _note(required=False)


class ConfirmForm(forms.Form):
    responder_on_site = forms.BooleanField(
        label=_("A trusted responder is on site"),
        required=False,
        help_text=_(
            "Without one, confirming needs enough independent reporters (different numbers)."
        ),
    )
    note = _note(required=True)


class DecisionForm(forms.Form):
    """A false alarm: the note is required, it is what the debunk rests on."""

    note = _note(required=True)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Incident.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose an incident that is still on the board.")},
    )
    note = _note(required=True)

    def __init__(self, *args: Any, incident: Incident, targets: list[Incident], **kw: Any) -> None:
        super().__init__(*args, **kw)
        into = self.fields["into"]
        assert isinstance(into, forms.ModelChoiceField)
        # Any incident on the board may be chosen; the page lists the likeliest ones.
        into.queryset = Incident.objects.filter(state__in=BOARD_STATES).exclude(pk=incident.pk)
        into.choices = [(target.pk, incident_label(target)) for target in targets]


class SplitForm(forms.Form):
    reports = forms.ModelMultipleChoiceField(
        label=_("Reports to move to a new incident"),
        queryset=Report.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the reports that belong to another incident.")},
    )
    note = _note(required=True)

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        reports = self.fields["reports"]
        assert isinstance(reports, forms.ModelMultipleChoiceField)
        queryset: QuerySet[Report] = incident.reports.all()
        reports.queryset = queryset

    def clean_reports(self) -> list[Report]:
        chosen = list(self.cleaned_data["reports"])
        if len(chosen) >= self.incident.reports.count():
            raise forms.ValidationError(
                _("Leave at least one report in this incident; close it instead if none belongs.")
            )
        return chosen


class PlaceForm(forms.Form):
    town = forms.ModelChoiceField(
        label=_("Town"), queryset=Town.objects.none(), required=False, empty_label=_("Unknown")
    )
    zip_code = forms.RegexField(
        label=_("ZIP code"),
        regex=r"^\d{5}$",
        required=False,
        max_length=5,
        error_messages={"invalid": _("A ZIP code has five digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Landmark, street or place name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        town = self.fields["town"]
        assert isinstance(town, forms.ModelChoiceField)
        town.queryset = towns_in_region()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        town, zip_code, text = cleaned.get("town"), cleaned.get("zip_code"), cleaned.get("text")
        if self.errors:
            return cleaned
        if not (town or zip_code or text):
            raise forms.ValidationError(_("Give a town, a ZIP code or a place name."))
        match = locate(text=text or "", zip_code=zip_code or "", town=town.name if town else "")
        if match is None:
            raise forms.ValidationError(
                _("No known place matches. Try the town, or a ZIP code of the region.")
            )
        cleaned["match"] = match
        return cleaned


def incident_label(incident: Incident) -> str:
    """ "Hartford · confirmed · 3 reports · 8c1f2a90": enough to tell incidents apart."""
    town = incident.town.name if incident.town else _("place unknown")
    state = IncidentState(incident.state).label
    return f"{town} · {state} · {incident.report_count} · {str(incident.pk)[:8]}"


class VoicemailPlaceForm(PlaceForm):
    """The place form of a voicemail report, with what the caller said.

    The transcript alone is enough: the place is then looked for in its words,
    and the report stays unplaced (with its transcript) if none is found.
    """

    transcript = forms.CharField(
        label=_("What the caller says (transcription)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )

    field_order = ["transcript", "town", "zip_code", "text"]

    def clean(self) -> dict[str, Any]:
        transcript = (self.cleaned_data.get("transcript") or "").strip()
        gave_a_place = any(self.cleaned_data.get(name) for name in ("town", "zip_code", "text"))
        if transcript and not gave_a_place and not self.errors:
            self.cleaned_data["match"] = locate(text=transcript)
            return self.cleaned_data
        return super().clean()
