from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "amparo.alerts"
    label = "alerts"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from amparo.alerts import subscription_keywords as subs
        from amparo.alerts import sweeps  # noqa: F401  (registers the sweeps)
        from amparo.intake.keywords import register_keyword

        register_keyword(
            subs.ALERTS,
            subs.ALERTS_WORDS,
            subs.alerts_keyword,
            menu=gettext_lazy("ALERTS + town or ZIP: community alerts"),
        )
        register_keyword(subs.JOIN, subs.JOIN_WORDS, subs.join_keyword)
        register_keyword(subs.INVITE, subs.INVITE_WORDS, subs.invite_keyword)
