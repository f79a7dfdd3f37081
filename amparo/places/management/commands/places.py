"""``amparo places load [--state CT ...]``: load the region's towns and ZIP centroids."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.places.actions import PlacesError, load_region, region_states


class Command(BaseCommand):
    help = "Gazetteer tools. `load` fills towns and ZIP centroids from the zipcodes package."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        load = subcommands.add_parser(
            "load",
            help="Load the towns and ZIP code centroids of the region (safe to run again).",
            description=(
                "Load the towns and ZIP code centroids of the network's region from the "
                "zipcodes package (offline data). Running it again updates the same rows."
            ),
        )
        load.add_argument(
            "--state",
            action="append",
            dest="states",
            metavar="XX",
            help="a two-letter state code; repeat for several (default: AMPARO_REGION)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # `load` is the only subcommand so far; argparse has refused any other.
        try:
            states = region_states(",".join(options["states"] or []) or None)
            loaded = load_region(
                states=states,
                progress=self.stdout.write if options["verbosity"] > 0 else None,
            )
        except PlacesError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"gazetteer loaded: {loaded} ZIP codes in {', '.join(states)}")
        )
