class PlansError(Exception):
    """A family plan rule was broken; the message is safe to show the person."""
