from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "amparo.accounts"
    label = "accounts"

    def ready(self) -> None:
        from amparo.accounts import signals  # noqa: F401
        from amparo.accounts.actions import reseal_mfa_secrets
        from amparo.accounts.queries import mfa_secret_key_usage
        from amparo.crypto.rotation import TokenStore, register_token_store

        register_token_store(
            TokenStore(
                label="mfa.Authenticator.data",
                usage=mfa_secret_key_usage,
                rotate=reseal_mfa_secrets,
            )
        )
