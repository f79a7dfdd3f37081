from django.urls import path

from amparo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.staff_users, name="staff_users"),
    path("<int:account_id>/role/", views.change_user_role, name="change_role"),
    path("<int:account_id>/deactivate/", views.deactivate_user, name="deactivate"),
]
