from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "amparo.contacts"
    label = "contacts"
