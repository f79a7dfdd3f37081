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
        from amparo.dispatch import field_replies

        for kind, words in field_replies.WORDS.items():
            name, handle = field_replies.NAMES[kind], field_replies.HANDLERS[kind]
            register_keyword(name, words, handle, priority=50)
