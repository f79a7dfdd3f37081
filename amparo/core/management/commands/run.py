"""``amparo run``: the web server (gunicorn, WSGI) and the worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.core import gunicorn
from amparo.core.demo import demo_accounts_present, login_help


class Command(BaseCommand):
    help = "Start web (gunicorn) and worker; stop both on Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("AMPARO_BIND", "127.0.0.1:8000"))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        bind: str = options["bind"]
        if settings.TESTING:
            raise CommandError("AMPARO_MODE=test is for the test suite only; it never serves.")
        if not gunicorn.port_is_free(bind):
            # The workers share their port (--reuse-port): a second server would not fail.
            raise CommandError(
                f"{bind} is in use: is Amparo already running? Stop it, or give another --bind."
            )
        if settings.PRODUCTION and demo_accounts_present():
            raise CommandError(
                "This database holds the demo accounts, whose password is public. Production "
                "needs its own database (set DATABASE_URL); demo data never goes into it."
            )
        if settings.PRODUCTION:
            # production serves hashed, compressed copies from STATIC_ROOT
            call_command("collectstatic", interactive=False, verbosity=0)
        web = gunicorn.command(
            bind=bind, workers=options["web_workers"], threads=options["threads"]
        )
        worker = [sys.executable, "-m", "amparo.cli", "worker"]
        children = [subprocess.Popen(web), subprocess.Popen(worker)]  # noqa: S603
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"\nAmparo is running on http://{bind}/  (Ctrl-C stops web and worker)")
        if settings.AMPARO_DEMO:
            self.stdout.write(login_help())
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = any(child.returncode not in (0, -signal.SIGTERM) for child in children)
        if failed and not stopping:
            self.stderr.write("a process stopped unexpectedly; see the messages above")
            sys.exit(1)
        self.stdout.write("stopped web and worker")
