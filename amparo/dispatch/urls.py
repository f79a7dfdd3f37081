from django.urls import path

from amparo.dispatch.views import drills, offers, roster, scene

app_name = "dispatch"
urlpatterns = [
    path("", roster.roster, name="roster"),
    path("responders/new/", roster.add_responder, name="add_responder"),
    path("responders/<uuid:responder_id>/", roster.responder_page, name="responder"),
    path("responders/<uuid:responder_id>/edit/", roster.edit_responder, name="edit_responder"),
    path("responders/<uuid:responder_id>/active/", roster.set_active, name="set_active"),
    path("responders/<uuid:responder_id>/shifts/", roster.add_shift, name="add_shift"),
    path("responders/<uuid:responder_id>/feed/", roster.new_feed, name="new_feed"),
    path("shifts/<int:shift_id>/remove/", roster.remove_shift, name="remove_shift"),
    path("calendar/", roster.calendar, name="calendar"),
    path("feed/<str:token>.ics", roster.feed, name="feed"),
    path("incidents/<uuid:incident_id>/", offers.incident_offers, name="incident_offers"),
    path("incidents/<uuid:incident_id>/send/", offers.send_offers, name="send_offers"),
    path(
        "incidents/<uuid:incident_id>/rows/",
        offers.incident_offers_rows,
        name="incident_offers_rows",
    ),
    path("drills/", drills.drills, name="drills"),
    path("drills/start/", drills.start_drill, name="start_drill"),
    path("drills/<uuid:drill_id>/", drills.drill, name="drill"),
    path("drills/<uuid:drill_id>/end/", drills.end_drill, name="end_drill"),
    path("me/", scene.me, name="me"),
    path("me/offers/<int:offer_id>/answer/", scene.answer, name="answer_offer"),
    path("me/offers/<int:offer_id>/report/", scene.report, name="scene_report"),
    path("offers/<int:offer_id>/left/", scene.close_deployment, name="close_deployment"),
]
