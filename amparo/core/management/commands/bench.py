from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import setup_databases, teardown_databases

from amparo.core.bench import discover


class Command(BaseCommand):
    help = "Run a benchmark and print one JSON line with its figures and its baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="benchmark name; omit to list them")
        parser.add_argument("--size", type=int, default=None, help="override the workload size")

    def handle(self, *args: Any, **options: Any) -> None:
        benches = discover()
        name = options["name"]
        if not name:
            self.stdout.write("benchmarks: " + ", ".join(benches))
            return
        if name not in benches:
            raise CommandError(f"no benchmark named {name!r}; known: {', '.join(benches)}")
        kwargs = {} if options["size"] is None else {"size": options["size"]}
        # A throw-away database on the configured engine, migrated fresh: a
        # benchmark never touches real data and never depends on its state.
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            figures = benches[name](**kwargs)
        finally:
            teardown_databases(old_config, verbosity=0)
        self.stdout.write(json.dumps({"bench": name, **figures}, sort_keys=True))
