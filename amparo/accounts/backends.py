"""Model permissions follow the staff role, not rows in Django's permission tables.

Nobody is a Django superuser (DESIGN.md: the admin role gets no automatic access
to case content). The Django admin shows an admin exactly what is listed here.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model

from amparo.accounts.models import Role, User

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "places.view_town",
            "places.add_town",
            "places.change_town",
            "places.delete_town",
            "places.view_zipcode",
            "places.add_zipcode",
            "places.change_zipcode",
            "places.delete_zipcode",
            "places.view_landmark",
            "places.add_landmark",
            "places.change_landmark",
            "places.delete_landmark",
            "audit.view_auditevent",
        }
    ),
}


class RolePermissionBackend(BaseBackend):
    def get_all_permissions(self, user_obj: object, obj: Model | None = None) -> set[str]:
        if not isinstance(user_obj, User) or not user_obj.is_active or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(user_obj.role, frozenset()))

    def has_perm(self, user_obj: object, perm: str, obj: Model | None = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: object, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
