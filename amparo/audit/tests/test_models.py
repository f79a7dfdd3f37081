from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from amparo.audit.actions import record_event
from amparo.audit.models import AuditError, AuditEvent

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_saved_again(operator):
    event = record_event(actor=operator, action="auth.login")
    event.action = "auth.logout"

    with pytest.raises(AuditError, match="cannot be changed"):
        event.save()
    assert AuditEvent.objects.get().action == "auth.login"


def test_an_event_cannot_be_deleted(operator):
    event = record_event(actor=operator, action="auth.login")

    with pytest.raises(AuditError, match="cannot be deleted"):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_a_queryset_cannot_change_or_delete_events_either(operator):
    record_event(actor=operator, action="auth.login")

    with pytest.raises(AuditError, match="cannot be changed"):
        AuditEvent.objects.update(action="auth.logout")
    with pytest.raises(AuditError, match="cannot be changed"):
        AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["action"])
    with pytest.raises(AuditError, match="cannot be deleted"):
        AuditEvent.objects.filter(action="auth.login").delete()
    assert AuditEvent.objects.get().action == "auth.login"


def test_a_user_with_events_cannot_be_deleted_so_the_log_keeps_saying_who(operator):
    record_event(actor=operator, action="auth.login")

    with pytest.raises(ProtectedError):
        operator.delete()
