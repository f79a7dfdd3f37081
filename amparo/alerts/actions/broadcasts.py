"""Writes of broadcasts: draft, submit, a second coordinator's approval, and the fan-out.

The two-person rule (DESIGN.md, security rule 6): nothing reaches the public
until a coordinator other than the author approves it
(:func:`approve_broadcast`), or its author sends it alone in an emergency
(:func:`send_with_override`), which the view allows only after a fresh
re-authentication and which is audited with the reason chosen.

Bodies are checked (:mod:`amparo.alerts.checks`) on every save: no names,
A-numbers, phone numbers or e-mail addresses. Queueing fixes the recipients
(one :class:`BroadcastRecipient` per contact, so nobody gets an alert twice,
in the contact's language, English if the broadcast lacks it); the
``alerts.materialize`` sweep then puts their messages in the outbox in
chunks, ahead of the senders (:func:`materialize_messages`, through the bulk
path :func:`amparo.channels.actions.queue_many`). Nothing is audited per
recipient.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.accounts.models import Role, User
from amparo.accounts.queries import staff_email_addresses
from amparo.alerts.checks import check_bodies
from amparo.alerts.errors import AlertsError
from amparo.alerts.models import (
    Broadcast,
    BroadcastKind,
    BroadcastRecipient,
    BroadcastStatus,
)
from amparo.alerts.planner import FALLBACK_LANGUAGE, validity_for
from amparo.alerts.queries.broadcasts import (
    WAITING,
    broadcast_db_id,
    broadcast_version,
    messages_valid_until,
    recipients_sql,
    still_materialising,
    unmade_to_send,
)
from amparo.alerts.texts import LANGUAGES, unfilled
from amparo.audit.actions import record_event
from amparo.channels.actions import drop_pending, queue_many
from amparo.channels.models import Lane, OutboundMessage, OutboundStatus
from amparo.channels.registry import channel_configs
from amparo.channels.segments import count_segments
from amparo.incidents.models import Incident, IncidentState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from amparo.places.models import Town

__all__ = [
    "COORDINATOR_ROLES",
    "OVERRIDE_REASONS",
    "approve_broadcast",
    "cancel_broadcast",
    "draft_broadcast",
    "draft_correction",
    "finish_broadcasts",
    "forget_recipients",
    "halt_broadcast",
    "materialize_messages",
    "outbox_room",
    "send_back_broadcast",
    "send_with_override",
    "submit_broadcast",
    "update_draft",
    "withdraw_from_feed",
]

logger = logging.getLogger("amparo.alerts")

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
        # No longer the version that was submitted (and maybe sent back).
        locked.submitted_at = None
        locked.save(update_fields=["bodies", "incident", "submitted_at"])
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
    """A second coordinator returns a submitted broadcast to its author as a draft. Audited.

    Never its author: sending it back to themselves would let them change the
    text under an approval page another coordinator already has open (they
    may cancel it instead).
    """
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.PENDING:
            raise AlertsError(_("Only a broadcast waiting for approval can be sent back."))
        if locked.author_id == by.pk:
            raise AlertsError(
                _("Only another coordinator may send it back. You may cancel it instead.")
            )
        # submitted_at stays: a draft that still has it was sent back and not
        # changed since (update_draft clears it), which send_with_override reads.
        locked.status = BroadcastStatus.DRAFT
        locked.save(update_fields=["status"])
        record_event(actor=by, action="alerts.broadcast_send_back", target=locked)
    return locked


def approve_broadcast(*, broadcast: Broadcast, by: User, expected: str | None = None) -> Broadcast:
    """A coordinator other than the author approves: the broadcast is queued now. Audited.

    ``expected`` is :func:`~amparo.alerts.queries.broadcasts.broadcast_version`
    of the broadcast as the approver saw it (the approval form carries it).
    If the broadcast changed since (sent back, edited and submitted again),
    nothing is approved: the approver must read the new version first. None
    (callers that are not a person's form) approves the broadcast as it is.
    """
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.PENDING:
            raise AlertsError(_("Only a broadcast waiting for approval can be approved."))
        if locked.author_id == by.pk:
            raise AlertsError(_("A second coordinator must approve: not the author."))
        if expected is not None and expected != broadcast_version(locked):
            raise AlertsError(
                _(
                    "This alert changed after you opened it. Nothing was sent: "
                    "read the new version, then approve it."
                )
            )
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
    action, ``alerts.broadcast_override_<reason>``). Refused for a draft a
    second coordinator sent back and that was not changed since: the override
    is for when nobody can check, not for overruling someone who did. Every
    other coordinator with an e-mail address is told, after the commit.

    "Sent back and not changed since" is read from the row itself: a send-back
    leaves ``submitted_at`` as it was and :func:`update_draft` clears it, so a
    draft with ``submitted_at`` was sent back since its last edit. (The audit
    chain says the same, but has no index by target: reading it would scan
    every event ever recorded, in an emergency.)
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
        if locked.status == BroadcastStatus.DRAFT and locked.submitted_at is not None:
            raise AlertsError(
                _(
                    "Another coordinator sent this alert back. Change it and submit it again, "
                    "or ask another coordinator: it cannot be sent alone as it is."
                )
            )
        _ready_to_send(locked)
        now = timezone.now()
        locked.override = True
        locked.submitted_at = locked.submitted_at or now
        locked.save(update_fields=["override", "submitted_at"])
        action = "alerts.broadcast_override_" + reason.replace("-", "_")
        record_event(actor=by, action=action, target=locked)
        _queue(locked)
        _tell_coordinators_of_override(locked, author=by)
    return locked


def _tell_coordinators_of_override(broadcast: Broadcast, *, author: User) -> None:
    """E-mail the other active coordinators, after the commit: that it happened, and a link."""
    addresses = staff_email_addresses(Role.COORDINATOR, excluding=author)
    if not addresses:
        return
    link = settings.AMPARO_PUBLIC_URL + reverse("alerts:broadcast", args=[broadcast.pk])
    subject = _("%(network)s: an alert was sent by emergency override") % {
        "network": settings.AMPARO_NETWORK_NAME
    }
    body = _("An alert was sent by emergency override, without a second coordinator. %(link)s") % {
        "link": link
    }
    transaction.on_commit(lambda: _send_mails(subject, body, addresses))


def _send_mails(subject: str, body: str, addresses: list[str]) -> None:
    """One e-mail per coordinator (they do not see each other's addresses)."""
    try:
        send_mass_mail([(subject, body, None, [address]) for address in addresses])
    except (OSError, smtplib.SMTPException) as exc:
        # The alert went out and the override is audited; never log the addresses.
        logger.warning("alerts: override e-mail not sent (%s)", type(exc).__name__)


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


def halt_broadcast(*, broadcast: Broadcast, by: User) -> Broadcast:
    """Stop a broadcast that is being sent: no more of its messages go out. Audited.

    Any coordinator may halt (stopping is always allowed, unlike sending): the
    broadcast becomes ``cancelled``, so ``alerts.materialize`` makes no more
    of its messages, and those already in the outbox but not yet sent are
    dropped (error code "halted"). A message a sender already took is past
    stopping. It leaves the public feed. Raise :class:`AlertsError` unless it
    is sending.
    """
    _require(by)
    with transaction.atomic():
        # materialize_messages locks the broadcasts it works on: a run making
        # this one's messages finishes first, and its messages are dropped here.
        locked = _lock(broadcast)
        if locked.status != BroadcastStatus.SENDING:
            raise AlertsError(_("Only an alert that is being sent can be halted."))
        locked.status = BroadcastStatus.CANCELLED
        locked.published = False
        locked.save(update_fields=["status", "published"])
        drop_pending(
            message_ids=BroadcastRecipient.objects.filter(
                broadcast=locked, message__isnull=False
            ).values("message_id"),
            error_code="halted",
        )
        record_event(actor=by, action="alerts.broadcast_halt", target=locked)
    return locked


def withdraw_from_feed(*, broadcast: Broadcast, by: User) -> Broadcast:
    """Take a broadcast off the public feed: its page and feed entries are gone. Audited.

    Any coordinator may (taking words down from the public is always allowed).
    Its messages are not touched: halt it to stop those. Raise
    :class:`AlertsError` if it is not on the feed.
    """
    _require(by)
    with transaction.atomic():
        locked = _lock(broadcast)
        if not locked.published:
            raise AlertsError(_("This alert is not on the public feed."))
        locked.published = False
        locked.save(update_fields=["published"])
        record_event(actor=by, action="alerts.broadcast_withdraw", target=locked)
    return locked


# --- the fan-out ---------------------------------------------------------------


def _published(broadcast: Broadcast) -> bool:
    if broadcast.kind in PUBLIC_KINDS:
        return True
    if broadcast.kind in CORRECTION_KINDS and broadcast.corrects_id is not None:
        return Broadcast.objects.filter(pk=broadcast.corrects_id, published=True).exists()
    return False


def _queue(broadcast: Broadcast) -> None:
    """Fix the recipients, in the approving action's transaction (the broadcast locked).

    One :class:`BroadcastRecipient` per contact, in the language it will be
    sent (the contact's, else English), written by one ``INSERT ... SELECT``:
    the only write per recipient at approval. Their outbox messages are made
    by :func:`materialize_messages` in chunks, ahead of the senders, so the
    outbox never takes 100,000 rows in one transaction (which would hold
    SQLite's writer for seconds, blocking webhooks and replies).
    """
    now = timezone.now()
    bodies = broadcast.bodies
    written = [language for language in LANGUAGES if bodies.get(language)]
    inner, params = recipients_sql(broadcast)
    sql = (
        "INSERT INTO alerts_broadcastrecipient (broadcast_id, contact_id, language) "  # noqa: S608 (our own SQL)
        "SELECT %s, r.recipient, CASE WHEN r.recipient_language IN "
        f"({', '.join(['%s'] * len(written))}) THEN r.recipient_language ELSE %s END "
        # In contact order: the indexes on the contact grow at one end, and
        # SQLite checks each contact's key in order (twice as fast as unordered).
        f"FROM ({inner}) r ORDER BY r.recipient"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [broadcast_db_id(broadcast.pk), *written, FALLBACK_LANGUAGE, *params])
    per_language = dict(
        BroadcastRecipient.objects.filter(broadcast=broadcast)
        .values_list("language")
        .annotate(count=Count("pk"))
        .order_by()
    )
    segments_of = {language: count_segments(body)[1] for language, body in bodies.items()}
    recipients = sum(per_language.values())
    # Nobody to send to: nothing will ever finish, so it is sent as it stands.
    broadcast.status = BroadcastStatus.SENDING if recipients else BroadcastStatus.SENT
    broadcast.queued_at = now
    broadcast.recipient_count = recipients
    broadcast.segment_count = sum(
        segments_of[language] * count for language, count in per_language.items()
    )
    broadcast.published = _published(broadcast)
    broadcast.save(
        update_fields=["status", "queued_at", "recipient_count", "segment_count", "published"]
    )


# Recipients made into messages per run of alerts.materialize: a short
# transaction (tens of milliseconds), run again at once while there is room.
MATERIALIZE_CHUNK = 2_000
# How far ahead of the senders messages are made: the outbox holds at most
# what the channel can send in this time, so a STOP, an expiry or a
# cancellation finds most of a big broadcast not yet in the outbox...
AHEAD_SECONDS = 180
# ...and never less than this many segments, so a slow channel still has a batch.
AHEAD_AT_LEAST = 400

_LINK_MESSAGE = (
    "UPDATE alerts_broadcastrecipient SET message_id = %s WHERE id = %s AND message_id IS NULL"
)


def outbox_room(channel: str = "sms") -> int:
    """Segments of alerts the outbox may take now: what its senders send in AHEAD_SECONDS,
    less the alert and bulk segments already waiting there."""
    config = channel_configs()[channel]
    ahead = max(len(config.senders) * config.rate_per_sender * AHEAD_SECONDS, AHEAD_AT_LEAST)
    waiting = OutboundMessage.objects.filter(
        channel=channel, status=OutboundStatus.PENDING, lane__gte=Lane.ALERT
    ).aggregate(segments=Sum("segments"))["segments"]
    return max(0, int(ahead) - (waiting or 0))


def materialize_messages(*, limit: int = MATERIALIZE_CHUNK, segments: int | None = None) -> int:
    """Put up to ``limit`` recipients' messages in the outbox; return how many were made.

    Oldest broadcast first, at most ``segments`` segments in all (None: no
    limit). Each message is what the fan-out always made (sealed, lane alert,
    in the recipient's language), valid until the broadcast's approval plus
    its validity, however late it is made. A recipient who opted out is
    skipped (and gets no message while opted out); a broadcast past its
    validity gets no more messages. Safe to run twice at once: the chunk is
    claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite
    runs one writer at a time), and a recipient is linked only while it has
    no message.
    """
    now = timezone.now()
    made = 0
    with transaction.atomic():
        # Locked so a halt waits for this run and then drops what it made; a
        # broadcast another run holds is skipped (that run is making its messages).
        broadcasts = (
            Broadcast.objects.select_for_update(skip_locked=True)
            .filter(status=BroadcastStatus.SENDING)
            .order_by("queued_at")
        )
        for broadcast in broadcasts:
            if made >= limit or (segments is not None and segments <= 0):
                break
            if not still_materialising(broadcast, now):
                continue
            costs = {
                language: count_segments(body)[1] for language, body in broadcast.bodies.items()
            }
            room = limit - made
            if segments is not None:
                room = min(room, segments // max(costs.values()))
            if room <= 0:
                break
            chunk = list(
                BroadcastRecipient.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(unmade_to_send(), broadcast=broadcast)
                .order_by("pk")
                .values_list("pk", "contact_id", "language")[:room]
            )
            if not chunk:
                continue
            message_ids = queue_many(
                messages=[
                    (contact_id, broadcast.bodies[language]) for _, contact_id, language in chunk
                ],
                lane=Lane.ALERT,
                valid_until=messages_valid_until(broadcast),
            )
            links = [
                (message_id, pk)
                for (pk, _, _), message_id in zip(chunk, message_ids, strict=True)
                if message_id is not None
            ]
            with connection.cursor() as cursor:
                cursor.executemany(_LINK_MESSAGE, links)
                if cursor.rowcount != len(links):
                    # Another run linked some first (the claim should make this
                    # impossible): undo the whole chunk rather than send twice.
                    raise RuntimeError("materialize: recipients linked by another run")
            made += len(links)
            if segments is not None:
                segments -= sum(
                    costs[language]
                    for (_, _, language), message_id in zip(chunk, message_ids, strict=True)
                    if message_id is not None
                )
    return made


def finish_broadcasts() -> int:
    """Mark ``sent`` the sending broadcasts all of whose recipients' messages are finished.

    A message is finished once sent, delivered, failed or dropped (an expired
    one is dropped by the outbox's own sweep). A recipient still without a
    message keeps the broadcast sending while its message may still be made
    (:func:`materialize_messages`); not once it opted out or the broadcast's
    validity ran out. Audited once per broadcast, by the system. Return how
    many were finished.
    """
    now = timezone.now()
    finished = 0
    with transaction.atomic():
        for broadcast in Broadcast.objects.select_for_update().filter(
            status=BroadcastStatus.SENDING
        ):
            recipients = BroadcastRecipient.objects.filter(broadcast=broadcast)
            if recipients.filter(message__status__in=WAITING).exists():
                continue
            if still_materialising(broadcast, now) and recipients.filter(unmade_to_send()).exists():
                continue
            broadcast.status = BroadcastStatus.SENT
            broadcast.save(update_fields=["status"])
            record_event(actor=None, action="alerts.broadcast_finish", target=broadcast)
            finished += 1
    return finished


# Recipients deleted per run of alerts.forget_recipients (run again at once while
# there are more): one short DELETE.
FORGET_CHUNK = 5_000


def forget_recipients(*, finished_before: dt.datetime, batch: int = FORGET_CHUNK) -> int:
    """Delete up to ``batch`` recipient rows of broadcasts finished before ``finished_before``.

    Retention (DESIGN.md, security rule 1): who got which alert is kept only as
    long as messages are (``AMPARO_MESSAGE_RETENTION_DAYS``). A broadcast is
    finished (sent or cancelled) at the latest when its messages expire, its
    queueing plus its validity; that moment must be before ``finished_before``.
    The broadcast keeps its own counts (``recipient_count``, ``segment_count``);
    a correction of it can no longer reach anyone. Return how many rows went;
    one audit event per run that deleted some (by the system).
    """
    candidates = Broadcast.objects.filter(
        status__in=(BroadcastStatus.SENT, BroadcastStatus.CANCELLED),
        queued_at__lt=finished_before,
        # Only those that still have recipients: old broadcasts cost nothing.
        pk__in=BroadcastRecipient.objects.values("broadcast_id"),
    ).values_list("pk", "queued_at", "validity_seconds")
    with transaction.atomic():
        for pk, queued_at, validity in candidates.order_by("queued_at").iterator():
            if queued_at is None or queued_at + dt.timedelta(seconds=validity) >= finished_before:
                continue
            doomed = list(
                BroadcastRecipient.objects.filter(broadcast_id=pk).values_list("pk", flat=True)[
                    :batch
                ]
            )
            if not doomed:
                continue
            BroadcastRecipient.objects.filter(pk__in=doomed).delete()
            record_event(
                actor=None,
                action="alerts.broadcast_recipients_forget",
                target_type="alerts.broadcast",
                target_id=str(pk),
            )
            return len(doomed)
    return 0
