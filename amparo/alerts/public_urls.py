"""Public pages of alerts (join, the feed, the map), under /alerts/: no account, no JavaScript needed."""

from django.urls import URLPattern

app_name = "public_alerts"
urlpatterns: list[URLPattern] = []
