from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from amparo.core.demo import DemoError, load_demo_data, login_help


class Command(BaseCommand):
    help = "Load the obviously fake demo network (towns, one staff member per role)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo_data()
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(summary)
        self.stdout.write(login_help())
