"""Public pages of alerts under /alerts/ (join, feed, map): no account, no JavaScript needed."""

from django.urls import URLPattern

app_name = "public_alerts"
urlpatterns: list[URLPattern] = []
