"""``amparo audit verify``: check the audit chain; exit 1 if it was tampered with."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.audit.queries import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the hash chain; exit code 1 means tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser("verify", help="Check every event of the audit chain and its head.")

    def handle(self, *args: Any, **options: Any) -> None:
        # `verify` is the only subcommand so far; argparse has refused any other.
        self.verify(show_progress=options["verbosity"] > 0)

    def verify(self, *, show_progress: bool) -> None:
        def report_progress(checked: int, total: int) -> None:
            if checked < total:  # the verdict below reports the end
                self.stderr.write(f"checked {checked:,} of {total:,} events")

        report = verify_chain(progress=report_progress if show_progress else None)
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"audit chain OK: {report.checked} events"))
            return
        self.stderr.write(
            self.style.ERROR(f"audit chain BROKEN at event #{report.first_broken}: {report.reason}")
        )
        sys.exit(1)
