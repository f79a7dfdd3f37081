"""Public rights pages under /rights/: no account, no JavaScript needed."""

from django.urls import URLPattern, path

from amparo.rights import views

app_name = "public_rights"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("card/<str:language>.pdf", views.card, name="card"),
    path("<slug:slug>/", views.topic, name="topic"),
    path("<slug:slug>/<str:language>/v<int:number>/", views.version, name="version"),
]
