"""Staff pages of alerts (broadcasts), under /staff/alerts/."""

from django.urls import URLPattern, path

from amparo.alerts.views import broadcasts as broadcast_views
from amparo.alerts.views import subscriptions as subscription_views

app_name = "alerts"
urlpatterns: list[URLPattern] = [
    # Broadcasts (views/broadcasts.py).
    path("", broadcast_views.broadcast_list, name="broadcasts"),
    path("new/", broadcast_views.new_broadcast, name="new_broadcast"),
    path("<uuid:broadcast_id>/", broadcast_views.broadcast_page, name="broadcast"),
    path("<uuid:broadcast_id>/edit/", broadcast_views.edit_broadcast, name="edit_broadcast"),
    path("<uuid:broadcast_id>/submit/", broadcast_views.submit, name="submit"),
    path("<uuid:broadcast_id>/approve/", broadcast_views.approve, name="approve"),
    path("<uuid:broadcast_id>/send-back/", broadcast_views.send_back, name="send_back"),
    path("<uuid:broadcast_id>/cancel/", broadcast_views.cancel, name="cancel"),
    path("<uuid:broadcast_id>/halt/", broadcast_views.halt, name="halt"),
    path("<uuid:broadcast_id>/withdraw/", broadcast_views.withdraw, name="withdraw"),
    path("<uuid:broadcast_id>/override/", broadcast_views.override, name="override"),
    path("<uuid:broadcast_id>/correct/", broadcast_views.correct, name="correct"),
    path("<uuid:broadcast_id>/progress/", broadcast_views.progress, name="progress"),
    # Subscriber counts (views/subscriptions.py).
    path("subscribers/", subscription_views.subscriber_counts, name="subscribers"),
]
