"""Writes of the contacts app."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.audit.actions import record_event
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import (
    ConsentMethod,
    ConsentRecord,
    ConsentScope,
    Contact,
    Language,
)
from amparo.contacts.phones import to_e164

if TYPE_CHECKING:
    from amparo.accounts.models import User

__all__ = [
    "ContactsError",
    "find_or_create_contact",
    "forget_unused_contacts",
    "opt_in",
    "opt_out",
    "record_consent",
    "set_language",
]


def find_or_create_contact(
    *, phone: str, language: str | None = None, name: str = "", by: User | None = None
) -> Contact:
    """The contact for ``phone``, created with ``language`` and ``name`` if there is none.

    ``phone`` may be in any spelling ``phonenumbers`` reads (US numbers without
    ``+1``); it is stored in E.164. An existing contact is returned unchanged.
    A new contact gets ``language`` as its chosen language, or English, not yet
    chosen, when ``language`` is None (e.g. a number that just texted us).
    A creation is audited as done by ``by`` (None: the system, e.g. an inbound text).
    Raise :class:`ContactsError` for an invalid number or an unknown language.
    """
    e164 = to_e164(phone)
    if language is not None and language not in Language.values:
        raise ContactsError("That language is not offered.")
    with transaction.atomic():
        existing = Contact.objects.matching(phone=e164).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                contact = Contact.objects.create(
                    phone=e164,
                    language=language or Language.ENGLISH,
                    language_chosen=language is not None,
                    name=name,
                )
        except IntegrityError:
            # Another request created it between our lookup and our insert.
            return Contact.objects.matching(phone=e164).get()
        record_event(actor=by, action="contacts.contact_create", target=contact)
        return contact


def opt_out(*, contact: Contact, method: str, by: User | None = None) -> bool:
    """Stop all messages to ``contact`` (STOP, the provider's opt-out report, an operator).

    Every call records the withdrawal (a :class:`ConsentRecord` and an audit
    event by ``by``, None for the system), since each is evidence of what the
    person asked; the return value says whether the contact was subscribed until
    now. Safe against a concurrent opt-in or opt-out: the state changes once.
    """
    return _set_consent(contact=contact, granted=False, method=method, by=by)


def opt_in(*, contact: Contact, method: str, by: User | None = None) -> bool:
    """Let messages reach ``contact`` again (START); the mirror of :func:`opt_out`.

    Returns whether the contact was opted out until now.
    """
    return _set_consent(contact=contact, granted=True, method=method, by=by)


def record_consent(
    *, contact: Contact, scope: str, granted: bool, method: str, by: User | None = None
) -> ConsentRecord:
    """Record that ``contact`` agreed to (``granted``) or withdrew from ``scope``, and how.

    Evidence only: it changes nothing else (the caller's action changes the
    state the consent is about, e.g. an alerts subscription). Audited as done
    by ``by`` (None: the person themselves or the system). Raise
    :class:`ContactsError` for an unknown scope or method. Not for
    ``ConsentScope.MESSAGES``: :func:`opt_out` and :func:`opt_in` record those.
    """
    if scope not in ConsentScope.values or scope == ConsentScope.MESSAGES:
        raise ContactsError("That is not a consent this records.")
    if method not in ConsentMethod.values:
        raise ContactsError("That is not a way of giving consent.")
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            contact=contact, scope=scope, granted=granted, method=method, at=timezone.now()
        )
        record_event(
            actor=by,
            action="contacts.consent_grant" if granted else "contacts.consent_withdraw",
            target=contact,
        )
    return record


def _set_consent(*, contact: Contact, granted: bool, method: str, by: User | None) -> bool:
    if method not in ConsentMethod.values:
        raise ContactsError("That is not a way of giving consent.")
    now = timezone.now()
    with transaction.atomic():
        # A conditional update, so two concurrent calls cannot both change the state.
        if granted:
            changed = Contact.objects.filter(pk=contact.pk, opted_out_at__isnull=False).update(
                opted_out_at=None
            )
        else:
            changed = Contact.objects.filter(pk=contact.pk, opted_out_at__isnull=True).update(
                opted_out_at=now
            )
        contact.opted_out_at = (
            Contact.objects.filter(pk=contact.pk).values_list("opted_out_at", flat=True).get()
        )
        ConsentRecord.objects.create(
            contact=contact, scope=ConsentScope.MESSAGES, granted=granted, method=method, at=now
        )
        record_event(
            actor=by,
            action="contacts.opt_in" if granted else "contacts.opt_out",
            target=contact,
        )
    return bool(changed)


def set_language(
    *, contact: Contact, language: str, by: User | None = None, inferred: bool = False
) -> bool:
    """Send ``contact`` messages in ``language`` from now on; return whether it changed.

    ``inferred``: the language was only guessed (from a keyword the person
    texted), not chosen. A guess never overrides a choice, and leaves the
    language open to a later guess or choice. Audited (actor ``by``; None: the
    system) when anything changed. Raise :class:`ContactsError` for a language
    the network does not offer.
    """
    if language not in Language.values:
        raise ContactsError("That language is not offered.")
    if _already_so(contact, language=language, inferred=inferred):
        # The caller's copy says nothing would change (routing loads it in the
        # same transaction): skip the locking read, the commonest case by far.
        return False
    with transaction.atomic():
        current = Contact.objects.select_for_update().filter(pk=contact.pk).get()
        if inferred and current.language_chosen:
            contact.language, contact.language_chosen = current.language, True
            return False
        chosen = current.language_chosen or not inferred
        if (current.language, current.language_chosen) == (language, chosen):
            contact.language, contact.language_chosen = language, chosen
            return False
        Contact.objects.filter(pk=contact.pk).update(language=language, language_chosen=chosen)
        contact.language, contact.language_chosen = language, chosen
        record_event(actor=by, action="contacts.language_set", target=contact)
    return True


def _already_so(contact: Contact, *, language: str, inferred: bool) -> bool:
    if inferred and contact.language_chosen:
        return True
    chosen = contact.language_chosen or not inferred
    return (contact.language, contact.language_chosen) == (language, chosen)


def forget_unused_contacts(*, created_before: dt.datetime, batch: int = 500) -> int:
    """Delete up to ``batch`` contacts created before ``created_before`` that nothing needs.

    A contact is needed while any row anywhere points at it (a message, a
    report, a subscription, a plan...: every relation to :class:`Contact` is
    checked, including apps added later) or while it has opted out (the
    network must remember never to text that number again). Consent records
    count as a use. Return how many were deleted.
    """
    unused = Contact.objects.filter(created_at__lt=created_before, opted_out_at__isnull=True)
    for relation in Contact._meta.related_objects:
        unused = unused.filter(**{f"{relation.name}__isnull": True})
    with transaction.atomic():
        doomed = list(unused.order_by("created_at").values_list("pk", flat=True)[:batch])
        Contact.objects.filter(pk__in=doomed).delete()
        if doomed:
            record_event(actor=None, action="contacts.unused_forget")
    return len(doomed)
