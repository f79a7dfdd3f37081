"""Small factories for family plan tests: invented people, 555 numbers."""

from __future__ import annotations

from amparo.accounts.models import User
from amparo.plans.actions import register_plan
from amparo.plans.contents import EmergencyContact, Member, Person, PlanContents
from amparo.plans.models import Plan, PlanSource

PIN = "2580"


def make_contents(*, contacts: int = 3, children: bool = True) -> PlanContents:
    languages = ["es", "pt", "ht", "en", "es", "pt"]
    return PlanContents(
        members=[
            Member(name="Rosa Quintanilla-Fake", a_number="012345678"),
            *([Member(name="Tito Quintanilla-Fake", is_child=True)] if children else []),
        ],
        contacts=[
            EmergencyContact(
                name=f"Contacto Inventado {n}",
                phone=f"+1860555{n + 1:04d}",
                language=languages[n % len(languages)],
                relation="sister",
            )
            for n in range(contacts)
        ],
        caregiver=Person(name="Marta Fakename", phone="+18605559001"),
        backup_caregiver=Person(name="Lucia Fakename", phone="+18605559002"),
        caregiver_authorization_signed=True,
        documents_location="Blue folder under the bed",
        attorney=Person(name="Atty Invented", phone="+18605559003"),
        attorney_organization="Fake Legal Aid",
        g28_signed=True,
        medical_needs="Asthma inhaler",
        notes="Invented notes",
    )


def make_plan(
    *,
    contents: PlanContents | None = None,
    pin: str = PIN,
    language: str = "es",
    source: PlanSource = PlanSource.WEB,
    by: User | None = None,
) -> tuple[Plan, str]:
    """A registered plan and its code."""
    return register_plan(
        contents=contents or make_contents(), pin=pin, language=language, source=source, by=by
    )
