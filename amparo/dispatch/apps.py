from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "amparo.dispatch"
    label = "dispatch"
