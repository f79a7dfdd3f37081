from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "amparo.places"
    label = "places"

    def ready(self) -> None:
        from amparo.places import checks  # noqa: F401  (registers the region check)
