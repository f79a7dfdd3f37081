"""People reachable by a channel. Their phone number and name are sealed at rest."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.contacts.phones import to_e164
from amparo.crypto.fields import (
    BlindIndexField,
    EncryptedTextField,
    SealedModel,
)


class Language(models.TextChoices):
    """The languages every message exists in (DESIGN.md, "Languages")."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    PORTUGUESE = "pt", "Português"
    HAITIAN_CREOLE = "ht", "Kreyòl ayisyen"


class Contact(SealedModel):
    """One phone number the network can reach, in the language it wants to be sent."""

    phone = EncryptedTextField(_("phone number"), help_text=_("E.164, e.g. +18605550142"))
    # Unique: one contact per number, also when two requests race to create it.
    phone_index = BlindIndexField(source="phone", purpose="phone", normalize=to_e164, unique=True)
    name = EncryptedTextField(_("name"), blank=True, default="")
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        # Never the phone or the name: str() ends up in logs and admin history.
        return f"Contact {self.pk}"
