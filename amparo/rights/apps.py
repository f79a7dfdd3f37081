from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "amparo.rights"
    label = "rights"

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from amparo.intake.keywords import register_keyword
        from amparo.rights import (
            sms,
            sweeps,  # noqa: F401  (registers the sweeps)
        )

        register_keyword(
            sms.RIGHTS,
            sms.RIGHTS_WORDS,
            sms.rights_keyword,
            # The default menu must stay one GSM-7 segment in every language: the
            # keyword word alone fits (DERECHOS, DIREITOS, DWA).
            menu=pgettext_lazy(
                "SMS menu line: the rights keyword word, 9 letters at most", "RIGHTS"
            ),
        )
        register_keyword(sms.CHOICE, sms.CHOICE_WORDS, sms.rights_choice_keyword)
