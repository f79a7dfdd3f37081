from django.urls import path

from amparo.intake import views

app_name = "intake"
urlpatterns = [
    path("report/", views.public_report, name="report"),
    path("report/thanks/", views.public_report_thanks, name="report_thanks"),
    path("staff/intake/report/", views.operator_report, name="operator_report"),
]
