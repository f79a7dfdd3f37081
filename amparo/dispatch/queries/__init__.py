"""Reads of the dispatch app for staff, one module per subject, each audited by ids only."""
