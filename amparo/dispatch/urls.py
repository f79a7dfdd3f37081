from django.urls import path

from amparo.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("responders/new/", views.add_responder, name="add_responder"),
    path("responders/<uuid:responder_id>/", views.responder_page, name="responder"),
    path("responders/<uuid:responder_id>/edit/", views.edit_responder, name="edit_responder"),
    path("responders/<uuid:responder_id>/active/", views.set_active, name="set_active"),
    path("responders/<uuid:responder_id>/shifts/", views.add_shift, name="add_shift"),
    path("responders/<uuid:responder_id>/feed/", views.new_feed, name="new_feed"),
    path("shifts/<int:shift_id>/remove/", views.remove_shift, name="remove_shift"),
    path("calendar/", views.calendar, name="calendar"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("incidents/<uuid:incident_id>/", views.incident_offers, name="incident_offers"),
    path("incidents/<uuid:incident_id>/send/", views.send_offers, name="send_offers"),
]
