"""The gazetteer in the admin: public facts about places, kept by the network's admins."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from amparo.accounts.decorators import signed_in_user
from amparo.places.actions import Place, delete_place, save_place
from amparo.places.models import Landmark, Town, ZipCode


class PlaceAdmin(admin.ModelAdmin):
    """Edits go through the places actions, so each one is audited."""

    def save_model(self, request: HttpRequest, obj: Place, form: ModelForm, change: bool) -> None:
        save_place(place=obj, by=signed_in_user(request))

    def delete_model(self, request: HttpRequest, obj: Place) -> None:
        delete_place(place=obj, by=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for place in queryset:
            delete_place(place=place, by=signed_in_user(request))


@admin.register(Town)
class TownAdmin(PlaceAdmin):
    list_display = ("name", "state", "latitude", "longitude")
    list_filter = ("state",)
    search_fields = ("name",)


@admin.register(ZipCode)
class ZipCodeAdmin(PlaceAdmin):
    list_display = ("code", "town", "latitude", "longitude")
    list_select_related = ("town",)
    list_filter = ("town__state",)
    search_fields = ("code", "town__name")
    autocomplete_fields = ("town",)


@admin.register(Landmark)
class LandmarkAdmin(PlaceAdmin):
    list_display = ("name", "town", "aliases", "latitude", "longitude")
    list_select_related = ("town",)
    list_filter = ("town__state",)
    search_fields = ("name", "aliases", "town__name")
    autocomplete_fields = ("town",)
