from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "amparo.channels"
    label = "channels"

    def ready(self) -> None:
        from amparo.channels import checks, sweeps  # noqa: F401  (registers checks and sweeps)
