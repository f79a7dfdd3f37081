"""Invented reports and incidents for the demo, made through the real actions.

Every number is a 555-01xx number (reserved for fiction), every word invented;
places are real Connecticut towns (public facts) from the loaded gazetteer.
``amparo.core.demo`` calls :func:`load_demo_incidents` after the demo accounts
and ``amparo places load``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import Role, User
from amparo.contacts.actions import find_or_create_contact
from amparo.incidents import actions
from amparo.incidents.models import Report
from amparo.places.lookup import PlaceMatch, locate

MINUTES = dt.timedelta(minutes=1)


def _near(town: str, north_m: float = 0.0, east_m: float = 0.0) -> PlaceMatch | None:
    """A pin this many metres from ``town``'s centre, or None without a gazetteer."""
    centre = locate(town=town)
    if centre is None:
        return None
    latitude = centre.latitude + north_m / 111_320
    longitude = centre.longitude + east_m / 83_000  # metres per degree of longitude in CT
    return locate(pin=(latitude, longitude))


def _staff(role: Role) -> User | None:
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def load_demo_incidents() -> int:
    """Create the demo's reports and incidents once; return how many reports were made.

    Does nothing (returns 0) when reports exist already or the gazetteer is
    empty. Decisions need the demo's operator and coordinator accounts; without
    them the incidents stay as reported.
    """
    if Report.objects.exists() or locate(town="Hartford") is None:
        return 0
    now = timezone.now()
    operator, coordinator = _staff(Role.OPERATOR), _staff(Role.COORDINATOR)
    phones = [f"+1860555{line:04d}" for line in range(150, 160)]
    people = [find_or_create_contact(phone=phone, language="es") for phone in phones]
    made = 0

    def report(**fields: object) -> Report:
        nonlocal made
        made += 1
        return actions.submit_report(**fields)  # type: ignore[arg-type]

    with transaction.atomic():
        # Hartford: four texts from three numbers about one street, still to verify.
        hartford = [
            ("hay agentes de ICE en la esquina, dos camionetas grises", 0, 0, "es"),
            ("ICE na rua, perto da padaria", 150, 80, "pt"),
            ("agents in vests outside the laundromat", -120, 60, "en"),
            ("siguen ahí, ahora son cuatro", 30, -40, "es"),
        ]
        for index, (text, north, east, language) in enumerate(hartford):
            report(
                source="sms",
                text=text,
                place=_near("Hartford", north, east),
                reporter=people[min(index, 2)],
                language=language,
                agency="ice",
                agents_count=2 if index < 3 else 4,
                place_kind="street",
                received_at=now - (40 - 10 * index) * MINUTES,
            )

        # New Haven: an operator's call from a home; police with ICE; being verified.
        call = report(
            source="operator",
            text="Caller's neighbour: agents knocking, one local police car at the corner",
            where="apartment building, second floor",
            place=_near("New Haven", 200, -150),
            place_kind="home",
            agency="police",
            agents_count=5,
            warrant="administrative",
            someone_taken=False,
            details={"vehicles": "one police cruiser, one unmarked SUV", "uniforms": "vests"},
            taken_by=operator,
            language="es",
            received_at=now - 25 * MINUTES,
        )
        if operator is not None and call.incident is not None:
            actions.start_verifying(
                incident=call.incident, by=operator, note="Responder on the way (demo)."
            )
            actions.add_note(
                incident=call.incident,
                by=operator,
                note="Coached the caller: do not open the door, warrant under the door.",
            )

        # Danbury: two texts, then a responder on site confirms.
        first = report(
            source="sms",
            text="ICE detuvo a alguien frente a la tienda",
            place=_near("Danbury"),
            reporter=people[3],
            agency="ice",
            someone_taken=True,
            place_kind="work",
            received_at=now - 90 * MINUTES,
        )
        report(
            source="web",
            text="Saw a man taken into a grey van outside the store",
            place=_near("Danbury", 100, 100),
            agency="ice",
            someone_taken=True,
            received_at=now - 80 * MINUTES,
        )
        if coordinator is not None and first.incident is not None:
            actions.confirm_incident(
                incident=first.incident,
                by=coordinator,
                note="Responder on site saw the arrest (demo).",
                responder_on_site=True,
            )

        # Bridgeport: a web report that turned out to be a utility crew.
        rumour = report(
            source="web",
            text="Men in yellow vests checking doors, maybe ICE?",
            place=_near("Bridgeport", -300, 200),
            place_kind="street",
            received_at=now - 60 * MINUTES,
        )
        if coordinator is not None and rumour.incident is not None:
            actions.mark_false_alarm(
                incident=rumour.incident,
                by=coordinator,
                note="Responder found a gas company crew (demo).",
            )

        # Stamford: nobody could check it; the expiry sweep makes it "unconfirmed".
        report(
            source="sms",
            text="dicen que hay ICE en la estación",
            place=_near("Stamford"),
            reporter=people[4],
            received_at=now - 7 * 60 * MINUTES,
        )

        # A text that names no place waits for an operator to place it.
        report(
            source="sms",
            text="están aquí ahora mismo, ayuda",
            reporter=people[5],
            received_at=now - 5 * MINUTES,
        )
    return made
