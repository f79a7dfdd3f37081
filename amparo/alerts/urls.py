"""Staff pages of alerts (broadcasts), under /staff/alerts/."""

from django.urls import URLPattern, path

from amparo.alerts.views import subscriptions as subscription_views

app_name = "alerts"
urlpatterns: list[URLPattern] = [
    # Subscriber counts (views/subscriptions.py).
    path("subscribers/", subscription_views.subscriber_counts, name="subscribers"),
]
