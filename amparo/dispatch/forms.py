"""Forms of the roster and shifts: they validate; the actions write."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from amparo.accounts.models import User
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Language
from amparo.contacts.phones import to_e164
from amparo.dispatch.actions import STAFF_RESPONDER_ROLES
from amparo.dispatch.actions.scene import MAX_NOTE, NEEDS_NOTE_ON_WEB
from amparo.dispatch.models import FieldReportKind, Responder, ShiftKind, Skill, SpokenLanguage
from amparo.places.lookup import towns_in_region
from amparo.places.models import Town

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_username()} ({obj.get_role_display()})"


class ResponderForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=120)
    user = StaffChoiceField(
        label=_("Staff account"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("None: SMS only"),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        help_text=_("Needed without a staff account; the hotline rings operators on it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language for texts"), choices=Language.choices)
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=SpokenLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_town = forms.ModelChoiceField(
        label=_("Home town"), queryset=Town.objects.none(), required=False
    )
    home_latitude = forms.FloatField(
        label=_("Home latitude"), required=False, min_value=-90, max_value=90
    )
    home_longitude = forms.FloatField(
        label=_("Home longitude"), required=False, min_value=-180, max_value=180
    )
    travel_radius_km = forms.IntegerField(
        label=_("Travels up to (km)"), min_value=0, max_value=500, initial=15
    )
    trained_on = forms.DateField(
        label=_("Trained on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    vetted_on = forms.DateField(
        label=_("Vetted on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, responder: Responder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.responder = responder
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        on_roster = Responder.objects.filter(user__isnull=False)
        if responder is not None:
            on_roster = on_roster.exclude(pk=responder.pk)
        user.queryset = (
            User.objects.filter(is_active=True, role__in=STAFF_RESPONDER_ROLES)
            .exclude(pk__in=on_roster.values("user_id"))
            .order_by("username")
        )
        town = self.fields["home_town"]
        assert isinstance(town, forms.ModelChoiceField)
        town.queryset = towns_in_region()

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        try:
            return to_e164(phone)
        except ContactsError:
            raise forms.ValidationError(_("That is not a valid phone number.")) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("user") is None and not cleaned.get("phone"):
            raise forms.ValidationError(
                _("A responder without a staff account needs a phone number.")
            )
        lat, lon = cleaned.get("home_latitude"), cleaned.get("home_longitude")
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Give both the latitude and the longitude, or neither."))
        return cleaned

    def profile(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of ``add_responder``/``update_responder``."""
        data = self.cleaned_data
        lat, lon = data.get("home_latitude"), data.get("home_longitude")
        return {
            "display_name": data["display_name"],
            "user": data.get("user"),
            "phone": data.get("phone", ""),
            "language": data["language"],
            "skills": data.get("skills", []),
            "languages": data.get("languages", []),
            "home_town": data.get("home_town"),
            "home_point": {"lat": lat, "lon": lon} if lat is not None else None,
            "travel_radius_km": data["travel_radius_km"],
            "trained_on": data.get("trained_on"),
            "vetted_on": data.get("vetted_on"),
        }

    @classmethod
    def initial_for(cls, responder: Responder) -> dict[str, Any]:
        point = responder.home_point or {}
        contact = responder.contact
        return {
            "display_name": responder.display_name,
            "user": responder.user_id,
            "phone": contact.phone if contact else "",
            "language": contact.language if contact else Language.ENGLISH,
            "skills": responder.skills,
            "languages": responder.languages,
            "home_town": responder.home_town_id,
            "home_latitude": point.get("lat"),
            "home_longitude": point.get("lon"),
            "travel_radius_km": responder.travel_radius_km,
            "trained_on": responder.trained_on,
            "vetted_on": responder.vetted_on,
        }


class ShiftForm(forms.Form):
    WEEKLY, ONCE = "weekly", "once"

    kind = forms.ChoiceField(label=_("Role on shift"), choices=ShiftKind.choices)
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=[(WEEKLY, _("every week")), (ONCE, _("once"))],
        widget=forms.RadioSelect,
        initial=WEEKLY,
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=WEEKDAYS, coerce=int, required=False
    )
    start_time = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("To (earlier than the start: the next day)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("repeat") == self.WEEKLY:
            needed = ("weekday", "start_time", "end_time")
            if any(cleaned.get(name) in (None, "") for name in needed):
                raise forms.ValidationError(_("A weekly shift needs a day, a start and an end."))
            if cleaned["start_time"] == cleaned["end_time"]:
                raise forms.ValidationError(_("A shift needs an end different from its start."))
        else:
            if cleaned.get("starts_at") is None or cleaned.get("ends_at") is None:
                raise forms.ValidationError(_("A one-off shift needs a start and an end."))
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                raise forms.ValidationError(_("A shift needs an end after its start."))
        return cleaned

    def times(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of ``add_shift``."""
        data = self.cleaned_data
        if data["repeat"] == self.WEEKLY:
            return {
                "kind": data["kind"],
                "weekday": data["weekday"],
                "start_time": data["start_time"],
                "end_time": data["end_time"],
            }
        return {"kind": data["kind"], "starts_at": data["starts_at"], "ends_at": data["ends_at"]}


class WeekForm(forms.Form):
    week = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_week(self) -> dt.date | None:
        week: dt.date | None = self.cleaned_data.get("week")
        if week is not None and not 2000 <= week.year <= 2100:
            raise forms.ValidationError(_("Choose a week between 2000 and 2100."))
        return week


class OfferForm(forms.Form):
    """Which of the proposed responders to text, and how many the incident needs."""

    responders = forms.TypedMultipleChoiceField(
        label=_("Responders to text"),
        coerce=uuid.UUID,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted = forms.IntegerField(label=_("Responders needed"), min_value=1, max_value=20)

    def __init__(self, *args: Any, proposed: list[Responder], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"wanted": settings.AMPARO_DISPATCH_WANTED})
        super().__init__(*args, **kwargs)
        choices = [(str(r.pk), r.display_name) for r in proposed]
        self.fields["responders"].choices = choices  # type: ignore[attr-defined]


class DrillForm(forms.Form):
    """The area and skill a readiness drill tests; blank: all of them."""

    town = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Town.objects.none(),
        required=False,
        empty_label=_("Everywhere"),
        help_text=_("Responders who live there or would travel there, and those with no area."),
    )
    skill = forms.ChoiceField(
        label=_("Skill"), choices=[("", _("Any skill")), *Skill.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        town = self.fields["town"]
        assert isinstance(town, forms.ModelChoiceField)
        town.queryset = towns_in_region()


class SceneReportForm(forms.Form):
    """One report from the scene; a confirmation or a false alarm says what was seen."""

    kind = forms.ChoiceField(choices=FieldReportKind.choices)
    note = forms.CharField(
        label=_("What you saw"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") in NEEDS_NOTE_ON_WEB and not str(cleaned.get("note", "")).strip():
            raise forms.ValidationError(_("Say what you saw: your words are part of the record."))
        return cleaned
