from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        figures = benches[name](**kwargs)
        self.stdout.write(json.dumps({"bench": name, **figures}, sort_keys=True))
