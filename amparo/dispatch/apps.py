from django.apps import AppConfig


class DispatchConfig(AppConfig):
    name = "amparo.dispatch"
    label = "dispatch"

    def ready(self) -> None:
        from amparo.dispatch import replies, sweeps  # noqa: F401  (registers the escalation sweep)
        from amparo.intake.keywords import register_keyword

        # No menu line: these are for responders, not the community.
        register_keyword(replies.YES, replies.YES_WORDS, replies.answer_yes, priority=50)
        register_keyword(replies.NO, replies.NO_WORDS, replies.answer_no, priority=50)
