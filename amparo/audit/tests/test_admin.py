from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request():
    superuser = User.objects.create(username="admin-test-1", role=Role.ADMIN, is_staff=True)
    request = RequestFactory().get("/staff/admin/audit/auditevent/")
    request.user = superuser
    return request


def test_nobody_may_add_change_or_delete_events_in_the_admin(superuser_request, operator):
    event = record_event(actor=operator, action="auth.login")
    model_admin = admin.site._registry[AuditEvent]

    assert model_admin.has_view_permission(superuser_request, event)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request, event)
    assert not model_admin.has_delete_permission(superuser_request, event)
    assert "delete_selected" not in model_admin.get_actions(superuser_request)
