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
    # False until the person (or staff for them) picks a language; until then a
    # keyword texted in another language may set it (amparo/intake/keywords.py).
    language_chosen = models.BooleanField(_("language chosen"), default=False)
    # Set by STOP (or the provider's opt-out report); nothing but the STOP
    # confirmation is sent while it is set. START clears it.
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        # Never the phone or the name: str() ends up in logs and admin history.
        return f"Contact {self.pk}"

    @property
    def is_opted_out(self) -> bool:
        return self.opted_out_at is not None


class ConsentScope(models.TextChoices):
    """What a person agreed to (or withdrew from)."""

    MESSAGES = "messages", _("messages")
    # Community alerts for some towns (amparo.alerts), on top of messages.
    ALERTS = "alerts", _("community alerts")


class ConsentMethod(models.TextChoices):
    """How the consent was given or withdrawn."""

    SMS_KEYWORD = "sms-keyword", _("keyword texted")
    WEB = "web", _("web form")
    OPERATOR = "operator", _("operator, for the person")
    PROVIDER = "provider", _("reported by the provider")


class ConsentRecord(models.Model):
    """One expression of consent: what was agreed or withdrawn, how and when. No free text."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=16, choices=ConsentScope.choices)
    granted = models.BooleanField()  # False: withdrawn
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["contact", "scope", "at"], name="consent_history")]

    def __str__(self) -> str:
        return f"ConsentRecord {self.pk}"
