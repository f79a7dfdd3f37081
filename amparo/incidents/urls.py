from django.urls import path

from amparo.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.board, name="board"),
    path("rows/", views.board_rows, name="board_rows"),
    path("unplaced/", views.unplaced, name="unplaced"),
    path("reports/<uuid:report_id>/place/", views.place_report, name="place_report"),
    path("metrics/", views.metrics, name="metrics"),
    path("<uuid:incident_id>/", views.incident_page, name="incident"),
    path("<uuid:incident_id>/note/", views.add_note, name="add_note"),
    path("<uuid:incident_id>/verify/", views.start_verifying, name="start_verifying"),
    path("<uuid:incident_id>/police/", views.flag_police, name="flag_police"),
    path("<uuid:incident_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:incident_id>/false-alarm/", views.false_alarm, name="false_alarm"),
    path("<uuid:incident_id>/close/", views.close, name="close"),
    path("<uuid:incident_id>/merge/", views.merge, name="merge"),
    path("<uuid:incident_id>/split/", views.split, name="split"),
]
