"""``amparo audit verify``: check the audit chain; exit 1 if it was tampered with."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.audit.queries import Anchor, verify_chain

# Hash prefixes shorter than this are too easy to hit by chance to prove anything.
MIN_PREFIX = 8
SHOWN_PREFIX = 16
_ANCHOR = re.compile(rf"(\d{{1,19}})(?::([0-9a-fA-F]{{{MIN_PREFIX},64}}))?")


def parse_anchor(text: str) -> Anchor:
    """Read ``SEQ`` or ``SEQ:HASHPREFIX`` as printed by ``amparo audit verify``."""
    match = _ANCHOR.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(
            f"expected SEQ or SEQ:HASHPREFIX (a sequence number, then {MIN_PREFIX} to 64 hex "
            f"characters), as `amparo audit verify` prints it; got {text!r}"
        )
    return Anchor(sequence=int(match[1]), hash_prefix=(match[2] or "").lower())


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the hash chain; exit code 1 means tampering."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser(
            "verify",
            help="Check every event of the audit chain and its head, and print the head.",
            description=(
                "Check every event of the audit chain and its sealed head, then print the head "
                "as SEQ:HASHPREFIX. Keep that line away from this server (a ticket, a notebook, "
                "another machine): the database alone cannot show that its newest events were "
                "deleted and an old copy of the head put back."
            ),
        )
        verify.add_argument(
            "--expect-at-least",
            metavar="SEQ[:HASHPREFIX]",
            type=parse_anchor,
            help=(
                "a head printed by an earlier run: exit 1 unless the log still reaches event "
                f"SEQ and that event's hash starts with HASHPREFIX ({MIN_PREFIX} to 64 hex "
                "characters)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # `verify` is the only subcommand so far; argparse has refused any other.
        self.verify(
            show_progress=options["verbosity"] > 0,
            expect_at_least=options.get("expect_at_least"),
        )

    def verify(self, *, show_progress: bool, expect_at_least: Anchor | None) -> None:
        def report_progress(checked: int, total: int) -> None:
            if checked < total:  # the verdict below reports the end
                self.stderr.write(f"checked {checked:,} of {total:,} events")

        report = verify_chain(
            expect_at_least=expect_at_least,
            progress=report_progress if show_progress else None,
        )
        if report.ok:
            head = f"{report.checked}:{report.last_hash[:SHOWN_PREFIX]}"
            self.stdout.write(self.style.SUCCESS(f"audit chain OK: {report.checked} events"))
            self.stdout.write(
                f"head {head} (keep it off this server; check later with --expect-at-least {head})"
            )
            return
        self.stderr.write(
            self.style.ERROR(f"audit chain BROKEN at event #{report.first_broken}: {report.reason}")
        )
        sys.exit(1)
