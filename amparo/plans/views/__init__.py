"""Family plan pages: ``public`` (the family, with code and PIN), ``clinic`` (a volunteer
registers a family), ``staff`` (activations)."""
