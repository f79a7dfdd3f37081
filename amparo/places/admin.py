"""The gazetteer in the admin: public facts about places, kept by the network's admins."""

from __future__ import annotations

from django.contrib import admin

from amparo.places.models import Landmark, Town, ZipCode


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "latitude", "longitude")
    list_filter = ("state",)
    search_fields = ("name",)


@admin.register(ZipCode)
class ZipCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "town", "latitude", "longitude")
    list_select_related = ("town",)
    list_filter = ("town__state",)
    search_fields = ("code", "town__name")
    autocomplete_fields = ("town",)


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    list_display = ("name", "town", "aliases", "latitude", "longitude")
    list_select_related = ("town",)
    list_filter = ("town__state",)
    search_fields = ("name", "aliases", "town__name")
    autocomplete_fields = ("town",)
