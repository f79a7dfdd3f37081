"""Which gateway serves which channel, from ``settings.AMPARO_CHANNELS``."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from amparo.channels.gateways.base import ChannelConfig, Gateway


def channel_configs() -> dict[str, ChannelConfig]:
    channels: dict[str, dict[str, Any]] = settings.AMPARO_CHANNELS
    return {name: ChannelConfig(name=name, **conf) for name, conf in channels.items()}


@cache
def _gateway(name: str, gateway: str, frozen: tuple[tuple[str, Any], ...]) -> Gateway:
    config = channel_configs()[name]
    gateway_class = import_string(gateway)
    instance: Gateway = gateway_class(config)
    return instance


def gateway_for(channel: str) -> Gateway:
    """The gateway instance of ``channel``; rebuilt when its settings change (tests)."""
    conf = settings.AMPARO_CHANNELS[channel]
    return _gateway(channel, conf["gateway"], tuple(sorted((k, repr(v)) for k, v in conf.items())))
