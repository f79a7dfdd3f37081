"""The contacts app's own error, which views turn into a clear message."""


class ContactsError(Exception):
    """A contacts rule was broken. The message never repeats the phone number or name."""
