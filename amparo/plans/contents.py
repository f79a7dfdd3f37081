"""What a family plan holds, as one sealed JSON document (never as database columns).

Everything personal in a plan lives here, sealed under the plan's own data key
(:mod:`amparo.crypto.plan_keys`), so deleting the plan's key erases all of it at
once. The database keeps only what is needed to find a plan and guard it:
the blind index of its code, its PIN digest, its language and lockout state.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from amparo.contacts.models import Language

# The most of each list a plan may hold: a family, not a directory.
MAX_MEMBERS = 12
MAX_CONTACTS = 6


@dataclass
class Member:
    """A person the plan is for. ``a_number`` is 9 digits (CONTEXT.md) or empty."""

    name: str
    is_child: bool = False
    a_number: str = ""


@dataclass
class EmergencyContact:
    """Who is texted on activation: phone in E.164, in their own language."""

    name: str
    phone: str
    language: str = Language.ENGLISH
    relation: str = ""


@dataclass
class Person:
    """A caregiver or attorney: a name and a way to reach them."""

    name: str = ""
    phone: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone)


@dataclass
class PlanContents:
    members: list[Member] = field(default_factory=list)
    contacts: list[EmergencyContact] = field(default_factory=list)
    caregiver: Person = field(default_factory=Person)
    backup_caregiver: Person = field(default_factory=Person)
    caregiver_authorization_signed: bool = False
    documents_location: str = ""
    attorney: Person = field(default_factory=Person)
    attorney_organization: str = ""
    g28_signed: bool = False
    medical_needs: str = ""
    notes: str = ""

    @property
    def has_children(self) -> bool:
        return any(member.is_child for member in self.members)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> PlanContents:
        data: dict[str, Any] = json.loads(raw.decode("utf-8"))
        return cls(
            members=[Member(**m) for m in data.get("members", [])],
            contacts=[EmergencyContact(**c) for c in data.get("contacts", [])],
            caregiver=Person(**data.get("caregiver", {})),
            backup_caregiver=Person(**data.get("backup_caregiver", {})),
            caregiver_authorization_signed=bool(data.get("caregiver_authorization_signed")),
            documents_location=data.get("documents_location", ""),
            attorney=Person(**data.get("attorney", {})),
            attorney_organization=data.get("attorney_organization", ""),
            g28_signed=bool(data.get("g28_signed")),
            medical_needs=data.get("medical_needs", ""),
            notes=data.get("notes", ""),
        )
