"""The demo network: obviously fake, loaded by ``amparo demo`` (and so by ``make run``).

Later issues add their own demo rows here (incidents, responders, plans...).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from amparo.accounts.actions import create_staff_user
from amparo.accounts.models import Role, User
from amparo.places.actions import add_town

DEMO_PASSWORD = "amparo-demo-only"  # noqa: S105 (public on purpose: demo mode only)

# Real Connecticut towns (public gazetteer facts); nothing about people.
DEMO_TOWNS: list[tuple[str, str, str]] = [
    ("Hartford", "41.76580", "-72.67340"),
    ("New Haven", "41.30830", "-72.92790"),
    ("Bridgeport", "41.18650", "-73.19520"),
    ("Stamford", "41.05340", "-73.53870"),
    ("Waterbury", "41.55820", "-73.05150"),
    ("Norwalk", "41.11770", "-73.40820"),
    ("Danbury", "41.39480", "-73.45400"),
    ("New Britain", "41.66120", "-72.77950"),
    ("Meriden", "41.53820", "-72.80700"),
    ("New London", "41.35570", "-72.09950"),
    ("Norwich", "41.52430", "-72.07590"),
    ("Windham", "41.71010", "-72.15700"),
]


class DemoError(Exception):
    pass


def demo_username(role: str) -> str:
    return f"demo-{role}"


@transaction.atomic
def load_demo_data() -> str:
    """Create the demo towns and one staff member per role. Safe to run again."""
    if not settings.AMPARO_DEMO:
        raise DemoError(
            "Demo data goes only into a demo database: run with AMPARO_MODE=demo (make run)."
        )
    for name, latitude, longitude in DEMO_TOWNS:
        add_town(name=name, state="CT", latitude=Decimal(latitude), longitude=Decimal(longitude))
    created = 0
    for role in Role.values:
        username = demo_username(role)
        if not User.objects.filter(username=username).exists():
            create_staff_user(username=username, role=role, password=DEMO_PASSWORD, by=None)
            created += 1
    return f"demo data: {len(DEMO_TOWNS)} towns, {created} new staff accounts"


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
