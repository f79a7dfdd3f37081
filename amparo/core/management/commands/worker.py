from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amparo.core.sqlite.base import write_in_background
from amparo.core.worker import Worker, registered_sweeps


class Command(BaseCommand):
    help = "Run the background sweeps (outbox, escalations, expiry, purges) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loops", type=int, default=None, help="stop after this many loops (for tests)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Web requests write first: a webhook waits on the worker's lock, never the reverse.
        write_in_background()
        worker = Worker(sweeps=registered_sweeps())

        def stop(signum: int, frame: object) -> None:
            worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker {worker.name}: {len(worker.sweeps)} sweeps registered")
        worker.run(loops=options["loops"])
