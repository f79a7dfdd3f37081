from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "amparo.plans"
    label = "plans"
