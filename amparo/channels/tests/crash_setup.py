"""Prepare the crash-safety test's database: migrate, queue messages, list their ids.

``python -m amparo.channels.tests.crash_setup COUNT CONTACTS OUT.json`` runs in
a subprocess with the same environment as the workers; it writes
``{body: row id}`` to OUT.json.
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    count, contacts, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    django.setup()
    from django.core.management import call_command

    from amparo.channels.actions import queue_message
    from amparo.contacts.actions import find_or_create_contact

    call_command("migrate", verbosity=0)
    people = [
        find_or_create_contact(phone=f"+1{203 + n // 100}55501{n % 100:02d}")
        for n in range(contacts)
    ]
    rows = {}
    for n in range(count):
        body = f"Aviso {n}: reunión comunitaria a las 7"
        message = queue_message(contact=people[n % contacts], body=body)
        assert message is not None
        rows[body] = str(message.pk)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(rows, handle)


if __name__ == "__main__":
    main()
