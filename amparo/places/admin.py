from django.contrib import admin

from amparo.places.models import Town


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "latitude", "longitude")
    list_filter = ("state",)
    search_fields = ("name",)
