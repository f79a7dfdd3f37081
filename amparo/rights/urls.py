"""Staff pages of the rights library under /staff/rights/."""

from django.urls import URLPattern, path

from amparo.rights import views

app_name = "rights"
urlpatterns: list[URLPattern] = [
    path("", views.library, name="library"),
    path("<int:topic_id>/<str:language>/new/", views.new_version, name="new_version"),
    path("version/<int:version_id>/", views.version_detail, name="version"),
    path("version/<int:version_id>/edit/", views.edit_version, name="edit"),
    path("version/<int:version_id>/review/", views.review, name="review"),
    path("version/<int:version_id>/publish/", views.publish, name="publish"),
    path("version/<int:version_id>/discard/", views.discard, name="discard"),
]
