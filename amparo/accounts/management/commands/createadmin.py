"""``amparo createadmin USERNAME``: open the first admin account (there are no superusers)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.accounts.actions import AccountsError, create_staff_user
from amparo.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create an admin account; it must enroll a second factor at first sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ; nothing was created.")
        try:
            validate_password(password, User(username=username, role=Role.ADMIN))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            create_staff_user(username=username, role=Role.ADMIN, password=password, by=None)
        except AccountsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Admin {username} created. Sign in at /accounts/login/ and enroll a second factor."
        )
