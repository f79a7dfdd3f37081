"""WSGI entry point; Amparo is served over WSGI (gunicorn), not ASGI."""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
application = get_wsgi_application()

if settings.TESTING:
    # Test mode hashes passwords weakly and makes throw-away keys: never serve it.
    raise ImproperlyConfigured("AMPARO_MODE=test is for the test suite only; it never serves.")
