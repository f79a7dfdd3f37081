from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amparo.core"
    label = "core"

    def ready(self) -> None:
        from amparo.core import languages, sweeps  # noqa: F401  (registers sweeps, LANG_INFO)
