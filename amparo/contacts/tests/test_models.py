"""What a stored contact leaves in the database: no name, no phone number."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.contacts.queries import find_contact_by_phone

NAME = "Rosalía Quintanar-Beltrán"
PHONE = "+1 860 555 0142"
SPELLINGS = ["+18605550142", "8605550142", "860-555-0142", "(860) 555-0142", "555-0142"]


def forbidden_bytes() -> list[bytes]:
    """The name and the number as any text encoding SQLite or PostgreSQL could store them."""
    texts = [NAME, "Quintanar", "Rosalía", *SPELLINGS]
    return [text.encode(enc) for text in texts for enc in ("utf-8", "utf-16-le", "utf-16-be")]


# Committed, as a backup sees it (SQLite's backup waits forever on an open write transaction).
@pytest.mark.django_db(transaction=True)
def test_the_database_holds_neither_the_name_nor_the_phone_number() -> None:
    contact = find_or_create_contact(phone=PHONE, name=NAME, language="es")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM contacts_contact")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = b"|".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in rows[0]
    )
    assert contact.phone_index.encode() in stored  # we are looking at the right row
    for needle in forbidden_bytes():
        assert needle not in stored

    if connection.vendor == "sqlite":
        # The whole database file, as a backup or a seized disk would hold it.
        connection.ensure_connection()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "backup.sqlite3"
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            image = path.read_bytes()
        assert contact.phone_index.encode() in image
        for needle in forbidden_bytes():
            assert needle not in image

    assert find_contact_by_phone("(860) 555-0142") == contact
    assert find_contact_by_phone("+1 860 555 0143") is None


@pytest.mark.django_db
def test_a_contact_reads_back_its_name_and_number_in_e164() -> None:
    contact = find_or_create_contact(phone=PHONE, name=NAME)

    loaded = Contact.objects.get(pk=contact.pk)

    assert (loaded.phone, loaded.name, loaded.language) == ("+18605550142", NAME, "en")


@pytest.mark.django_db
def test_a_contact_shows_neither_name_nor_number_as_text() -> None:
    contact = find_or_create_contact(phone=PHONE, name=NAME)

    for shown in (str(contact), repr(contact), str(Contact.objects.values().get())):
        assert "Quintanar" not in shown
        assert "5550142" not in shown
