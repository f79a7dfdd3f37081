"""Writes of broadcasts: draft, submit, a second coordinator's approval, and the fan-out.

The two-person rule (DESIGN.md, security rule 6): nothing reaches the public
until a coordinator other than the author approves it
(:func:`approve_broadcast`), or its author sends it alone in an emergency
(:func:`send_with_override`), which the view allows only after a fresh
re-authentication and which is audited with the reason chosen.

Bodies are checked (:mod:`amparo.alerts.checks`) on every save: no names,
A-numbers, phone numbers or e-mail addresses. Queueing fixes the recipients
(one :class:`BroadcastRecipient` per contact, so nobody gets an alert twice)
and puts one message per recipient in the outbox, in the contact's language
(English if the broadcast lacks it), through the bulk path
:func:`amparo.channels.actions.queue_many`. Nothing is audited per recipient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.accounts.models import Role
from amparo.alerts.checks import check_bodies
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import (
    Broadcast,
    BroadcastKind,
    BroadcastRecipient,
    BroadcastStatus,
)
from amparo.alerts.planner import language_sent, validity_for
from amparo.alerts.queries.broadcasts import WAITING, recipient_rows
from amparo.alerts.texts import LANGUAGES, unfilled
from amparo.audit.actions import record_event
from amparo.channels.actions import queue_many
from amparo.channels.models import Lane
from amparo.channels.registry import channel_configs
from amparo.channels.segments import count_segments
from amparo.incidents.models import Incident, IncidentState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from amparo.accounts.models import User
    from amparo.places.models import Town

__all__ = [
    "COORDINATOR_ROLES",
    "OVERRIDE_REASONS",
    "approve_broadcast",
    "cancel_broadcast",
    "draft_broadcast",
    "draft_correction",
    "finish_broadcasts",
    "send_back_broadcast",
    "send_with_override",
    "submit_broadcast",
    "update_draft",
]

COORDINATOR_ROLES = (Role.COORDINATOR,)
# Kinds shown on the public feed once queued (corrections follow their original).
PUBLIC_KINDS = frozenset({BroadcastKind.CONFIRMED, BroadcastKind.DEBUNK, BroadcastKind.ALL_CLEAR})
CORRECTION_KINDS = frozenset({BroadcastKind.CORRECTION, BroadcastKind.RETRACTION})
EDITABLE = (BroadcastStatus.DRAFT,)

# Why an author sent alone. A fixed list, so the reason is in the audit record
# (its action code) without free text that could name anyone.
OVERRIDE_REASONS = {
    "danger-now": gettext_lazy("People are in danger now and no second coordinator answers"),
    "wrong-alert-out": gettext_lazy("An alert already sent is wrong and must be corrected now"),
    "approver-unreachable": gettext_lazy("No other coordinator can be reached in time"),
}


def _require(by: User | None) -> User:
    if by is None or not by.has_role(*COORDINATOR_ROLES):
        raise AlertsError(_("Only a coordinator may do this."))
    return by


def _clean_bodies(bodies: dict[str, str]) -> dict[str, str]:
    cleaned = {
        language: " ".join(text.split())
        for language, text in bodies.items()
        if language in LANGUAGES and text and text.strip()
    }
    check_bodies(cleaned)
    return cleaned


def _check_incident(kind: str, incident: Incident | None) -> None:
    if kind == BroadcastKind.DEBUNK and (
        incident is None or incident.state != IncidentState.FALSE_ALARM
    ):
        raise AlertsError(_("A false-alarm debunk needs its incident, marked as a false alarm."))
    if (
        kind == BroadcastKind.CONFIRMED
        and incident is not None
        and incident.state != IncidentState.CONFIRMED
    ):
        raise AlertsError(_("The incident of a confirmed-activity alert must be confirmed."))


def _set_towns(broadcast: Broadcast, towns: Iterable[Town]) -> None:
    broadcast.towns.set(list(towns))


def draft_broadcast(
    *,
    by: User,
    kind: str,
    bodies: dict[str, str],
    towns: Iterable[Town],
    incident: Incident | None = None,
) -> Broadcast:
    """A new draft by ``by``; bodies checked, incident rules checked. Audited."""
    _require(by)
    if kind in CORRECTION_KINDS:
        raise AlertsError(_("A correction starts from the alert it corrects."))
    _check_incident(kind, incident)
    cleaned = _clean_bodies(bodies)
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            kind=kind,
            incident=incident,
            bodies=cleaned,
            author=by,
            created_at=timezone.now(),
            validity_seconds=validity_for(kind, channel_configs()["sms"]),
        )
        _set_towns(broadcast, towns)
        record_event(actor=by, action="alerts.broadcast_draft", target=broadcast)
    return broadcast


def draft_correction(
    *, original: Broadcast, by: User, kind: str, bodies: dict[str, str]
) -> Broadcast:
    """A correction or retraction of ``original``, to exactly its recipients. Audited."""
    _require(by)
    if kind not in CORRECTION_KINDS:
        raise AlertsError(_("Choose a correction or a retraction."))
    if original.queued_at is None:
        raise AlertsError(_("Only an alert that was sent can be corrected."))
    cleaned = _clean_bodies(bodies)
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            kind=kind,
            incident=original.incident,
            corrects=original,
            bodies=cleaned,
            author=by,
            created_at=timezone.now(),
            validity_seconds=validity_for(kind, channel_configs()["sms"]),
        )
        _set_towns(broadcast, original.towns.all())
        record_event(actor=by, action="alerts.broadcast_correct", target=broadcast)
    return broadcast


def _lock(broadcast: Broadcast) -> Broadcast:
    return Broadcast.objects.select_for_update().get(pk=broadcast.pk)


def update_draft(
    *,
    broadcast: Broadcast,
    by: User,
    bodies: dict[str, str],
    towns: Iterable[Town] | None = None,
    incident: Incident | None = None,
) -> Broadcast:
    """Change a draft's bodies (and towns, incident); only its author, only while a draft."""
    _require(by)
    cleaned = _clean_bodies(bodies)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status not in EDITABLE:
            raise AlertsError(_("Only a draft can be changed."))
        if locked.author_id != by.pk:
            raise AlertsError(_("Only its author may change a draft."))
        if locked.corrects_id is None:
            _check_incident(locked.kind, incident)
            locked.incident = incident
            if towns is not None:
                _set_towns(locked, towns)
        locked.bodies = cleaned
        locked.save(update_fields=["bodies", "incident"])
        record_event(actor=by, action="alerts.broadcast_edit", target=locked)
    return locked


def _ready_to_send(broadcast: Broadcast) -> None:
    """What any broadcast needs before it goes out, whoever sends it."""
    if not broadcast.bodies.get("en"):
        raise AlertsError(
            _("Write the English text: it goes to everyone whose language has no text.")
        )
    for body in broadcast.bodies.values():
        if unfilled(body):
            raise AlertsError(
                _("Fill in or delete the placeholders still in the text: %(names)s")
                % {"names": ", ".join("{" + name + "}" for name in unfilled(body))}
            )
    if broadcast.corrects_id is None and not broadcast.towns.exists():
        raise AlertsError(_("Choose at least one town."))
    check_bodies(broadcast.bodies)
    incident = (
        Incident.objects.filter(pk=broadcast.incident_id).first() if broadcast.incident_id else None
    )
    _check_incident(broadcast.kind, incident)


def submit_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """Its author asks a second coordinator to approve the draft. Audited."""
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.DRAFT:
            raise AlertsError(_("Only a draft can be submitted."))
        if locked.author_id != by.pk:
            raise AlertsError(_("Only its author may submit a draft."))
        _ready_to_send(locked)
        locked.status = BroadcastStatus.PENDING
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at"])
        record_event(actor=by, action="alerts.broadcast_submit", target=locked)
    return locked


def send_back_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """A second coordinator returns a submitted broadcast to its author as a draft. Audited."""
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.PENDING:
            raise AlertsError(_("Only a broadcast waiting for approval can be sent back."))
        locked.status = BroadcastStatus.DRAFT
        locked.submitted_at = None
        locked.save(update_fields=["status", "submitted_at"])
        record_event(actor=by, action="alerts.broadcast_send_back", target=locked)
    return locked


def approve_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """A coordinator other than the author approves: the broadcast is queued now. Audited."""
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.PENDING:
            raise AlertsError(_("Only a broadcast waiting for approval can be approved."))
        if locked.author_id == by.pk:
            raise AlertsError(_("A second coordinator must approve: not the author."))
        _ready_to_send(locked)
        locked.approved_by = by
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_by", "approved_at"])
        record_event(actor=by, action="alerts.broadcast_approve", target=locked)
        _queue(locked)
    return locked


def send_with_override(*, broadcast: Broadcast, by: User, reason: str) -> Broadcast:
    """Emergency: the author sends alone. The view re-authenticates; the reason is audited.

    ``reason`` is one of :data:`OVERRIDE_REASONS` (its code becomes the audit
    action, ``alerts.broadcast_override_<reason>``).
    """
    _require(by)
    if reason not in OVERRIDE_REASONS:
        raise AlertsError(_("Choose why it cannot wait for a second coordinator."))
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status not in (BroadcastStatus.DRAFT, BroadcastStatus.PENDING):
            raise AlertsError(_("This broadcast was already sent or cancelled."))
        if locked.author_id != by.pk:
            raise AlertsError(_("Only its author may send a broadcast alone."))
        _ready_to_send(locked)
        now = timezone.now()
        locked.override = True
        locked.submitted_at = locked.submitted_at or now
        locked.save(update_fields=["override", "submitted_at"])
        action = "alerts.broadcast_override_" + reason.replace("-", "_")
        record_event(actor=by, action=action, target=locked)
        _queue(locked)
    return locked


def cancel_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """Cancel a draft or a broadcast waiting for approval. Audited."""
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status not in (BroadcastStatus.DRAFT, BroadcastStatus.PENDING):
            raise AlertsError(
                _("Only a draft or a broadcast waiting for approval can be cancelled.")
            )
        locked.status = BroadcastStatus.CANCELLED
        locked.save(update_fields=["status"])
        record_event(actor=by, action="alerts.broadcast_cancel", target=locked)
    return locked


# --- the fan-out ---------------------------------------------------------------


def _published(broadcast: Broadcast) -> bool:
    if broadcast.kind in PUBLIC_KINDS:
        return True
    if broadcast.kind in CORRECTION_KINDS and broadcast.corrects_id is not None:
        return Broadcast.objects.filter(pk=broadcast.corrects_id, published=True).exists()
    return False


def _queue(broadcast: Broadcast) -> None:
    """Fix the recipients and put their messages in the outbox, in one transaction.

    Called with the broadcast locked, inside the approving action's transaction.
    """
    now = timezone.now()
    bodies = broadcast.bodies
    contacts: list[Any] = []
    languages: list[str] = []
    for contact_id, contact_language, _town in recipient_rows(broadcast):
        contacts.append(contact_id)
        languages.append(language_sent(contact_language, bodies))
    message_ids = queue_many(
        messages=[
            (contact_id, bodies[language])
            for contact_id, language in zip(contacts, languages, strict=True)
        ],
        lane=Lane.ALERT,
        validity_seconds=broadcast.validity_seconds,
    )
    segments_of = {language: count_segments(body)[1] for language, body in bodies.items()}
    _insert_recipients(broadcast, contacts, languages, message_ids)
    queued = [
        language
        for language, message_id in zip(languages, message_ids, strict=True)
        if message_id is not None
    ]
    # Nobody to send to: nothing will ever finish, so it is sent as it stands.
    broadcast.status = BroadcastStatus.SENDING if queued else BroadcastStatus.SENT
    broadcast.queued_at = now
    broadcast.recipient_count = len(queued)
    broadcast.segment_count = sum(segments_of[language] for language in queued)
    broadcast.published = _published(broadcast)
    broadcast.save(
        update_fields=["status", "queued_at", "recipient_count", "segment_count", "published"]
    )


def _insert_recipients(
    broadcast: Broadcast, contacts: list[Any], languages: list[str], message_ids: list[str | None]
) -> None:
    """One row per contact a message was queued for, by multi-row INSERTs."""
    meta = BroadcastRecipient._meta
    quote = connection.ops.quote_name
    rows = [
        (broadcast.pk.hex, contact, language, message_id)
        for contact, language, message_id in zip(contacts, languages, message_ids, strict=True)
        if message_id is not None
    ]
    column_of = {field.name: field.column for field in meta.local_concrete_fields}
    columns = ", ".join(
        quote(column_of[name]) for name in ("broadcast", "contact", "language", "message")
    )
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def finish_broadcasts() -> int:
    """Mark ``sent`` the sending broadcasts none of whose messages is still waiting.

    A message is finished once sent, delivered, failed or dropped (an expired
    one is dropped by the outbox's own sweep). Audited once per broadcast, by
    the system. Return how many were finished.
    """
    waiting = BroadcastRecipient.objects.filter(
        broadcast=OuterRef("pk"), message__status__in=WAITING
    )
    with transaction.atomic():
        done = list(
            Broadcast.objects.select_for_update()
            .filter(status=BroadcastStatus.SENDING)
            .exclude(Exists(waiting))
        )
        for broadcast in done:
            broadcast.status = BroadcastStatus.SENT
            broadcast.save(update_fields=["status"])
            record_event(actor=None, action="alerts.broadcast_finish", target=broadcast)
    return len(done)
