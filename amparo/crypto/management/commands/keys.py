"""``amparo keys``: make keys, rotate them, and see which key seals what.

- ``amparo keys generate > keys.json``: a fresh key set (JSON) on standard output.
- ``amparo keys generate --add-to keys.json``: add a new encryption key to that
  file and make it active (nothing printed but its id).
- ``amparo keys secret``: a Django secret key.
- ``amparo keys rotate``: re-seal every value under the active key (resumable).
- ``amparo keys status``: how many values each key seals, per field.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from amparo.crypto import keyfile, rotation, vault


class Command(BaseCommand):
    help = "Generate keys, rotate the encryption key, and show which key seals what."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        generate = actions.add_parser("generate", help="print a fresh key set as JSON")
        generate.add_argument(
            "--add-to",
            type=Path,
            metavar="FILE",
            help="instead, add a new encryption key to the key set in FILE and make it active",
        )
        actions.add_parser("secret", help="print a new Django secret key")
        rotate = actions.add_parser("rotate", help="re-seal every value under the active key")
        rotate.add_argument("--batch-size", type=int, default=rotation.DEFAULT_BATCH_SIZE)
        actions.add_parser("status", help="count sealed values per key id")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.generate(options["add_to"])
        elif action == "secret":
            self.stdout.write(keyfile.generate_secret_key())
        elif action == "rotate":
            self.rotate(options["batch_size"])
        else:
            self.status()

    def generate(self, add_to: Path | None) -> None:
        if add_to is None:
            self.stdout.write(keyfile.dump_key_set(keyfile.generate_key_set()), ending="")
            return
        try:
            key_set = keyfile.parse_key_set(add_to.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{add_to} cannot be read: {exc.strerror}.") from None
        except keyfile.KeySetError as exc:
            raise CommandError(f"{add_to}: {exc}") from None
        updated = keyfile.with_new_active_key(key_set)
        keyfile.write_private_file(add_to, keyfile.dump_key_set(updated))
        self.stdout.write(
            f"Added key {updated['active']} to {add_to} and made it active. Restart every "
            "Amparo process with this file, then run: amparo keys rotate"
        )

    def rotate(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        active = settings.AMPARO_KEYS["active"]
        self.stdout.write(f"Re-sealing every value under key {active}.")

        def progress(label: str, done: int, total: int) -> None:
            self.stdout.write(f"{label}: {done}/{total}")

        try:
            rewritten = rotation.rotate_all(batch_size=batch_size, progress=progress)
        except vault.DecryptionError as exc:
            raise CommandError(
                f"Stopped: {exc} Values already re-sealed stay re-sealed; fix the key set "
                "and run this again."
            ) from None
        self.stdout.write(f"Re-sealed {rewritten} value(s).")
        self.report_unused_keys()

    def status(self) -> None:
        self.stdout.write(f"Active key: {settings.AMPARO_KEYS['active']}")
        usage = rotation.key_usage()
        for field, counts in usage.items():
            shown = ", ".join(f"{kid}={n}" for kid, n in sorted(counts.items())) or "empty"
            self.stdout.write(f"{field}: {shown}")
        missing = {kid for counts in usage.values() for kid in counts} - set(
            settings.AMPARO_KEYS["encryption"]
        )
        if missing:
            self.stdout.write(
                f"Values sealed with key(s) {', '.join(sorted(missing))} cannot be read: "
                "those keys are not in AMPARO_KEYS."
            )
        self.report_unused_keys(usage)

    def report_unused_keys(self, usage: dict[str, Any] | None = None) -> None:
        usage = rotation.key_usage() if usage is None else usage
        used = {kid for counts in usage.values() for kid in counts}
        key_set = settings.AMPARO_KEYS
        unused = sorted(set(key_set["encryption"]) - used - {key_set["active"]})
        if unused:
            self.stdout.write(
                f"No value is sealed with key(s) {', '.join(unused)}: they can be removed from "
                "AMPARO_KEYS (database backups taken before the rotation still need them)."
            )
