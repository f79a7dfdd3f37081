from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from amparo.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def answer(monkeypatch: pytest.MonkeyPatch, *replies: str) -> None:
    given = iter(replies)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(given))


def test_it_creates_an_admin_who_is_not_a_superuser(monkeypatch, capsys) -> None:
    answer(monkeypatch, "correct-horse-battery-9", "correct-horse-battery-9")
    call_command("createadmin", "marisol-admin")
    user = User.objects.get(username="marisol-admin")
    assert user.role == Role.ADMIN
    assert user.is_staff and not user.is_superuser
    assert user.check_password("correct-horse-battery-9")
    assert "enroll a second factor" in capsys.readouterr().out


def test_it_refuses_mismatched_passwords_and_creates_nothing(monkeypatch) -> None:
    answer(monkeypatch, "correct-horse-battery-9", "correct-horse-battery-8")
    with pytest.raises(CommandError, match="differ"):
        call_command("createadmin", "marisol-admin")
    assert not User.objects.exists()


def test_it_refuses_a_weak_password(monkeypatch) -> None:
    answer(monkeypatch, "12345678", "12345678")
    with pytest.raises(CommandError, match=r"too short|too common|entirely numeric"):
        call_command("createadmin", "marisol-admin")
    assert not User.objects.exists()
