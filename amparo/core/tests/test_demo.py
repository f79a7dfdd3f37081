from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from amparo.accounts.models import Role, User
from amparo.core.demo import DEMO_PASSWORD
from amparo.incidents.models import Incident, Report
from amparo.places.models import Landmark, Town, ZipCode

pytestmark = pytest.mark.django_db


def test_demo_data_loads_twice_without_duplicates(settings, capsys) -> None:
    settings.AMPARO_DEMO = True
    call_command("demo")
    counts = (Town.objects.count(), ZipCode.objects.count(), Landmark.objects.count())
    reports, incidents = Report.objects.count(), Incident.objects.count()
    call_command("demo")
    assert (Town.objects.count(), ZipCode.objects.count(), Landmark.objects.count()) == counts
    assert Town.objects.filter(state="CT", name="Hartford").exists() and counts[1] > 400
    assert (Report.objects.count(), Incident.objects.count()) == (reports, incidents)
    assert reports > 0 and incidents > 0
    assert sorted(User.objects.values_list("role", flat=True)) == sorted(Role.values)
    out = capsys.readouterr().out
    assert "demo-coordinator" in out
    assert DEMO_PASSWORD in out


def test_demo_staff_can_sign_in_with_the_printed_password(settings, client) -> None:
    settings.AMPARO_DEMO = True
    settings.AMPARO_REQUIRE_MFA = False
    call_command("demo")
    response = client.post(
        "/accounts/login/", {"login": "demo-operator", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.get_username() == "demo-operator"


def test_demo_data_is_refused_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="AMPARO_MODE=demo"):
        call_command("demo")
    assert not User.objects.exists()


def test_production_refuses_to_serve_a_database_with_demo_accounts(settings) -> None:
    settings.AMPARO_DEMO = True
    call_command("demo")
    settings.AMPARO_DEMO = False
    settings.TESTING = False
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="demo accounts"):
        call_command("run")


def test_test_mode_never_serves(settings) -> None:
    settings.TESTING = True
    with pytest.raises(CommandError, match="never serves"):
        call_command("run")
