"""The audit log in the admin: readable by those allowed to, changeable by nobody."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from amparo.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["sequence", "at", "actor", "actor_role", "action", "target_type", "target_id"]
    list_select_related = ["actor"]
    ordering = ["-sequence"]
    # The log grows to millions of rows; counting them on every page is wasted work.
    show_full_result_count = False
    readonly_fields = [
        "sequence",
        "at",
        "actor",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "previous_hash",
        "hash",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
