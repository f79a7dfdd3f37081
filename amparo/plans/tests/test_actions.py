"""Registering, changing, deleting, guarding and activating family plans."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from amparo.accounts.models import Role
from amparo.accounts.tests.factories import make_staff
from amparo.audit.models import AuditEvent
from amparo.cases.models import CaseSource, TaskKind
from amparo.channels.models import Lane, OutboundMessage
from amparo.contacts.actions import find_or_create_contact, opt_out
from amparo.contacts.models import ConsentMethod
from amparo.crypto import plan_keys, vault
from amparo.plans import codes
from amparo.plans.actions import (
    PinCheck,
    activate_plan,
    change_pin,
    check_pin,
    contact_notice,
    delete_plan,
    shred_orphan_keys,
    update_plan,
)
from amparo.plans.errors import PlansError
from amparo.plans.models import ActivatedBy, NoticeStatus, Plan
from amparo.plans.queries import find_plan
from amparo.plans.sealing import open_contents
from amparo.plans.tests.factories import PIN, make_contents, make_plan

pytestmark = pytest.mark.django_db


def _names_and_numbers(plan_contents: object) -> list[str]:
    from amparo.plans.contents import PlanContents

    assert isinstance(plan_contents, PlanContents)
    found = [m.name for m in plan_contents.members] + [c.name for c in plan_contents.contacts]
    found += [m.a_number for m in plan_contents.members if m.a_number]
    return [*found, plan_contents.caregiver.name, plan_contents.attorney.name]


def test_a_registered_plan_is_found_by_its_code_in_any_spelling() -> None:
    plan, code = make_plan()

    assert len(code) == 8
    assert find_plan(code) == plan
    assert find_plan(codes.show_code(code)) == plan
    assert find_plan(f"{code[:4]}-{code[4:]}") == plan
    assert find_plan("1234") is None


def test_the_database_row_holds_nothing_readable() -> None:
    contents = make_contents()
    plan, code = make_plan(contents=contents)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM plans_plan WHERE id = %s", [plan.pk.hex])
        row = cursor.fetchone() or ()
        if not row:
            cursor.execute("SELECT * FROM plans_plan WHERE id = %s", [str(plan.pk)])
            row = cursor.fetchone()
    raw = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    for secret in [*_names_and_numbers(contents), code, PIN]:
        assert secret.encode() not in raw
    assert open_contents(plan) == contents


def test_registration_refuses_an_easy_pin() -> None:
    with pytest.raises(PlansError):
        make_plan(pin="1234")
    with pytest.raises(PlansError):
        make_plan(pin="7777")
    assert not Plan.objects.exists()


def test_an_update_replaces_the_contents_and_is_audited() -> None:
    plan, _code = make_plan()
    changed = make_contents(contacts=1)
    changed.notes = "New invented note"

    update_plan(plan=plan, contents=changed, language="pt")

    plan.refresh_from_db()
    assert plan.language == "pt"
    assert open_contents(plan).notes == "New invented note"
    assert AuditEvent.objects.filter(action="plans.plan_update", target_id=str(plan.pk)).exists()


def test_a_changed_pin_works_and_the_old_one_does_not() -> None:
    plan, _code = make_plan()

    change_pin(plan=plan, new_pin="913572")

    assert check_pin(plan=plan, pin="913572") is PinCheck.OK
    assert check_pin(plan=plan, pin=PIN) is PinCheck.WRONG


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=3, AMPARO_PLAN_LOCK_MINUTES=15)
def test_wrong_pins_lock_the_plan_and_each_lock_lasts_longer() -> None:
    plan, _code = make_plan()

    results = [check_pin(plan=plan, pin="000111") for _ in range(3)]

    assert results == [PinCheck.WRONG, PinCheck.WRONG, PinCheck.LOCKED]
    assert check_pin(plan=plan, pin=PIN) is PinCheck.LOCKED
    plan.refresh_from_db()
    first_lock = plan.locked_until - timezone.now()
    assert dt.timedelta(minutes=14) < first_lock <= dt.timedelta(minutes=15)

    Plan.objects.filter(pk=plan.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    [check_pin(plan=plan, pin="000111") for _ in range(3)]
    plan.refresh_from_db()
    assert plan.locked_until - timezone.now() > dt.timedelta(minutes=29)
    assert AuditEvent.objects.filter(action="plans.pin_lock", target_id=str(plan.pk)).count() == 2


@override_settings(AMPARO_PLAN_PIN_ATTEMPTS=2)
def test_an_operator_with_the_right_pin_gets_past_a_lock_and_the_count_resets() -> None:
    plan, _code = make_plan()
    check_pin(plan=plan, pin="000111")
    assert check_pin(plan=plan, pin="000111") is PinCheck.LOCKED

    assert check_pin(plan=plan, pin=PIN, by=make_staff(Role.OPERATOR)) is PinCheck.OK

    plan.refresh_from_db()
    assert plan.locked_until is None
    assert plan.failed_pin_attempts == 0


def test_activation_texts_each_contact_once_in_their_language_without_personal_data() -> None:
    contents = make_contents(contacts=4)
    plan, _code = make_plan(contents=contents)

    result = activate_plan(plan=plan, by=ActivatedBy.PERSON)

    activation = result.activation
    assert result.repeated is False
    notices = list(activation.notices.select_related("contact", "message"))
    assert [n.status for n in notices] == [NoticeStatus.QUEUED] * 4
    for notice, person in zip(notices, contents.contacts, strict=True):
        assert notice.contact.phone == person.phone
        assert notice.message.lane == Lane.DISPATCH
        expected = contact_notice(language=person.language, reference=activation.case.reference)
        assert notice.message.body == expected
        assert activation.case.reference in expected
    assert OutboundMessage.objects.count() == 4
    for message in OutboundMessage.objects.all():
        for secret in _names_and_numbers(contents):
            assert secret not in message.body


def test_the_notice_reads_in_each_language() -> None:
    bodies = {
        lang: contact_notice(language=lang, reference="123456") for lang in ["en", "es", "pt", "ht"]
    }

    with translation.override("en"):
        assert bodies["en"].startswith("Someone in your family plan needs you.")
    assert all("123456" in body for body in bodies.values())


def test_activation_opens_a_case_with_the_first_hours_checklist() -> None:
    plan, _code = make_plan()

    case = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation.case

    assert case.source == CaseSource.PLAN_ACTIVATION
    assert [t.kind for t in case.tasks.all()] == [
        TaskKind.CHILDREN_PICKED_UP,
        TaskKind.CONTACTS_REACHED,
        TaskKind.DOCUMENTS_FOUND,
        TaskKind.ATTORNEY_REACHED,
        TaskKind.LOCATED,
    ]


def test_a_plan_without_children_has_no_pick_up_task() -> None:
    plan, _code = make_plan(contents=make_contents(children=False))

    case = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation.case

    assert TaskKind.CHILDREN_PICKED_UP not in [t.kind for t in case.tasks.all()]


def test_the_contact_who_activated_is_not_texted_and_an_opted_out_one_is_marked() -> None:
    contents = make_contents(contacts=3)
    plan, _code = make_plan(contents=contents)
    activator = find_or_create_contact(phone=contents.contacts[0].phone)
    stopped = find_or_create_contact(phone=contents.contacts[1].phone)
    opt_out(contact=stopped, method=ConsentMethod.SMS_KEYWORD)

    activation = activate_plan(plan=plan, by=ActivatedBy.CONTACT, activator=activator).activation

    assert [n.status for n in activation.notices.all()] == [
        NoticeStatus.ACTIVATOR,
        NoticeStatus.OPTED_OUT,
        NoticeStatus.QUEUED,
    ]
    assert OutboundMessage.objects.count() == 1


def test_a_second_activation_soon_after_texts_nobody_again() -> None:
    plan, _code = make_plan()
    first = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation

    again = activate_plan(plan=plan, by=ActivatedBy.CONTACT)

    assert again.repeated is True
    assert again.activation == first
    assert OutboundMessage.objects.count() == 3


def test_the_legal_team_is_emailed_a_link_and_nothing_personal(
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    lawyer = make_staff(Role.LEGAL)
    lawyer.email = "lawyer@example.org"
    lawyer.save()
    treasurer = make_staff(Role.TREASURER)
    treasurer.email = "money@example.org"
    treasurer.save()
    contents = make_contents()
    plan, _code = make_plan(contents=contents)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        activation = activate_plan(plan=plan, by=ActivatedBy.OPERATOR, by_user=lawyer).activation

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lawyer@example.org"]
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert activation.case.reference in text
    assert str(activation.pk) in text
    for secret in _names_and_numbers(contents):
        assert secret not in text


def test_deleting_shreds_the_key_and_keeps_the_case() -> None:
    plan, code = make_plan()
    activation = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation

    delete_plan(plan=plan)

    assert find_plan(code) is None
    assert not plan_keys.has_plan_key(plan.pk)
    activation.refresh_from_db()
    assert activation.plan is None
    assert activation.case.tasks.count() == 5


def _copy_of_the_database(plan: Plan, tmp_path: Path) -> bytes:
    """What a backup holds of the plan: its row's sealed contents, from a real copy on SQLite."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "backup.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        with sqlite3.connect(copy) as backup:
            (sealed,) = backup.execute(
                "SELECT sealed_contents FROM plans_plan WHERE id = ?", (plan.pk.hex,)
            ).fetchone()
        return bytes(sealed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_contents FROM plans_plan WHERE id = %s", [plan.pk])
        (sealed,) = cursor.fetchone()
    return bytes(sealed)


@pytest.mark.django_db(transaction=True)
def test_after_deletion_a_backup_taken_before_cannot_be_opened_even_with_the_master_keys(
    tmp_path: Path,
) -> None:
    plan, _code = make_plan()
    sealed = _copy_of_the_database(plan, tmp_path)
    # The copy is good before the deletion: with the key store it opens.
    assert b"Rosa" in plan_keys.open_plan(sealed, plan_id=plan.pk, context=plan.contents_context)

    delete_plan(plan=plan)

    with pytest.raises(plan_keys.PlanKeyMissing):
        plan_keys.open_plan(sealed, plan_id=plan.pk, context=plan.contents_context)
    with pytest.raises(vault.DecryptionError):
        vault.unseal(sealed, context=plan.contents_context)
    for master in vault.keyring().encryption.values():
        with pytest.raises(vault.DecryptionError):
            vault._unseal_with_keys(
                sealed, context=plan.contents_context, keys={plan_keys.PLAN_KEY_ID: master}
            )


def test_orphan_keys_of_failed_registrations_are_shredded() -> None:
    plan, _code = make_plan()
    orphan = Plan()  # a registration whose transaction never committed
    plan_keys.create_plan_key(orphan.pk)

    shred_orphan_keys(older_than=dt.timedelta(seconds=-60))

    assert plan_keys.has_plan_key(plan.pk)
    assert not plan_keys.has_plan_key(orphan.pk)


def _move_activations_back(plan: Plan, by: dt.timedelta) -> None:
    for activation in plan.activations.all():
        activation.activated_at -= by
        activation.save(update_fields=["activated_at"])


def test_a_third_activation_in_a_day_texts_nobody_and_the_legal_team_is_told_to_call(
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    lawyer = make_staff(Role.LEGAL)
    lawyer.email = "lawyer@example.org"
    lawyer.save()
    plan, _code = make_plan(contents=make_contents(contacts=3))
    first = activate_plan(plan=plan, by=ActivatedBy.PERSON)
    _move_activations_back(plan, dt.timedelta(hours=2))
    second = activate_plan(plan=plan, by=ActivatedBy.PERSON)
    _move_activations_back(plan, dt.timedelta(hours=2))
    assert not first.repeated and not second.repeated
    assert OutboundMessage.objects.count() == 6
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        third = activate_plan(plan=plan, by=ActivatedBy.CONTACT)

    assert (third.repeated, third.capped) == (True, True)
    assert third.activation == second.activation
    assert third.activation.capped_attempts == 1
    assert third.activation.last_capped_at is not None
    assert OutboundMessage.objects.count() == 6  # nobody texted
    assert plan.activations.count() == 2
    assert AuditEvent.objects.filter(action="plans.plan_activate_capped").count() == 1
    assert len(mail.outbox) == 1
    assert third.activation.case.reference in mail.outbox[0].body

    activate_plan(plan=plan, by=ActivatedBy.PERSON)
    second.activation.refresh_from_db()
    assert second.activation.capped_attempts == 2


def test_the_texting_cap_ends_a_day_after_the_first_activation() -> None:
    plan, _code = make_plan(contents=make_contents(contacts=3))
    activate_plan(plan=plan, by=ActivatedBy.PERSON)
    _move_activations_back(plan, dt.timedelta(hours=23))
    activate_plan(plan=plan, by=ActivatedBy.PERSON)
    _move_activations_back(plan, dt.timedelta(hours=2))  # the first is now 25 hours old

    again = activate_plan(plan=plan, by=ActivatedBy.PERSON)

    assert (again.repeated, again.capped) == (False, False)
    assert OutboundMessage.objects.count() == 9


def test_a_repeat_within_half_an_hour_is_not_counted_as_capped() -> None:
    plan, _code = make_plan()
    activate_plan(plan=plan, by=ActivatedBy.PERSON)

    again = activate_plan(plan=plan, by=ActivatedBy.PERSON)

    assert (again.repeated, again.capped) == (True, False)
    assert again.activation.capped_attempts == 0


def test_numbers_we_do_not_text_unprompted_are_marked_to_call() -> None:
    from dataclasses import replace

    contents = make_contents(contacts=3)
    contents = replace(
        contents,
        contacts=[
            replace(contents.contacts[0], phone="+19005550142"),  # premium rate
            replace(contents.contacts[1], phone="+5511955550142"),  # not an allowed country
            contents.contacts[2],
        ],
    )
    plan, _code = make_plan(contents=contents)

    activation = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation

    assert [(n.position, n.status) for n in activation.notices.all()] == [
        (0, NoticeStatus.CALL),
        (1, NoticeStatus.CALL),
        (2, NoticeStatus.QUEUED),
    ]
    assert [m.contact.phone for m in OutboundMessage.objects.all()] == [contents.contacts[2].phone]
    with translation.override("en"):
        assert NoticeStatus.CALL.label == "not texted: call this number"


def test_forgetting_unused_contacts_keeps_the_notices_and_their_statuses() -> None:
    from amparo.contacts.actions import forget_unused_contacts
    from amparo.plans.models import ActivationNotice

    plan, _code = make_plan(contents=make_contents(contacts=3))
    stopped = find_or_create_contact(phone=make_contents(contacts=3).contacts[1].phone)
    opt_out(contact=stopped, method=ConsentMethod.SMS_KEYWORD)
    activation = activate_plan(plan=plan, by=ActivatedBy.PERSON).activation
    OutboundMessage.objects.all().delete()  # as retention would, later

    forgotten = forget_unused_contacts(created_before=timezone.now() + dt.timedelta(days=1))

    assert forgotten >= 2
    notices = list(ActivationNotice.objects.filter(activation=activation))
    assert [(n.position, n.status) for n in notices] == [
        (0, NoticeStatus.QUEUED),
        (1, NoticeStatus.OPTED_OUT),
        (2, NoticeStatus.QUEUED),
    ]
    assert notices[0].contact is None and notices[2].contact is None
    assert notices[1].contact == stopped  # an opted-out number is never forgotten
