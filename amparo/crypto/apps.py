from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "amparo.crypto"
    label = "crypto"
