class RightsError(Exception):
    """A rule of the rights library was broken; the message is for the user."""
