from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "amparo.plans"
    label = "plans"

    def ready(self) -> None:
        from amparo.crypto import plan_keys
        from amparo.plans import checks, sms, sweeps  # noqa: F401  (registers checks and sweeps)

        sms.register()
        plan_keys.register_with_rotation()
