from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "amparo.contacts"
    label = "contacts"

    def ready(self) -> None:
        from amparo.contacts import sweeps  # noqa: F401  (registers the forgetting sweep)
