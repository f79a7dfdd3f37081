"""Staff pages of alerts (broadcasts), under /staff/alerts/."""

from django.urls import URLPattern

app_name = "alerts"
urlpatterns: list[URLPattern] = []
