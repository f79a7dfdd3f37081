"""Sealed model fields, on a throw-away model whose table each test creates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import serializers
from django.core.exceptions import FieldError
from django.db import connection, models
from django.test.utils import isolate_apps

from amparo.crypto import vault
from amparo.crypto.fields import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedTextField,
    Sealed,
    SealedFieldError,
    SealedModel,
)
from amparo.crypto.vault import DecryptionError

NAME = "Rosalía Quintanar-Beltrán"


@pytest.fixture
def note_model(transactional_db: None) -> Iterator[Any]:
    with isolate_apps("amparo.crypto"):

        class Note(SealedModel):
            body = EncryptedTextField(blank=True, default="")
            body_index = BlindIndexField(source="body", purpose="test-note", normalize=str.casefold)
            data = EncryptedJSONField(null=True)
            kind = models.CharField(max_length=10, default="")

            class Meta:
                app_label = "crypto"

        with connection.schema_editor() as editor:
            editor.create_model(Note)
        try:
            yield Note
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Note)


def raw_columns(model: Any, pk: uuid.UUID, *columns: str) -> tuple[Any, ...]:
    """Column values exactly as the database holds them."""
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk_value],
        )
        row = cursor.fetchone()
    return tuple(bytes(v) if isinstance(v, bytes | memoryview) else v for v in row)


def write_raw(model: Any, pk: uuid.UUID, column: str, value: bytes) -> None:
    """Write a column behind the ORM's back, as somebody with database access could."""
    pk_value = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk_value],
        )


# --- round trips and storage -------------------------------------------------------


def test_text_and_json_read_back_after_loading(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME, data={"a-number": "A-000-000-000", "n": [1, 2]})

    loaded = note_model.objects.get(pk=note.pk)

    assert loaded.body == NAME
    assert loaded.data == {"a-number": "A-000-000-000", "n": [1, 2]}


def test_the_column_holds_an_envelope_under_the_active_key_not_the_text(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)

    (body,) = raw_columns(note_model, note.pk, "body")

    assert isinstance(body, bytes)
    assert vault.is_sealed_with_active_key(body)
    assert NAME.encode() not in body
    assert "Quintanar".encode("utf-16-le") not in body


def test_values_give_sealed_objects_that_show_neither_text_nor_ciphertext(
    note_model: Any,
) -> None:
    note_model.objects.create(body=NAME, data={"x": 1})

    row = note_model.objects.values("body", "data").get()
    (flat,) = note_model.objects.values_list("body", flat=True)

    for value in (row["body"], row["data"], flat):
        assert isinstance(value, Sealed)
        assert str(value) == repr(value) == f"{value}" == "<sealed>"


def test_the_field_opens_a_value_from_values_list_for_its_own_row_only(
    note_model: Any,
) -> None:
    first = note_model.objects.create(body=NAME, data={"x": 1})
    second = note_model.objects.create(body="Teodoro Almeida")
    body, data = note_model._meta.get_field("body"), note_model._meta.get_field("data")
    row = note_model.objects.values_list("pk", "body", "data").get(pk=first.pk)

    assert body.open_for_row(row[1], row[0]) == NAME
    assert data.open_for_row(row[2], str(row[0])) == {"x": 1}  # any spelling of the pk
    assert body.open_for_row(None, row[0]) is None
    with pytest.raises(DecryptionError):
        body.open_for_row(row[1], second.pk)
    with pytest.raises(DecryptionError):
        data.open_for_row(row[1], first.pk)  # the body's envelope, named as data


def test_a_loaded_value_saved_unread_keeps_its_envelope(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)
    before = raw_columns(note_model, note.pk, "body", "body_index")

    loaded = note_model.objects.get(pk=note.pk)
    loaded.kind = "visit"
    loaded.save()

    assert raw_columns(note_model, note.pk, "body", "body_index") == before


def test_a_deferred_sealed_field_loads_and_opens_on_first_read(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)

    loaded = note_model.objects.defer("body").get(pk=note.pk)

    assert loaded.body == NAME


def test_a_copy_saved_under_a_new_primary_key_reads_back(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME, data=[1])
    copy = note_model.objects.get(pk=note.pk)
    copy.pk = uuid.uuid4()
    copy._state.adding = True
    copy.save()

    loaded = note_model.objects.get(pk=copy.pk)

    assert (loaded.body, loaded.data) == (NAME, [1])


def test_a_primary_key_given_as_hex_binds_like_the_uuid_it_names(note_model: Any) -> None:
    pk = uuid.uuid4()
    note_model.objects.create(id=pk.hex, body=NAME)

    assert note_model.objects.get(pk=pk).body == NAME


def test_none_in_a_json_field_is_stored_as_null(note_model: Any) -> None:
    note = note_model.objects.create(body="", data=None)

    assert raw_columns(note_model, note.pk, "data") == (None,)
    assert note_model.objects.get(pk=note.pk).data is None
    assert note_model.objects.filter(data__isnull=True).count() == 1


def test_a_text_field_refuses_what_is_not_text(note_model: Any) -> None:
    with pytest.raises(TypeError):
        note_model.objects.create(body=860_555_0142)


# --- blind index -------------------------------------------------------------------


def test_the_blind_index_is_the_keyed_hash_of_the_normalised_source(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)

    expected = vault.blind_index(NAME.casefold(), purpose="test-note")
    assert note.body_index == expected
    assert raw_columns(note_model, note.pk, "body_index") == (expected,)


def test_the_blind_index_follows_its_source_on_save(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)
    note.body = "Teodoro Almeida"
    note.save()
    assert note_model.objects.get().body_index == vault.blind_index(
        "teodoro almeida", purpose="test-note"
    )

    note.body = "Ilse Varga"
    note.save(update_fields=["body"])
    assert note_model.objects.get().body_index == vault.blind_index(
        "ilse varga", purpose="test-note"
    )


def test_matching_finds_a_row_by_any_spelling_its_normaliser_accepts(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)
    note_model.objects.create(body="Teodoro Almeida")

    assert list(note_model.objects.matching(body=NAME.upper())) == [note]
    assert not note_model.objects.matching(body="Ilse Varga").exists()


def test_matching_by_a_field_without_a_blind_index_is_refused(note_model: Any) -> None:
    with pytest.raises(SealedFieldError):
        note_model.objects.matching(data="x")


# --- what is refused -----------------------------------------------------------------


def test_update_of_a_sealed_field_or_its_index_is_refused(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)

    for change in ({"body": "x"}, {"data": {}}, {"body_index": "0" * 64}):
        with pytest.raises(SealedFieldError):
            note_model.objects.filter(pk=note.pk).update(**change)
    with pytest.raises(SealedFieldError):
        note_model.objects.bulk_update([note], ["body"])
    assert note_model.objects.filter(pk=note.pk).update(kind="visit") == 1
    assert note_model.objects.get().body == NAME


def test_plaintext_cannot_reach_the_database_through_a_plain_queryset(note_model: Any) -> None:
    note_model.objects.create(body=NAME)

    with pytest.raises(SealedFieldError):
        models.QuerySet(note_model).update(body="Teodoro Almeida")


def test_filtering_on_a_sealed_field_is_refused(note_model: Any) -> None:
    with pytest.raises(FieldError):
        list(note_model.objects.filter(body=NAME))
    with pytest.raises(FieldError):
        list(note_model.objects.filter(body__icontains="Rosa"))


def test_serialising_a_sealed_field_is_refused(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)

    with pytest.raises(SealedFieldError):
        serializers.serialize("json", [note])


# --- envelopes moved behind the ORM's back ---------------------------------------------


def test_an_envelope_copied_to_another_row_does_not_open(note_model: Any) -> None:
    first = note_model.objects.create(body=NAME)
    second = note_model.objects.create(body="Teodoro Almeida")
    (envelope,) = raw_columns(note_model, first.pk, "body")

    write_raw(note_model, second.pk, "body", envelope)
    moved = note_model.objects.get(pk=second.pk)

    with pytest.raises(DecryptionError):
        _ = moved.body
    # Saving the row unread passes the envelope through: it is never re-bound to the new row.
    note_model.objects.get(pk=second.pk).save()
    with pytest.raises(DecryptionError):
        _ = note_model.objects.get(pk=second.pk).body


def test_an_envelope_copied_to_another_column_does_not_open(note_model: Any) -> None:
    note = note_model.objects.create(body='"quoted text"', data={"x": 1})
    (envelope,) = raw_columns(note_model, note.pk, "body")

    write_raw(note_model, note.pk, "data", envelope)

    with pytest.raises(DecryptionError):
        _ = note_model.objects.get(pk=note.pk).data


def test_a_tampered_column_raises_instead_of_showing_anything(note_model: Any) -> None:
    note = note_model.objects.create(body=NAME)
    (envelope,) = raw_columns(note_model, note.pk, "body")

    write_raw(note_model, note.pk, "body", envelope[:-1] + bytes([envelope[-1] ^ 1]))

    with pytest.raises(DecryptionError) as raised:
        _ = note_model.objects.get(pk=note.pk).body
    assert "Quintanar" not in str(raised.value)


# --- system checks -----------------------------------------------------------------


@isolate_apps("amparo.crypto")
def test_the_system_check_refuses_sealed_fields_used_unsafely() -> None:
    class Plain(models.Model):  # noqa: DJ008
        body = EncryptedTextField()

        class Meta:
            app_label = "crypto"

    class Indexed(SealedModel):
        body = EncryptedTextField(db_index=True)
        plain = models.Manager()
        body_index = BlindIndexField(source="missing", purpose="Not A Purpose")

        class Meta:
            app_label = "crypto"

    assert {e.id for e in Plain.check()} >= {"crypto.E001", "crypto.E003"}
    assert {e.id for e in Indexed.check()} >= {
        "crypto.E002",
        "crypto.E003",
        "crypto.E004",
        "crypto.E005",
    }


@isolate_apps("amparo.crypto")
def test_the_system_check_accepts_a_sealed_model() -> None:
    class Fine(SealedModel):
        body = EncryptedTextField()
        body_index = BlindIndexField(source="body", purpose="fine")

        class Meta:
            app_label = "crypto"

    assert Fine.check() == []


def test_a_sealed_value_from_values_cannot_be_planted_in_another_row(note_model: Any) -> None:
    note_model.objects.create(body=NAME)
    other = note_model.objects.create(body="Teodoro Almeida")
    other.body = note_model.objects.values_list("body", flat=True).exclude(pk=other.pk).get()

    with pytest.raises(DecryptionError):
        other.save()


@pytest.mark.django_db
def test_the_base_manager_refuses_plaintext_updates_too() -> None:
    from django.db.models import CharField, Value

    from amparo.contacts.actions import find_or_create_contact
    from amparo.contacts.models import Contact
    from amparo.crypto.fields import SealedFieldError

    contact = find_or_create_contact(phone="+1 860 555 0177", name="Wren Invented")
    with pytest.raises(SealedFieldError):
        Contact._base_manager.filter(pk=contact.pk).update(
            name=Value("Wren Plain", output_field=CharField())
        )
