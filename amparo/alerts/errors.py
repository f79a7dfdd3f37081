class AlertsError(Exception):
    """A rule of subscriptions or broadcasts was broken; the message is for the user."""
