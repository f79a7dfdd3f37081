"""Invented responders and shifts for the demo, made through the real actions.

Names are invented, numbers are 555-01xx (reserved for fiction), towns are
real Connecticut towns from the loaded gazetteer (public facts). The demo
operator and responder accounts are on the roster too. Between them the
shifts cover every hour of the week on the hotline and most of it in the
field. ``amparo.core.demo`` calls :func:`load_demo_responders` after the
demo accounts exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from amparo.accounts.models import Role, User
from amparo.contacts.queries import find_contact_by_phone
from amparo.dispatch import actions
from amparo.dispatch.models import Responder, ShiftKind, Skill
from amparo.places.models import Town

T = dt.time
Weekly = tuple[str, Iterable[int], dt.time, dt.time]
# (name, phone, language, skills, languages, town, staff role or None, shifts)
# shifts: (kind, weekdays, start, end)
_WEEKDAYS = range(0, 5)
_WEEKEND = range(5, 7)
_EVERY_DAY = range(0, 7)
DEMO_RESPONDERS: list[
    tuple[str, str, str, list[Skill], list[str], str, Role | None, list[Weekly]]
] = [
    (
        "Demo Operator Ana",
        "+18605550171",
        "es",
        [Skill.INTERPRETER],
        ["en", "es"],
        "Hartford",
        Role.OPERATOR,
        [(ShiftKind.OPERATOR, _EVERY_DAY, T(8), T(16))],
    ),
    (
        "Demo Operator Beto",
        "+18605550172",
        "es",
        [],
        ["en", "es", "pt"],
        "New Britain",
        None,
        [(ShiftKind.OPERATOR, _EVERY_DAY, T(16), T(0))],
    ),
    (
        "Demo Operator Chantal",
        "+18605550173",
        "ht",
        [Skill.INTERPRETER],
        ["en", "ht", "fr"],
        "Stamford",
        None,
        [(ShiftKind.OPERATOR, _EVERY_DAY, T(0), T(8))],
    ),
    (
        "Demo Responder Dario",
        "+18605550174",
        "pt",
        [Skill.VERIFIER, Skill.DRIVER],
        ["en", "pt"],
        "Danbury",
        Role.RESPONDER,
        [(ShiftKind.FIELD, _WEEKDAYS, T(7), T(15))],
    ),
    (
        "Demo Responder Elena",
        "+18605550175",
        "es",
        [Skill.LEGAL_OBSERVER, Skill.VERIFIER],
        ["en", "es"],
        "New Haven",
        None,
        [(ShiftKind.FIELD, _WEEKDAYS, T(15), T(23)), (ShiftKind.FIELD, _WEEKEND, T(9), T(17))],
    ),
    (
        "Demo Responder Farid",
        "+18605550176",
        "en",
        [Skill.ACCOMPANIMENT, Skill.DRIVER],
        ["en", "ar"],
        "Bridgeport",
        None,
        [(ShiftKind.FIELD, _WEEKDAYS, T(22), T(6))],
    ),
    (
        "Demo Attorney Grace",
        "+18605550178",
        "en",
        [Skill.ATTORNEY, Skill.LEGAL_OBSERVER],
        ["en"],
        "Hartford",
        None,
        [(ShiftKind.FIELD, [5], T(10), T(14))],
    ),
]


@transaction.atomic
def load_demo_responders() -> int:
    """Create the demo roster once; return how many responders were made."""
    made = 0
    for name, phone, language, skills, languages, town, role, shifts in DEMO_RESPONDERS:
        contact = find_contact_by_phone(phone)
        if contact is not None and Responder.objects.filter(contact=contact).exists():
            continue
        user = None
        if role is not None:
            user = User.objects.filter(username=f"demo-{role}", is_active=True).first()
            if user is not None and Responder.objects.filter(user=user).exists():
                user = None
        responder = actions.add_responder(
            by=None,
            display_name=name,
            user=user,
            phone=phone,
            language=language,
            skills=skills,
            languages=languages,
            home_town=Town.objects.filter(name=town).order_by("pk").first(),
            travel_radius_km=20,
            trained_on=dt.date(2025, 9, 6),
            vetted_on=dt.date(2025, 9, 20),
        )
        for kind, days, start, end in shifts:
            for weekday in days:
                actions.add_shift(
                    responder=responder,
                    kind=kind,
                    by=None,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                )
        made += 1
    return made
