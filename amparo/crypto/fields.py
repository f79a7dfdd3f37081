"""Model fields that keep personal data sealed in the database.

``EncryptedTextField`` and ``EncryptedJSONField`` store an AES-256-GCM envelope
(see :mod:`amparo.crypto.vault`) bound to its table, column and row, so the
model must know its primary key before the row is written: every model with a
sealed field derives from :class:`SealedModel`, whose ``id`` is a random UUID
set when the instance is created.

How a value travels:

- Assigning ``contact.phone = "+18605550142"`` keeps the plaintext on the instance.
- Saving seals it in ``pre_save`` with a fresh nonce, under the active key, for
  this table, column and row. Plaintext never reaches the database: the field
  refuses to turn anything but an envelope into a query parameter.
- Loading puts an unopened :class:`Sealed` on the instance; the first read of
  the attribute opens it (a :class:`~amparo.crypto.vault.DecryptionError` if it
  does not open) and keeps the plaintext on the instance.
- ``.values()`` and ``.values_list()`` give :class:`Sealed` objects, which show
  as ``<sealed>``. Only the field opens one, for the row it was read from
  (:meth:`EncryptedField.open_for_row`, for hot paths that read many rows
  without building instances): named with any other row, it does not open.

What is refused, loudly:

- ``QuerySet.update()`` and ``bulk_update()`` of a sealed or blind index field
  (:class:`SealedFieldError`): an update has no row to bind to, and would let a
  blind index drift from its source. Load the instance, assign, ``save()``.
- Lookups other than ``isnull`` on a sealed field (Django's ``FieldError``):
  search by a :class:`BlindIndexField` with ``Model.objects.matching(...)``.
- Serialising a sealed field (``dumpdata``): back up the database instead.

A :class:`BlindIndexField` holds ``blind_index(normalize(source))`` and is
recomputed on every save, so it follows its source field.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute

from amparo.crypto import vault

if TYPE_CHECKING:
    from django.db.models.lookups import Lookup

_M = TypeVar("_M", bound=models.Model)


class SealedFieldError(Exception):
    """A sealed field was used in a way that would expose or corrupt it."""


class Sealed:
    """An envelope as it came from the database, not yet opened.

    ``str()`` and ``repr()`` say ``<sealed>``; there is no way to open it except
    reading the attribute of the model instance it belongs to.
    """

    __slots__ = ("envelope", "origin")

    def __init__(self, envelope: bytes, *, origin: str | None = None) -> None:
        self.envelope = envelope
        # The context (table|column|row) the envelope was loaded for; None when
        # it came from .values() or similar and its row is unknown.
        self.origin = origin

    def __repr__(self) -> str:
        return "<sealed>"

    __str__ = __repr__

    @property
    def key_id(self) -> str:
        """The id of the key that sealed it (from its header, not verified)."""
        return vault.envelope_key_id(self.envelope)


class SealedAttribute(DeferredAttribute):
    """Descriptor that opens a loaded :class:`Sealed` the first time it is read."""

    field: EncryptedField

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(value, instance)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        # A data descriptor, so that reads always pass through __get__.
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):
    """Base of the sealed fields: a binary column holding one envelope per row.

    Subclasses say how a value becomes bytes (:meth:`encode`) and back (:meth:`decode`).
    """

    descriptor_class = SealedAttribute
    description = "A value sealed with AES-256-GCM, bound to its table, column and row"

    def get_internal_type(self) -> str:
        return "BinaryField"

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, plaintext: bytes) -> Any:
        raise NotImplementedError

    # --- binding ---------------------------------------------------------------

    def context_for_pk(self, pk: Any) -> str:
        """The sealing context of this field in the row whose primary key is ``pk``."""
        pk_field = self.model._meta.pk
        assert pk_field is not None
        # Canonical form, so "a1b2..." and UUID("a1b2...") bind to the same row.
        row = pk_field.to_python(pk)
        return vault.row_context(table=self.model._meta.db_table, column=self.column, row=row)

    def open(self, sealed: Sealed, instance: models.Model) -> Any:
        """Unseal a loaded value for ``instance``; raise ``DecryptionError`` if it fails."""
        context = sealed.origin or self.context_for_pk(instance.pk)
        return self.decode(vault.unseal(sealed.envelope, context=context))

    def open_for_row(self, sealed: Sealed | None, pk: Any) -> Any:
        """Unseal a value read by ``values_list()`` from the row whose primary key is ``pk``.

        It opens only for that row of this field's table and column; any other
        ``pk`` raises ``DecryptionError``. ``None`` (SQL NULL) stays ``None``.
        """
        if sealed is None:
            return None
        return self.decode(vault.unseal(sealed.envelope, context=self.context_for_pk(pk)))

    # --- saving ----------------------------------------------------------------

    def pre_save(self, model_instance: models.Model, add: bool) -> Sealed | None:
        """Seal the instance's value for its row, or pass an unchanged envelope through."""
        if self.attname in model_instance.__dict__:
            value = model_instance.__dict__[self.attname]
        else:
            value = getattr(model_instance, self.attname)
        if value is None:
            return None
        if model_instance.pk is None:
            raise SealedFieldError(
                f"{self.model._meta.label}.{self.name} needs the row's primary key before "
                "it is sealed; derive the model from SealedModel."
            )
        context = self.context_for_pk(model_instance.pk)
        if isinstance(value, Sealed):
            if value.origin == context and vault.is_sealed_with_active_key(value.envelope):
                return value
            # Loaded for another row (a copy), or under an old key: open, seal again.
            plaintext = vault.unseal(value.envelope, context=value.origin or context)
            resealed = Sealed(vault.seal(plaintext, context=context), origin=context)
            model_instance.__dict__[self.attname] = resealed
            return resealed
        return Sealed(vault.seal(self.encode(value), context=context), origin=context)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if value is None:
            return None
        if not isinstance(value, Sealed):
            raise SealedFieldError(
                f"{self.model._meta.label}.{self.name} only writes sealed envelopes; "
                "assign the value to an instance and save() it."
            )
        return value.envelope

    def from_db_value(
        self, value: Any, expression: Any, connection: BaseDatabaseWrapper
    ) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))

    # --- what is refused -------------------------------------------------------

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # Random nonces make equal values differ; only NULL-ness can be queried.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def value_to_string(self, obj: models.Model) -> str:
        raise SealedFieldError(
            f"{self.model._meta.label}.{self.name} is sealed and cannot be serialised; "
            "back up the database instead of dumping it."
        )

    # --- checks ----------------------------------------------------------------

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        label = f"{self.model._meta.label}.{self.name}"
        if not issubclass(self.model, SealedModel):
            errors.append(
                checks.Error(
                    f"{label} is sealed, so its model must derive from SealedModel.",
                    obj=self,
                    id="crypto.E001",
                )
            )
        if self.primary_key or self.unique or getattr(self, "db_index", False):
            errors.append(
                checks.Error(
                    f"{label} cannot be unique, indexed or a primary key: equal values "
                    "seal differently. Add a BlindIndexField.",
                    obj=self,
                    id="crypto.E002",
                )
            )
        # _base_manager too: Django uses it for related access and save(), and a
        # plain one would let update() write plaintext.
        for manager in [*self.model._meta.managers, self.model._base_manager]:
            if not issubclass(getattr(manager, "_queryset_class", object), SealedQuerySet):
                errors.append(
                    checks.Error(
                        f"{label}: manager {manager.name!r} must use a SealedQuerySet, which "
                        "refuses update() of sealed fields.",
                        obj=self,
                        id="crypto.E003",
                    )
                )
        return errors


class EncryptedTextField(EncryptedField):
    """Text sealed at rest (names, phone numbers, A-numbers, notes)."""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{self.model._meta.label}.{self.name} holds text.")
        return value.encode("utf-8")

    def decode(self, plaintext: bytes) -> str:
        return plaintext.decode("utf-8")

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str | Sealed):
            return value
        return str(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(form_class or forms.CharField, choices_form_class, **kwargs)


class EncryptedJSONField(EncryptedField):
    """A JSON document (dicts, lists, strings, numbers, booleans) sealed at rest.

    Python ``None`` is stored as SQL NULL, not as JSON ``null``.
    """

    empty_strings_allowed = False

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode(
            "utf-8"
        )

    def decode(self, plaintext: bytes) -> Any:
        return json.loads(plaintext)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(form_class or forms.JSONField, choices_form_class, **kwargs)


class BlindIndexField(models.CharField):
    """The blind index of another field: 64 hex characters, indexed, kept in sync on save.

    ``BlindIndexField(source="phone", purpose="phone", normalize=to_e164)`` stores
    ``blind_index(to_e164(phone), purpose="phone")``. ``normalize`` must map every
    spelling of one value to one string, and is applied again when searching
    with ``Model.objects.matching(phone=...)``. A ``None`` source gives a ``None``
    index (declare ``null=True`` if the source may be ``None``).
    """

    description = "Keyed hash of another field, to find it by equality"

    def __init__(
        self,
        *args: Any,
        source: str = "",
        purpose: str = "",
        normalize: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.purpose = purpose
        self.normalize = normalize
        kwargs["max_length"] = 64
        kwargs["editable"] = False
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "editable"):
            kwargs.pop(fixed, None)
        kwargs.update(source=self.source, purpose=self.purpose)
        if self.normalize is not None:
            kwargs["normalize"] = self.normalize
        return name, path, args, kwargs

    def digest(self, value: str | None) -> str | None:
        """The index of ``value``: normalised, then keyed-hashed for this field's purpose."""
        if value is None:
            return None
        if self.normalize is not None:
            value = self.normalize(value)
        return vault.blind_index(value, purpose=self.purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        source_attname = self.model._meta.get_field(self.source).get_attname()  # type: ignore[union-attr]
        loaded = model_instance.__dict__
        if isinstance(loaded.get(source_attname), Sealed) and self.attname in loaded:
            # The source was loaded and never read or assigned: its index still holds.
            return loaded[self.attname]
        index = self.digest(getattr(model_instance, source_attname))
        setattr(model_instance, self.attname, index)
        return index

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        label = f"{self.model._meta.label}.{self.name}"
        try:
            self.model._meta.get_field(self.source)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{label}: source {self.source!r} is not a field of the model.",
                    obj=self,
                    id="crypto.E004",
                )
            )
        try:
            vault.check_purpose(self.purpose)
        except ValueError as exc:
            errors.append(checks.Error(f"{label}: {exc}", obj=self, id="crypto.E005"))
        return errors


def blind_index_for(model: type[models.Model], source: str) -> BlindIndexField:
    """The blind index field of ``model`` that indexes the field named ``source``."""
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == source:
            return field
    raise SealedFieldError(f"{model._meta.label}.{source} has no BlindIndexField to search by.")


def sealed_fields(model: type[models.Model]) -> list[EncryptedField]:
    """The sealed fields stored in ``model``'s own table."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedField)]


class SealedQuerySet(models.QuerySet[_M]):
    """QuerySet of a :class:`SealedModel`: refuses bulk writes of sealed fields, finds by index."""

    def update(self, **kwargs: Any) -> int:
        refused = sorted(
            name
            for name in kwargs
            if isinstance(_field_or_none(self.model, name), EncryptedField | BlindIndexField)
        )
        if refused:
            raise SealedFieldError(
                f"update() cannot write {', '.join(refused)} of {self.model._meta.label}: a "
                "sealed value is bound to its row. Load each instance, assign, save()."
            )
        return super().update(**kwargs)

    def matching(self, **values: str) -> Self:
        """Rows whose sealed fields equal ``values``, found by their blind indexes.

        ``Contact.objects.matching(phone="+18605550142")`` filters on
        ``phone_index`` with the index's own normalisation and purpose.
        """
        lookups = {}
        for source, value in values.items():
            index = blind_index_for(self.model, source)
            lookups[index.attname] = index.digest(value)
        return self.filter(**lookups)


def _field_or_none(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class SealedModel(models.Model):
    """Abstract base of every model with a sealed field.

    Its primary key is a random UUID given at creation, so a value can be bound
    to its row before the row is inserted (and ids reveal nothing about order).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    objects = SealedQuerySet.as_manager()

    class Meta:
        abstract = True
        # Subclasses that declare Meta must inherit this one (crypto.E003 checks).
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A blind index follows its source even when only the source is saved.
            names = set(update_fields)
            names |= {
                f.name
                for f in self._meta.concrete_fields
                if isinstance(f, BlindIndexField) and f.source in names
            }
            kwargs["update_fields"] = names
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        # Remember which row each envelope was read from, so a copy saved under
        # a new primary key opens the old envelope and seals it for the new row.
        loaded = instance.__dict__
        for field in sealed_fields(cls):
            value = loaded.get(field.attname)
            if isinstance(value, Sealed):
                value.origin = field.context_for_pk(instance.pk)
        return instance
