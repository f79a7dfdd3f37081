from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "amparo.accounts"
    label = "accounts"

    def ready(self) -> None:
        from amparo.accounts import signals  # noqa: F401
