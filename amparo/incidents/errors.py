"""The incidents app's own error, which views turn into a clear message."""


class IncidentsError(Exception):
    """An incidents rule was broken.

    ``str(exc)`` is a short, translated sentence fit to show staff or the
    public. It never repeats a report's words, a place or a phone number.
    """
