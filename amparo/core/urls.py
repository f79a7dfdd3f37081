from django.urls import path

from amparo.core import views

app_name = "core"
urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("staff/", views.staff_home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ping", views.ping, name="ping"),
]
