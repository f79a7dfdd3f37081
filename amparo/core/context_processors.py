from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def amparo(request: HttpRequest) -> dict[str, Any]:
    return {
        "amparo_demo": settings.AMPARO_DEMO,
        "network_name": settings.AMPARO_NETWORK_NAME,
    }
