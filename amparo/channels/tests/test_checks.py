from __future__ import annotations

from amparo.channels.checks import console_gateway_in_production


def test_production_with_the_console_gateway_is_warned_about(settings) -> None:
    settings.PRODUCTION = True
    warnings = console_gateway_in_production()
    assert [w.id for w in warnings] == ["channels.W001"]


def test_demo_with_the_console_gateway_is_fine(settings) -> None:
    settings.PRODUCTION = False
    assert console_gateway_in_production() == []


def test_production_with_twilio_is_fine(settings) -> None:
    settings.PRODUCTION = True
    sms = dict(settings.AMPARO_CHANNELS["sms"])
    sms["gateway"] = "amparo.channels.gateways.twilio.TwilioSMSGateway"
    settings.AMPARO_CHANNELS = {"sms": sms}
    assert console_gateway_in_production() == []
