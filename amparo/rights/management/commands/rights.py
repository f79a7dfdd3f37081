"""``amparo rights seed``: load the first know-your-rights texts as drafts for legal review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.rights.seed import seed_rights


class Command(BaseCommand):
    help = "Rights library tools. `seed` loads the first texts as drafts (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        subcommands.add_parser(
            "seed",
            help="Load the seed texts as drafts marked for legal review (safe to run again).",
            description=(
                "Create the know-your-rights topics and a draft of each seed text in English, "
                "Spanish, Portuguese and Haitian Creole, marked 'needs legal review'. A topic "
                "or language that already has a version is left alone. Nothing is published: "
                "a reviewer must do that at /staff/rights/."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # `seed` is the only subcommand so far; argparse has refused any other.
        seeded = seed_rights()
        self.stdout.write(
            self.style.SUCCESS(
                f"rights seeded: {seeded.topics} new topics, {seeded.drafts} new drafts "
                "(marked 'needs legal review'; publish them at /staff/rights/)"
            )
        )
