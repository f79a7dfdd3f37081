"""Reads of the alerts app, one module per subject; staff reads are audited."""
