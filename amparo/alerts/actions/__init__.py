"""Writes of the alerts app, one module per subject (subscriptions, broadcasts)."""
