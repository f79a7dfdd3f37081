"""Deploy checks for messaging: a production network must really send its texts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from amparo.channels.gateways.console import ConsoleGateway
from amparo.channels.registry import channel_configs


@register(Tags.security, deploy=True)
def console_gateway_in_production(**kwargs: Any) -> list[CheckMessage]:
    console = f"{ConsoleGateway.__module__}.{ConsoleGateway.__name__}"
    return [
        Warning(
            f"The {config.name!r} channel uses the console gateway: nothing reaches a phone.",
            hint="Set AMPARO_SMS_GATEWAY=twilio with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
            id="channels.W001",
        )
        for config in channel_configs().values()
        if settings.PRODUCTION and config.gateway == console
    ]
