"""Public pages of alerts under /alerts/ (join, feed, map): no account, no JavaScript needed."""

from django.urls import URLPattern, path

from amparo.alerts.views import feed
from amparo.alerts.views import subscriptions as join_views

app_name = "public_alerts"
urlpatterns: list[URLPattern] = [
    # The public feed and map (views/feed.py).
    path("", feed.feed, name="feed"),
    path("feed.atom", feed.atom_feed, name="feed_atom"),
    path("feed.json", feed.json_feed, name="feed_json"),
    path("map/", feed.incident_map, name="map"),
    path("map.json", feed.map_data, name="map_json"),
    path("<uuid:broadcast_id>/", feed.broadcast, name="broadcast"),
    # Joining alerts on the web (views/subscriptions.py).
    path("join/", join_views.join, name="join"),
    path("join/check-your-phone/", join_views.join_sent, name="join_sent"),
]
