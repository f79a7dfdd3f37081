class CasesError(Exception):
    """A case rule was broken; the message is safe to show staff."""
