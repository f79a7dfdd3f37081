"""Family plans by text: activate, ask how it stands, change the PIN, delete.

Registered from :meth:`amparo.plans.apps.PlansConfig.ready`:

==============  =====================================  =======================================
keyword         words                                   the text, then what it does
==============  =====================================  =======================================
plan_activate   en DETAINED; es DETENIDO DETENIDA;      + code + PIN ("DETAINED 4821 9307
                pt DETIDO DETIDA; ht ARETE DETNI        2580"): activate the plan (contacts
                                                        texted, legal team told, case opened)
plan_status     en es ht PLAN; pt PLANO                 + code + PIN: counts and the manage link
plan_new_pin    en NEWPIN; es NUEVOPIN; pt NOVOPIN;     + code + PIN + new PIN: change the PIN
                ht NOUVOPIN
plan_delete     en DELETE; es BORRAR; pt APAGAR;        + code + PIN: delete the plan at once
                ht EFASE                                (its key is destroyed; no undo)
==============  =====================================  =======================================

The code is 8 digits, written whole or with a space, dash or dot in the
middle; the PIN is the next group of 4 to 8 digits after it. Words and signs
around them are ignored, as the wallet card invites ("DETAINED 4821 9307 PIN
2580", "Detenido: codigo 4821-9307 pin 2580 ayuda"): see
:func:`read_code_and_pins`. These are ordinary words ("Detenido en la calle
Main" is a report), so a text without a code and PIN raises
:class:`NotForThisKeyword` and reaches the operators as a report; every run of
4 or more digits is first blanked from it (the ``redact`` hook the router
applies), so a code and PIN typed in a way we could not read never reach an
operator.

Guarding the code and PIN:

- An unknown code, a wrong PIN and a locked plan get the same answer
  (:func:`~amparo.plans.sms_texts.no_match`). An unknown code also "locks"
  after as many tries as a real plan would, counted per code across the web
  and SMS doors (:func:`~amparo.plans.actions.check_unknown_code`).
- Every phone gets :data:`ATTEMPTS_PER_HOUR` tries an hour, whatever the code.
- The stored inbound text keeps the keyword only: code and PIN are blanked
  from ``InboundMessage.body`` once the text is handled (the operators'
  conversation view would show them otherwise; the provider's copy is erased
  by the router). Nothing here logs the text.

Replies are in the contact's language; a contact whose phone is one of the
plan's emergency contacts activates it as a contact and gets the reply only,
not the contacts' notice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable

from django.db import transaction
from django.utils import translation

from amparo.contacts.errors import ContactsError
from amparo.contacts.phones import to_e164
from amparo.core.ratelimit import allow
from amparo.intake.keywords import KeywordContext, NotForThisKeyword
from amparo.plans import actions, codes
from amparo.plans import sms_texts as texts
from amparo.plans.actions import PinCheck
from amparo.plans.errors import PlansError
from amparo.plans.models import ActivatedBy, Plan
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents

log = logging.getLogger("amparo.plans")

ACTIVATE = "plan_activate"
STATUS = "plan_status"
NEW_PIN = "plan_new_pin"
DELETE = "plan_delete"

ACTIVATE_WORDS = {
    "en": ["DETAINED"],
    "es": ["DETENIDO", "DETENIDA"],
    "pt": ["DETIDO", "DETIDA"],
    "ht": ["ARETE", "DETNI"],
}
STATUS_WORDS = {"en": ["PLAN"], "es": ["PLAN"], "pt": ["PLANO"], "ht": ["PLAN"]}
NEW_PIN_WORDS = {"en": ["NEWPIN"], "es": ["NUEVOPIN"], "pt": ["NOVOPIN"], "ht": ["NOUVOPIN"]}
DELETE_WORDS = {"en": ["DELETE"], "es": ["BORRAR"], "pt": ["APAGAR"], "ht": ["EFASE"]}

# Code and PIN tries a phone gets in an hour, right or wrong.
ATTEMPTS_PER_HOUR = 10
# What the stored inbound text keeps after the keyword.
REDACTED = "***"

# Digits of any script count (a full-width keyboard, Arabic-Indic digits).
_DIGIT_RUN = re.compile(r"\d+")
# Between the two halves of a code: a space, a dash or a dot (and spaces around it).
_CODE_HALVES_GAP = re.compile(r"\s*[.\-\u2010-\u2015]?\s*")
# Four or more digits, together or each apart by at most one space, dash or dot
# ("2580", "4821 9307", "2 5 8 0"): they may be a code or a PIN, so they never reach
# the operators from a text a plan keyword refused.
SECRET_DIGITS = re.compile(r"\d(?:[\s.\-]?\d){3,}")


def _ascii_digits(run: str) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in run)


def read_code_and_pins(text: str, *, pins: int) -> tuple[str, list[str]] | None:
    """The plan code and the ``pins`` PINs ``text`` gives, or None if it gives no such thing.

    Forgiving on purpose, as a frightened person types: words and signs around
    the numbers are ignored ("code 4821-9307, pin: 2580 please", "DETENIDO
    48219307 2580 ayuda"). The code is the first run of 8 digits, or the first
    two runs of 4 with only a space, dash or dot between them; the PINs are the
    next runs of 4 to 8 digits after it (shorter or longer runs are skipped:
    "my 2 kids"); anything after them is ignored.
    """
    runs = list(_DIGIT_RUN.finditer(text))
    for index, run in enumerate(runs):
        digits = _ascii_digits(run.group())
        rest = index + 1
        if len(digits) == 8:
            code = digits
        elif (
            len(digits) == 4
            and rest < len(runs)
            and len(runs[rest].group()) == 4
            and _CODE_HALVES_GAP.fullmatch(text[run.end() : runs[rest].start()])
        ):
            code = digits + _ascii_digits(runs[rest].group())
            rest += 1
        else:
            continue
        found = [_ascii_digits(r.group()) for r in runs[rest:] if 4 <= len(r.group()) <= 8]
        if len(found) < pins:
            return None
        return code, found[:pins]
    return None


def redact(text: str) -> str:
    """``text`` less every group of 4 or more digits (a code or PIN a keyword could not read)."""
    return SECRET_DIGITS.sub(REDACTED, text)


def _read(context: KeywordContext, pins: int) -> tuple[str, list[str]]:
    """The code and the PIN(s) the text gives; NotForThisKeyword for any other text."""
    found = read_code_and_pins(context.argument, pins=pins)
    if found is None:
        raise NotForThisKeyword
    return found


def _reply(context: KeywordContext, render: Callable[[], str], *, automatic: bool = False) -> None:
    with translation.override(context.contact.language):
        body = render()
    context.reply(body, automatic=automatic)


def _forget_secrets(context: KeywordContext) -> None:
    """Keep only the keyword of the stored text: its code and PIN are not needed any more."""
    message = context.message
    message.body = f"{context.word} {REDACTED}"
    message.save(update_fields=["body"])


def _keyword(
    pins: int, work: Callable[[KeywordContext, str, list[str]], None]
) -> Callable[[KeywordContext], None]:
    """A handler: read code and ``pins`` PINs, do ``work``, then blank the secrets, whatever
    happened."""

    def handle(context: KeywordContext) -> None:
        code, found = _read(context, pins)
        try:
            with transaction.atomic():
                work(context, code, found)
        except Exception as exc:
            # The text reaches an operator (with its secrets blanked); only the
            # error's type is logged, its message might hold something personal.
            log.error("plans: keyword %s failed (%s)", context.keyword, type(exc).__name__)
            context.message.needs_operator = True
            _reply(context, texts.failed)
        _forget_secrets(context)

    handle.__name__ = work.__name__
    return handle


def _open(context: KeywordContext, code: str, pin: str) -> Plan | None:
    """The plan if ``code`` and ``pin`` match; otherwise answer the sender and return None."""
    if not allow(
        scope="plan-sms", key=str(context.contact.pk), limit=ATTEMPTS_PER_HOUR, window_seconds=3600
    ):
        _reply(context, texts.too_many_from_this_phone, automatic=True)
        return None
    plan = find_plan(code)
    if plan is not None:
        outcome = actions.check_pin(plan=plan, pin=pin)
    else:
        outcome = actions.check_unknown_code(code=code)
    if outcome is PinCheck.OK:
        return plan
    # Wrong, locked or no such code: one answer (a different one for a lock would tell
    # that the code is a plan's).
    _reply(context, texts.no_match)
    return None


def _is_plan_contact(plan: Plan, phone: str) -> bool:
    for person in open_contents(plan).contacts:
        try:
            if to_e164(person.phone) == phone:
                return True
        except ContactsError:
            continue
    return False


def activate(context: KeywordContext, code: str, pins: list[str]) -> None:
    plan = _open(context, code, pins[0])
    if plan is None:
        return
    by = (
        ActivatedBy.CONTACT if _is_plan_contact(plan, context.contact.phone) else ActivatedBy.PERSON
    )
    result = actions.activate_plan(plan=plan, by=by, activator=context.contact)
    reference = result.activation.case.reference
    if result.capped:
        _reply(context, lambda: texts.capped(reference=reference))
    elif result.repeated:
        _reply(context, lambda: texts.already_active(reference=reference))
    else:
        _reply(context, lambda: texts.activated(reference=reference))


def status(context: KeywordContext, code: str, pins: list[str]) -> None:
    plan = _open(context, code, pins[0])
    if plan is None:
        return
    contents = open_contents(plan)
    counts = {
        "contacts": len(contents.contacts),
        "people": len(contents.members),
        "lockouts": plan.lockouts,
    }
    _reply(context, lambda: texts.status(**counts))


def new_pin(context: KeywordContext, code: str, pins: list[str]) -> None:
    old, new = pins
    with translation.override(context.contact.language):
        try:
            codes.check_new_pin(new)
        except PlansError as exc:
            refusal = str(exc)
        else:
            refusal = ""
    if refusal:
        # Nothing about the plan was looked at: no try is counted.
        context.reply(refusal)
        return
    plan = _open(context, code, old)
    if plan is None:
        return
    actions.change_pin(plan=plan, new_pin=new)
    _reply(context, texts.pin_changed)


def delete(context: KeywordContext, code: str, pins: list[str]) -> None:
    plan = _open(context, code, pins[0])
    if plan is None:
        return
    actions.delete_plan(plan=plan)
    _reply(context, texts.deleted)


activate_keyword = _keyword(1, activate)
status_keyword = _keyword(1, status)
new_pin_keyword = _keyword(2, new_pin)
delete_keyword = _keyword(1, delete)


def register() -> None:
    """Register the four keywords (from ``PlansConfig.ready``)."""
    from amparo.intake.keywords import register_keyword

    register_keyword(ACTIVATE, ACTIVATE_WORDS, activate_keyword, redact=redact)
    register_keyword(STATUS, STATUS_WORDS, status_keyword, redact=redact)
    register_keyword(NEW_PIN, NEW_PIN_WORDS, new_pin_keyword, redact=redact)
    register_keyword(DELETE, DELETE_WORDS, delete_keyword, redact=redact)
