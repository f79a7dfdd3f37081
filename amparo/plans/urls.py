from django.urls import URLPattern, URLResolver, path

from amparo.plans.views import clinic, staff

app_name = "plans"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff.activations, name="activations"),
    path("activate/", staff.activate, name="activate"),
    path("activations/<uuid:activation_id>/", staff.activation, name="activation"),
    path("activations/<uuid:activation_id>/tasks/<int:task_id>/", staff.set_task, name="task"),
    path("register/", clinic.register, name="clinic_register"),
]
