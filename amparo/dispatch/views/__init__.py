"""Dispatch pages, one module per subject; every page works without JavaScript."""
