"""Public pages of family plans under /plan/: no account, no JavaScript, nothing secret in a URL."""

from django.urls import URLPattern, path

from amparo.plans.views import public

app_name = "plans_public"
urlpatterns: list[URLPattern] = [
    path("", public.landing, name="landing"),
    path("new/", public.new_plan, name="new"),
    path("new/done/", public.registered, name="registered"),
    path("manage/", public.manage, name="manage"),
    path("manage/edit/", public.edit_plan, name="edit"),
    path("manage/pin/", public.new_pin, name="pin"),
    path("manage/delete/", public.delete, name="delete"),
    path("card/", public.wallet_card, name="card"),
]
