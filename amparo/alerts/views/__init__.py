"""Pages of the alerts app, one module per subject; every page works without JavaScript."""
