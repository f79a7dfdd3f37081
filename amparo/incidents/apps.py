from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "amparo.incidents"
    label = "incidents"

    def ready(self) -> None:
        from amparo.incidents import sweeps  # noqa: F401  (registers the expiry and retention sweeps)
