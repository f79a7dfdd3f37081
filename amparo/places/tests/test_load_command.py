from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from amparo.places.models import Town, ZipCode

pytestmark = pytest.mark.django_db


def test_places_load_loads_the_configured_region_and_prints_progress(settings, capsys) -> None:
    settings.AMPARO_REGION = "CT"

    call_command("places", "load")

    out = capsys.readouterr().out
    assert "CT: " in out
    assert f"gazetteer loaded: {ZipCode.objects.count()} ZIP codes in CT" in out
    assert set(Town.objects.values_list("state", flat=True)) == {"CT"}


def test_places_load_takes_states_on_the_command_line(capsys) -> None:
    call_command("places", "load", "--state", "RI", "--state", "ct")

    assert set(Town.objects.values_list("state", flat=True)) == {"CT", "RI"}
    assert "in RI, CT" in capsys.readouterr().out


def test_places_load_twice_keeps_one_row_per_zip_code() -> None:
    call_command("places", "load", verbosity=0)
    count = ZipCode.objects.count()

    call_command("places", "load", verbosity=0)

    assert ZipCode.objects.count() == count > 400


def test_places_load_refuses_a_bad_state_code() -> None:
    with pytest.raises(CommandError, match="two-letter state code"):
        call_command("places", "load", "--state", "Connecticut")
