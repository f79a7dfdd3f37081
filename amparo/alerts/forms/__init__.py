"""Forms of the alerts app, one module per subject; they validate everything a person types."""
