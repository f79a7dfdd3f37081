from __future__ import annotations

import threading

import pytest
from django.db import connection

from amparo.accounts.models import Role
from amparo.audit.actions import record_event
from amparo.audit.models import GENESIS_HASH, AuditError, AuditEvent, AuditHead
from amparo.audit.queries import verify_chain
from amparo.crypto.vault import audit_digest, audit_head_digest

pytestmark = pytest.mark.django_db


def test_the_first_event_links_to_the_genesis_hash(operator):
    event = record_event(actor=operator, action="auth.login")

    assert event.sequence == 1
    assert event.previous_hash == GENESIS_HASH
    assert event.hash == audit_digest(GENESIS_HASH, event.payload())


def test_each_event_links_to_the_one_before(operator):
    first = record_event(actor=operator, action="auth.login")
    second = record_event(
        actor=operator, action="contact.view", target_type="contacts.contact", target_id="7"
    )

    assert second.sequence == 2
    assert second.previous_hash == first.hash
    assert second.hash == audit_digest(first.hash, second.payload())


def test_the_head_follows_the_newest_event(operator):
    record_event(actor=operator, action="auth.login")
    newest = record_event(actor=operator, action="auth.logout")

    head = AuditHead.objects.get()
    assert (head.sequence, head.hash) == (2, newest.hash)


def test_the_head_is_sealed_over_its_sequence_and_hash(operator):
    record_event(actor=operator, action="auth.login")
    newest = record_event(actor=operator, action="auth.logout")

    head = AuditHead.objects.get()
    assert head.seal == audit_head_digest(2, newest.hash)


def test_it_keeps_the_role_the_actor_held_at_the_time(operator):
    record_event(actor=operator, action="auth.login")
    operator.role = Role.COORDINATOR
    operator.save()

    stored = AuditEvent.objects.get()
    assert stored.actor_id == operator.pk
    assert stored.actor_role == Role.OPERATOR


def test_a_system_event_has_no_actor_and_no_role(db):
    event = record_event(actor=None, action="retention.purge")

    assert event.actor_id is None
    assert event.actor_role == ""


def test_a_model_target_is_named_by_its_label_and_primary_key(operator, coordinator):
    event = record_event(actor=coordinator, action="user.view", target=operator)

    assert (event.target_type, event.target_id) == ("accounts.user", str(operator.pk))


def test_what_is_stored_reads_back_exactly_as_it_was_hashed(operator):
    event = record_event(
        actor=operator,
        action="incident.confirm",
        target_type="incidents.incident",
        target_id="a1b2",
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload() == event.payload()


@pytest.mark.parametrize(
    "action",
    [
        "",
        "ab",
        "login",
        "Contact.View",
        "contact view",
        "contact.view\n",
        ".contact",
        "contact.",
        "contact..view",
        "contact.view;drop",
        "contact.viewed-by",
        "contact." + "v" * 60,
    ],
)
def test_it_refuses_a_malformed_action_code(operator, action):
    with pytest.raises(AuditError, match="action"):
        record_event(actor=operator, action=action)

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("target_id", ["Maria Example", "+1 555 0100", "", "x" * 65, "7\n"])
def test_it_refuses_free_text_as_a_target_id(operator, target_id):
    with pytest.raises(AuditError, match="target"):
        record_event(
            actor=operator,
            action="contact.view",
            target_type="contacts.contact",
            target_id=target_id,
        )


@pytest.mark.parametrize(
    "target_type", ["contact", "Contacts.Contact", "contacts.contact.extra", "a note"]
)
def test_it_refuses_a_target_type_that_is_not_app_label_dot_model(operator, target_type):
    with pytest.raises(AuditError, match="target_type"):
        record_event(actor=operator, action="contact.view", target_type=target_type, target_id="7")


def test_it_refuses_a_target_named_both_ways(operator, coordinator):
    with pytest.raises(AuditError, match="not both"):
        record_event(actor=coordinator, action="user.view", target=operator, target_id="9")


def test_it_refuses_an_unsaved_target_or_actor(operator):
    unsaved = type(operator)(username="unsaved-test-user")

    with pytest.raises(AuditError, match="target must be saved"):
        record_event(actor=operator, action="user.view", target=unsaved)
    with pytest.raises(AuditError, match="actor must be a saved user"):
        record_event(actor=unsaved, action="auth.login")


def test_it_refuses_to_restart_the_chain_when_the_head_is_gone(operator, tamper):
    record_event(actor=operator, action="auth.login")
    tamper("DELETE FROM {head}")

    with pytest.raises(AuditError, match="head is missing"):
        record_event(actor=operator, action="auth.logout")
    assert AuditEvent.objects.count() == 1


def test_it_refuses_to_restart_the_chain_when_every_event_and_the_head_are_gone(operator, tamper):
    record_event(actor=operator, action="auth.login")
    tamper("DELETE FROM {event}")
    tamper("DELETE FROM {head}")

    with pytest.raises(AuditError, match="head is missing"):
        record_event(actor=operator, action="auth.logout")
    assert not AuditEvent.objects.exists()
    assert not AuditHead.objects.exists()


def test_it_refuses_to_extend_a_head_pointed_back_at_an_older_event(operator, tamper):
    for action in ("auth.login", "contact.view", "auth.logout"):
        record_event(actor=operator, action=action)
    tamper("DELETE FROM {event} WHERE sequence = 3")
    tamper("UPDATE {head} SET sequence = 2, hash = (SELECT hash FROM {event} WHERE sequence = 2)")

    with pytest.raises(AuditError, match="seal does not match"):
        record_event(actor=operator, action="auth.login")
    # Appending would have sealed the forged head; nothing moved instead.
    assert AuditEvent.objects.count() == 2
    assert AuditHead.objects.get().sequence == 2


def test_it_refuses_to_extend_a_head_set_back_to_the_start_while_events_remain(operator, tamper):
    record_event(actor=operator, action="auth.login")
    tamper("UPDATE {head} SET sequence = 0, hash = %s, seal = ''", [GENESIS_HASH])

    with pytest.raises(AuditError, match="back at #0 but events exist"):
        record_event(actor=operator, action="auth.logout")
    assert AuditEvent.objects.count() == 1


def test_it_takes_a_fixed_number_of_queries(operator, django_assert_num_queries):
    record_event(actor=operator, action="auth.login")

    # savepoint, claim the head, read it, insert the event, store the new hash, release
    with django_assert_num_queries(6):
        record_event(
            actor=operator, action="contact.view", target_type="contacts.contact", target_id="7"
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has a single writer anyway")
def test_concurrent_appends_take_turns_without_gaps_or_forks(operator):
    threads, per_thread = 8, 25

    def append() -> None:
        try:
            for _ in range(per_thread):
                record_event(
                    actor=operator,
                    action="contact.view",
                    target_type="contacts.contact",
                    target_id="7",
                )
        finally:
            connection.close()

    workers = [threading.Thread(target=append) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    report = verify_chain()
    assert report.ok, report
    assert report.checked == threads * per_thread
