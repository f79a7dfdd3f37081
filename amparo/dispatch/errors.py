"""The dispatch app's own error, which views turn into a clear message."""


class DispatchError(Exception):
    """A dispatch rule was broken.

    ``str(exc)`` is a short, translated sentence fit to show staff. It never
    repeats a responder's name or phone number.
    """
