from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "amparo.rights"
    label = "rights"
