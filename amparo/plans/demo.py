"""Two invented family plans for the demo, registered through the real action.

Names are invented, numbers are 555-01xx (reserved for fiction). The plans'
codes are never printed or stored: like a real family's, they were shown only
at registration. The demo's activation pages show plans an operator activates.
``amparo.core.demo`` calls :func:`load_demo_plans` after the demo accounts exist.
"""

from __future__ import annotations

import secrets

from amparo.accounts.models import Role, User
from amparo.contacts.models import Language
from amparo.plans import codes
from amparo.plans.actions import register_plan
from amparo.plans.contents import EmergencyContact, Member, Person, PlanContents
from amparo.plans.errors import PlansError
from amparo.plans.models import Plan, PlanSource

DEMO_PLANS: list[tuple[str, PlanContents]] = [
    (
        Language.SPANISH,
        PlanContents(
            members=[
                Member(name="Demo Rosa Inventada", a_number="000000001"),
                Member(name="Demo Tito Inventado", is_child=True),
                Member(name="Demo Lupe Inventada", is_child=True),
            ],
            contacts=[
                EmergencyContact(
                    name="Demo Carmen Ficticia",
                    phone="+18605550181",
                    language=Language.SPANISH,
                    relation="hermana",
                ),
                EmergencyContact(
                    name="Demo Pedro Ficticio",
                    phone="+18605550182",
                    language=Language.ENGLISH,
                    relation="vecino",
                ),
            ],
            caregiver=Person(name="Demo Carmen Ficticia", phone="+18605550181"),
            backup_caregiver=Person(name="Demo Marta Ficticia", phone="+18605550183"),
            caregiver_authorization_signed=True,
            documents_location="DEMO: carpeta azul en casa de la hermana",
            attorney=Person(name="Demo Atty Invented", phone="+18605550184"),
            attorney_organization="Demo Legal Aid (invented)",
            g28_signed=True,
            medical_needs="DEMO: Tito usa inhalador para el asma",
            notes="Plan de demostración: datos inventados.",
        ),
    ),
    (
        Language.HAITIAN_CREOLE,
        PlanContents(
            members=[Member(name="Demo Jean Envante", a_number="000000002")],
            contacts=[
                EmergencyContact(
                    name="Demo Mari Envante",
                    phone="+18605550185",
                    language=Language.HAITIAN_CREOLE,
                    relation="madanm",
                ),
            ],
            documents_location="DEMO: nan valiz la anba kabann nan",
            notes="Plan demonstrasyon: done envante.",
        ),
    ),
]


def _unknown_pin() -> str:
    """A PIN nobody knows: the demo's plans are activated by an operator at the hotline."""
    while True:
        pin = "".join(secrets.choice("0123456789") for _ in range(6))
        try:
            return codes.check_new_pin(pin)
        except PlansError:
            continue


def load_demo_plans() -> str:
    """Register the demo plans unless they are there; say how many were made (no code)."""
    volunteer = User.objects.filter(username=f"demo-{Role.OPERATOR}").first()
    if volunteer is None or Plan.objects.filter(registered_by=volunteer).exists():
        return "0 new family plans"
    for language, contents in DEMO_PLANS:
        register_plan(
            contents=contents,
            pin=_unknown_pin(),
            language=language,
            source=PlanSource.VOLUNTEER,
            by=volunteer,
        )
    return f"{len(DEMO_PLANS)} new family plans (codes not shown)"
