"""The demo network: obviously fake, loaded by ``amparo demo`` (and so by ``make run``).

The region's gazetteer (real towns and ZIP codes, public facts) with a few
landmarks, one staff member per role, and invented reports and incidents made
through the real actions. Later issues add their own demo rows here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role, User
from amparo.dispatch.demo import load_demo_responders
from amparo.incidents.demo import load_demo_incidents
from amparo.places.demo import load_demo_places
from amparo.plans.demo import load_demo_plans
from amparo.rights.demo import load_demo_rights

DEMO_PASSWORD = "amparo-demo-only"  # noqa: S105 (public on purpose: demo mode only)


class DemoError(Exception):
    pass


def demo_username(role: str) -> str:
    return f"demo-{role}"


@transaction.atomic
def load_demo_data() -> str:
    """Load the gazetteer, one staff member per role, demo incidents and responders.

    Safe to run again.
    """
    if not settings.AMPARO_DEMO:
        raise DemoError(
            "Demo data goes only into a demo database: run with AMPARO_MODE=demo (make run)."
        )
    places = load_demo_places()
    created = 0
    for role in Role.values:
        username = demo_username(role)
        if not User.objects.filter(username=username).exists():
            create_staff_user(username=username, role=role, password=DEMO_PASSWORD, by=None)
            created += 1
    reports = load_demo_incidents()
    responders = load_demo_responders()
    plans = load_demo_plans()
    rights = load_demo_rights()
    return (
        f"demo data: {places}, {created} new staff accounts, {reports} new reports, "
        f"{responders} new responders, {plans}, {rights}"
    )


def demo_accounts_present() -> bool:
    """True if this database holds demo accounts (public password): unfit for real data."""
    return User.objects.filter(username__in=[demo_username(role) for role in Role.values]).exists()


def login_help() -> str:
    roles = ", ".join(demo_username(role) for role in Role.values)
    return (
        "\nDEMO - not for real data.\n"
        "Sign in at http://127.0.0.1:8000/accounts/login/ as one of\n"
        f"  {roles}\n"
        f"with the password: {DEMO_PASSWORD}\n"
    )
