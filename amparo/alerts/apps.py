from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "amparo.alerts"
    label = "alerts"
