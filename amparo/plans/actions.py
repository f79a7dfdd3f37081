"""Every write to family plans: register, update, change the PIN, delete, check a PIN, activate.

Order of things that matter for safety:

- Registering makes the plan's data key in the plan key store *before* the
  row is written; a failed transaction leaves an orphan key that
  :func:`shred_orphan_keys` removes.
- Deleting destroys the key *first*: from that moment the plan cannot be
  opened, even if deleting the row then fails.
- A PIN check writes its count of failures in its own transaction: callers
  must not run it inside a transaction they may roll back, or a wrong PIN
  would not count towards the lockout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amparo.accounts.models import Role, User
from amparo.accounts.queries import staff_email_addresses
from amparo.audit.actions import record_event
from amparo.audit.models import AuditEvent
from amparo.cases.actions import open_case
from amparo.cases.models import CaseSource, TaskKind
from amparo.channels.actions import queue_message
from amparo.channels.models import Lane
from amparo.contacts.actions import find_or_create_contact
from amparo.contacts.models import Contact
from amparo.contacts.phones import is_textable
from amparo.core.ratelimit import allow
from amparo.crypto import plan_keys
from amparo.crypto.vault import digests_match, plan_pin_digest
from amparo.plans import codes
from amparo.plans.contents import PlanContents
from amparo.plans.errors import PlansError
from amparo.plans.models import (
    ActivatedBy,
    Activation,
    ActivationNotice,
    NoticeStatus,
    Plan,
    PlanSource,
)
from amparo.plans.sealing import open_contents, seal_contents

if TYPE_CHECKING:
    from amparo.channels.models import OutboundMessage

# A second activation this soon after the first texts nobody again: the person
# (or two relatives at once) may send DETAINED twice.
REPEAT_WINDOW = dt.timedelta(minutes=30)
# SMS pumping: a plan texts its contacts for at most this many activations in any
# TEXTING_CAP_WINDOW. A further activation texts nobody; it is counted on the
# latest activation (capped_attempts) and the legal team is e-mailed: they call.
TEXTED_ACTIVATIONS_PER_DAY = 2
TEXTING_CAP_WINDOW = dt.timedelta(hours=24)
LOCK_CEILING = dt.timedelta(hours=24)


def register_plan(
    *,
    contents: PlanContents,
    pin: str,
    language: str,
    source: PlanSource = PlanSource.WEB,
    by: User | None = None,
) -> tuple[Plan, str]:
    """Register a plan; return it and its code (shown once, never stored in clear)."""
    codes.check_new_pin(pin)
    plan = Plan(language=language, source=source, registered_by=by)
    plan_keys.create_plan_key(plan.pk)
    plan.sealed_contents = seal_contents(plan, contents)
    plan.pin_digest = plan_pin_digest(pin, plan_id=plan.pk)
    with transaction.atomic():
        for _attempt in range(20):
            code = codes.new_code()
            plan.code_index = codes.code_index(code)
            try:
                with transaction.atomic():
                    plan.save(force_insert=True)
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 20 collisions among 90 million codes
            raise PlansError(_("Something went wrong. Please try again."))
        record_event(actor=by, action="plans.plan_register", target=plan)
    return plan, code


def update_plan(
    *, plan: Plan, contents: PlanContents, language: str, by: User | None = None
) -> Plan:
    """Replace the plan's contents (sealed again under its own key) and language."""
    with transaction.atomic():
        plan.sealed_contents = seal_contents(plan, contents)
        plan.language = language
        plan.save(update_fields=["sealed_contents", "language", "updated_at"])
        record_event(actor=by, action="plans.plan_update", target=plan)
    return plan


def change_pin(*, plan: Plan, new_pin: str, by: User | None = None) -> Plan:
    codes.check_new_pin(new_pin)
    with transaction.atomic():
        plan.pin_digest = plan_pin_digest(new_pin, plan_id=plan.pk)
        plan.save(update_fields=["pin_digest", "updated_at"])
        record_event(actor=by, action="plans.pin_change", target=plan)
    return plan


def delete_plan(*, plan: Plan, by: User | None = None) -> None:
    """Destroy the plan's key, then its row. Activations and cases stay, without the plan."""
    plan_keys.shred_plan_key(plan.pk)
    with transaction.atomic():
        record_event(actor=by, action="plans.plan_delete", target=plan)
        Plan.objects.filter(pk=plan.pk).delete()


def shred_orphan_keys(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Destroy data keys with no plan (a registration that failed, a delete cut short)."""

    def known(plan_ids: list[str]) -> set[str]:
        return {str(pk) for pk in Plan.objects.filter(pk__in=plan_ids).values_list("pk", flat=True)}

    cutoff = (timezone.now() - older_than).isoformat()
    return plan_keys.shred_orphan_keys(keep=known, older_than=cutoff)


class PinCheck(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    # Staff only: too many wrong PINs from this user, or from staff on this plan, in the
    # last STAFF_PIN_WINDOW; the PIN was not even compared.
    REFUSED = "refused"


# Wrong PINs typed by staff (operators at the hotline) do not lock the family out
# of its own plan; they are limited per staff user and per plan instead.
STAFF_PIN_WINDOW = dt.timedelta(hours=1)
STAFF_PIN_FAILURES_PER_USER = 5
STAFF_PIN_FAILURES_PER_PLAN = 10
# Each lock lasts twice the one before up to LOCK_CEILING: counting further is pointless
# (and a small integer column must not overflow however often a plan is locked).
LOCKOUTS_CAP = 10


def check_pin(*, plan: Plan, pin: str, by: User | None = None) -> PinCheck:
    """Check a PIN against the plan and count failures; lock after too many.

    ``by``: the staff member who typed the PIN (an operator at the hotline, for
    a caller), recorded as the actor of every audit event; None for the family
    (web, SMS). A locked plan answers LOCKED without looking at the PIN, except
    to staff: a stranger who knows the code must not be able to stop a family
    from activating its plan by locking it. Staff failures do not count towards
    the plan's lock either; they are limited per staff member and per plan
    (:func:`_staff_stopped`), and then the answer is REFUSED. Each lock lasts
    twice the one before. Runs in its own transaction; do not call it inside one
    that may roll back.
    """
    if by is not None:
        return _check_pin_for_staff(plan=plan, pin=pin, by=by)
    now = timezone.now()
    with transaction.atomic():
        row = Plan.objects.select_for_update().get(pk=plan.pk)
        if row.locked_until and row.locked_until > now:
            return PinCheck.LOCKED
        if _pin_matches(row, pin):
            return PinCheck.OK
        row.failed_pin_attempts += 1
        locked = row.failed_pin_attempts >= settings.AMPARO_PLAN_PIN_ATTEMPTS
        if locked:
            minutes = settings.AMPARO_PLAN_LOCK_MINUTES * 2 ** min(row.lockouts, LOCKOUTS_CAP)
            row.locked_until = now + min(dt.timedelta(minutes=minutes), LOCK_CEILING)
            row.lockouts = min(row.lockouts + 1, LOCKOUTS_CAP)
            row.failed_pin_attempts = 0
        row.save(update_fields=["failed_pin_attempts", "locked_until", "lockouts"])
        record_event(
            actor=None, action="plans.pin_lock" if locked else "plans.pin_wrong", target=row
        )
    return PinCheck.LOCKED if locked else PinCheck.WRONG


def check_unknown_code_for_staff(*, by: User) -> PinCheck:
    """A code that is no plan's, typed by staff: counted like a wrong PIN (WRONG or REFUSED).

    So that the staff limit cannot tell a real code from an invented one.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()
        if _staff_stopped(by=by, plan=None):
            record_event(actor=by, action="plans.pin_staff_refused")
            return PinCheck.REFUSED
        record_event(actor=by, action="plans.pin_wrong")
        _stop_staff_at_limit(by=by, plan=None)
    return PinCheck.WRONG


def _pin_matches(row: Plan, pin: str) -> bool:
    """Compare; on a match clear the failures and any lock (call with the row locked)."""
    if not digests_match(plan_pin_digest(pin, plan_id=row.pk), row.pin_digest):
        return False
    if row.failed_pin_attempts or row.locked_until:
        row.failed_pin_attempts, row.locked_until = 0, None
        row.save(update_fields=["failed_pin_attempts", "locked_until"])
    return True


def _check_pin_for_staff(*, plan: Plan, pin: str, by: User) -> PinCheck:
    with transaction.atomic():
        # The user's row first, then the plan's: one staff member's tries take turns,
        # so two at once cannot both slip under the limit.
        User.objects.select_for_update().filter(pk=by.pk).first()
        row = Plan.objects.select_for_update().get(pk=plan.pk)
        if _staff_stopped(by=by, plan=row):
            record_event(actor=by, action="plans.pin_staff_refused", target=row)
            return PinCheck.REFUSED
        if _pin_matches(row, pin):
            return PinCheck.OK
        record_event(actor=by, action="plans.pin_wrong", target=row)
        _stop_staff_at_limit(by=by, plan=row)
    return PinCheck.WRONG


def _staff_failures(*, by: User | None, plan: Plan | None) -> int:
    """Wrong PINs typed by staff in the last STAFF_PIN_WINDOW: by ``by``, or on ``plan``.

    Counted in the audit log, which every staff failure is written to anyway: the
    count is exact across web workers and restarts, and nobody can reset it.
    """
    events = AuditEvent.objects.filter(
        action="plans.pin_wrong",
        actor__isnull=False,
        at__gte=timezone.now() - STAFF_PIN_WINDOW,
    )
    if by is not None:
        events = events.filter(actor=by)
    if plan is not None:
        events = events.filter(target_type=plan._meta.label_lower, target_id=str(plan.pk))
    return events.count()


def _staff_stopped(*, by: User, plan: Plan | None) -> bool:
    if _staff_failures(by=by, plan=None) >= STAFF_PIN_FAILURES_PER_USER:
        return True
    return plan is not None and _staff_failures(by=None, plan=plan) >= STAFF_PIN_FAILURES_PER_PLAN


def _stop_staff_at_limit(*, by: User, plan: Plan | None) -> None:
    """After the failure that reaches a limit: audit it and tell the coordinators, once."""
    if not _staff_stopped(by=by, plan=plan):
        return
    record_event(actor=by, action="plans.pin_staff_stopped", target=plan)
    username = by.get_username()
    transaction.on_commit(lambda: _tell_coordinators_of_stopped_staff(username))


def _tell_coordinators_of_stopped_staff(username: str) -> None:
    """E-mail each coordinator: who was stopped, nothing of the plan or the family."""
    addresses = staff_email_addresses(Role.COORDINATOR)
    if not addresses:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Family plans: an operator was stopped after too many wrong PINs")
        body = _(
            "An operator was stopped after too many wrong PINs on the hotline activation "
            "page: {username}. Their PIN tries are refused for an hour. If this was not a "
            "mistake on a busy line, review their account."
        ).format(username=username)
    send_mass_mail([(subject, body, None, [address]) for address in addresses], fail_silently=True)


# The rate-limit scope that counts tries of a code that is no plan's, shared by every
# door (web, SMS): a code must answer alike whichever door it is tried at.
UNKNOWN_CODE_SCOPE = "plan-unknown-code"


def check_unknown_code(*, code: str) -> PinCheck:
    """Answer a try of ``code``, which is no plan's, as a real plan would: WRONG, then LOCKED.

    Counted per code across every door in :data:`UNKNOWN_CODE_SCOPE`, so that
    locking cannot tell whether a code exists. With
    ``AMPARO_PLAN_PIN_ATTEMPTS`` of 1 a real plan locks at its first wrong PIN,
    and so does this.
    """
    limit = settings.AMPARO_PLAN_PIN_ATTEMPTS - 1
    if limit < 1:
        return PinCheck.LOCKED
    allowed = allow(
        scope=UNKNOWN_CODE_SCOPE,
        key=codes.normalize_code(code) or code,
        limit=limit,
        window_seconds=settings.AMPARO_PLAN_LOCK_MINUTES * 60,
    )
    return PinCheck.WRONG if allowed else PinCheck.LOCKED


@dataclass(frozen=True)
class ActivationResult:
    activation: Activation
    repeated: bool  # an earlier activation was returned; nobody texted again
    # ... because the plan had TEXTED_ACTIVATIONS_PER_DAY activations in the last
    # TEXTING_CAP_WINDOW ("already activated today; the team will call").
    capped: bool = False


def contact_notice(*, language: str, reference: str) -> str:
    """The text an emergency contact gets: no name, no status, no A-number."""
    with translation.override(language):
        return _(
            "Someone in your family plan needs you. Call {hotline} and give code {code}."
        ).format(hotline=settings.AMPARO_HOTLINE_NUMBER, code=reference)


def _checklist(contents: PlanContents) -> list[TaskKind]:
    tasks = [TaskKind.CHILDREN_PICKED_UP] if contents.has_children else []
    tasks += [TaskKind.CONTACTS_REACHED, TaskKind.DOCUMENTS_FOUND]
    return [*tasks, TaskKind.ATTORNEY_REACHED, TaskKind.LOCATED]


def _tell_contacts(
    activation: Activation, contents: PlanContents, *, activator: Contact | None
) -> None:
    seen: set[object] = set()
    for position, person in enumerate(contents.contacts):
        contact = find_or_create_contact(phone=person.phone, language=person.language)
        if contact.pk in seen:
            continue
        seen.add(contact.pk)
        message: OutboundMessage | None = None
        if activator is not None and contact.pk == activator.pk:
            status = NoticeStatus.ACTIVATOR
        elif not is_textable(contact.phone):
            # Another country, premium rate, pager...: someone calls it (SMS pumping).
            status = NoticeStatus.CALL
        else:
            message = queue_message(
                contact=contact,
                body=contact_notice(language=person.language, reference=activation.case.reference),
                lane=Lane.DISPATCH,
            )
            status = NoticeStatus.QUEUED if message is not None else NoticeStatus.OPTED_OUT
        ActivationNotice.objects.create(
            activation=activation,
            contact=contact,
            position=position,
            status=status,
            message=message,
        )


def _tell_legal_team(activation: Activation, *, again: bool = False) -> None:
    """E-mail the legal team (and coordinators): a case reference and a link, nothing else.

    ``again``: the plan was activated once more after the day's texting cap.
    """
    recipients = staff_email_addresses(Role.LEGAL, Role.COORDINATOR)
    if not recipients:
        return
    code = activation.case.reference
    link = settings.AMPARO_PUBLIC_URL + reverse("plans:activation", args=[activation.pk])
    with translation.override(settings.LANGUAGE_CODE):
        if again:
            subject = _("Family plan activated again: case {code}").format(code=code)
            body = _(
                "The family plan of case {code} was activated again today. Its contacts were "
                "not texted again: call the family and the contacts. {link}"
            ).format(code=code, link=link)
        else:
            subject = _("Family plan activated: case {code}").format(code=code)
            body = _(
                "A family plan was activated and case {code} was opened. Open the checklist: {link}"
            ).format(code=code, link=link)
    send_mail(subject, body, None, recipients, fail_silently=True)


def _count_capped_attempt(activation: Activation, *, now: dt.datetime) -> Activation:
    Activation.objects.filter(pk=activation.pk).update(
        capped_attempts=F("capped_attempts") + 1, last_capped_at=now
    )
    activation.refresh_from_db(fields=["capped_attempts", "last_capped_at"])
    return activation


def activate_plan(
    *,
    plan: Plan,
    by: ActivatedBy,
    by_user: User | None = None,
    activator: Contact | None = None,
) -> ActivationResult:
    """Put a plan into action: open a case, text every contact, tell the legal team.

    Call only after :func:`check_pin` said OK. ``activator``: the contact whose
    text activated it (not texted again if it is one of the plan's contacts).
    Within :data:`REPEAT_WINDOW` of the last activation nothing is sent again.
    After :data:`TEXTED_ACTIVATIONS_PER_DAY` activations in
    :data:`TEXTING_CAP_WINDOW` nothing is sent either: the attempt is counted
    on the latest activation, audited, and the legal team is e-mailed to call
    (``capped`` in the result).
    """
    now = timezone.now()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        latest = plan.activations.select_related("case").filter(
            activated_at__gte=now - REPEAT_WINDOW
        )
        if (recent := latest.first()) is not None:
            return ActivationResult(activation=recent, repeated=True)
        today = list(
            plan.activations.select_related("case").filter(
                activated_at__gte=now - TEXTING_CAP_WINDOW
            )[:TEXTED_ACTIVATIONS_PER_DAY]
        )
        if len(today) >= TEXTED_ACTIVATIONS_PER_DAY:
            last = _count_capped_attempt(today[0], now=now)
            record_event(actor=by_user, action="plans.plan_activate_capped", target=last)
            transaction.on_commit(lambda: _tell_legal_team(last, again=True))
            return ActivationResult(activation=last, repeated=True, capped=True)
        contents = open_contents(plan)
        case = open_case(source=CaseSource.PLAN_ACTIVATION, tasks=_checklist(contents), by=by_user)
        activation = Activation.objects.create(
            plan=plan, case=case, by=by, by_user=by_user, activated_at=now
        )
        _tell_contacts(activation, contents, activator=activator)
        record_event(actor=by_user, action="plans.plan_activate", target=activation)
        transaction.on_commit(lambda: _tell_legal_team(activation))
    return ActivationResult(activation=activation, repeated=False)
