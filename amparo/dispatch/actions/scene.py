"""Writes of a responder's time on scene: their reports, their safety, the end of it.

A responder whose offer of an incident was accepted reports by text or on
their page (:class:`~amparo.dispatch.models.FieldReport`): arrived, checked in
(safe), confirms the report, false alarm, safe and leaving. Rules kept here:

- **Every report is a sign of life.** It sets the offer's ``checked_in_at``;
  "arrived" sets ``arrived_at`` (and so does a verdict, which is given on
  site), "leaving" sets ``left_at``: after it the offer takes no more reports
  and nobody waits for its check-ins. Only a bare check-in (no words) or a
  leaving clears ``checkin_alert_at`` (and a coordinator's
  :func:`close_deployment`): "Ok they grabbed me" is alive, not safe.
- **The incident hears it, naming no one.** Each report is a line on the
  incident's timeline ("Responder 2 (code 4821): arrived."), numbered like
  the dispatch page numbers the incident's offers. The responder's own words
  may name people: they stay sealed in the report, for the coordinators, and
  are never copied to the timeline, a text, a log or the audit chain.
- **A responder's word decides nothing.** Arrival moves the incident to
  "verifying" (:func:`amparo.incidents.actions.move_from_field`; not public).
  A confirmation or a false alarm only puts its line on the timeline ("...
  confirms the report from the scene; a coordinator decides") and flags the
  incident for the coordinators (:func:`amparo.incidents.queries.field_verdicts_to_decide`):
  the public map shows confirmed incidents, so one phone, seized or spoofed,
  must not publish one. A coordinator decides with ``confirm_incident``
  (basis "a responder on site") or ``mark_false_alarm``.
- **Their words are kept for the report retention only**
  (:func:`purge_field_notes`, the ``dispatch.purge_field_notes`` sweep).
- **Missed check-ins raise an alert** (:func:`alert_missed_checkins`, the
  ``dispatch.checkins`` sweep): a responder on scene silent for
  ``AMPARO_DISPATCH_CHECKIN_MINUTES`` is texted to check in, and the
  coordinators get a text and an e-mail that say only that a responder missed
  a check-in, with the incident's staff link. One alert per silence: the next
  sign of life clears it.
- A coordinator ends a deployment by hand (:func:`close_deployment`), e.g.
  after calling the responder.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from amparo.accounts.models import Role, User
from amparo.accounts.queries import staff_email_addresses
from amparo.audit.actions import record_event
from amparo.channels.actions import queue_message
from amparo.channels.models import Lane
from amparo.dispatch import scene as texts
from amparo.dispatch.actions.roster import DISPATCH_ROLES
from amparo.dispatch.errors import DispatchError
from amparo.dispatch.models import (
    FieldReport,
    FieldReportKind,
    Offer,
    OfferStatus,
    Responder,
    ShiftKind,
)
from amparo.dispatch.schedule import on_call
from amparo.incidents.actions import add_field_note, add_system_note, move_from_field
from amparo.incidents.models import Incident, IncidentState

if TYPE_CHECKING:
    from amparo.contacts.models import Contact

logger = logging.getLogger(__name__)

VIA = frozenset({"sms", "web"})
# A responder's verdict: recorded and put to the coordinators, never applied.
VERDICTS = frozenset({FieldReportKind.CONFIRM, FieldReportKind.FALSE_ALARM})
# Reports given on site: they set the arrival time if it was not texted.
ON_SITE = VERDICTS | {FieldReportKind.ARRIVED}
# On the web these need the responder's words: what they saw is the record.
NEEDS_NOTE_ON_WEB = frozenset({FieldReportKind.CONFIRM, FieldReportKind.FALSE_ALARM})
MAX_NOTE = 2000


def report_from_scene(
    *,
    offer: Offer,
    kind: str,
    note: str = "",
    via: str = "sms",
    by: User | None = None,
    now: dt.datetime | None = None,
) -> FieldReport:
    """Record the responder's report ``kind`` about the incident ``offer`` sent them to.

    ``via`` is "sms" (``by`` None: the responder texted) or "web" (``by`` is
    the responder's own account). Raise :class:`DispatchError` unless the
    offer is an accepted offer of an incident, not left yet, of a responder
    still on the roster, or when a confirmation or false alarm from the web
    says nothing. See the module docstring for what each report changes.
    """
    if kind not in FieldReportKind.values:
        raise ValueError(f"unknown report kind {kind!r}")
    if via not in VIA:
        raise ValueError(f"unknown way of reporting {via!r}")
    note = note.strip()[:MAX_NOTE]
    if via == "web" and kind in NEEDS_NOTE_ON_WEB and not note:
        raise DispatchError(_("Say what you saw: your words are part of the record."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_deployment(offer)
        if by is not None and locked.responder.user_id != by.pk:
            raise DispatchError(_("This is not your dispatch."))
        account = locked.responder.user
        if not locked.responder.active or (account is not None and not account.is_active):
            # Taken off the roster or their account closed (perhaps for cause): no word counts.
            raise DispatchError(_("This responder is no longer on the roster."))
        assert locked.incident is not None
        report = FieldReport.objects.create(offer=locked, kind=kind, at=now, via=via, note=note)
        locked.checked_in_at = now
        if (kind == FieldReportKind.CHECK_IN and not note) or kind == FieldReportKind.LEAVING:
            locked.checkin_alert_at = None
        if kind in ON_SITE and locked.arrived_at is None:
            locked.arrived_at = now
        if kind == FieldReportKind.LEAVING:
            locked.left_at = now
        locked.save(update_fields=["checked_in_at", "checkin_alert_at", "arrived_at", "left_at"])
        who = _who(locked)
        add_field_note(
            incident=locked.incident, note=_timeline_line(who, kind, note), by=by, at=now
        )
        if kind == FieldReportKind.ARRIVED:
            move_from_field(
                incident=locked.incident,
                to_state=IncidentState.VERIFYING,
                note=_("On the word of %(who)s from the scene.") % {"who": who},
                by=by,
            )
        record_event(actor=by, action=f"dispatch.scene_{kind.replace('-', '_')}", target=locked)
    return report


def close_deployment(*, offer: Offer, by: User) -> Offer:
    """A coordinator records that the responder is safe and gone (e.g. after a phone call).

    Sets ``left_at``, so nobody waits for their check-ins any more. An offer
    already left is returned as it is; one that is not an accepted offer of an
    incident raises :class:`DispatchError`.
    """
    if by is None or not by.has_role(*DISPATCH_ROLES):
        raise DispatchError(_("Only a coordinator records that a responder left."))
    now = timezone.now()
    with transaction.atomic():
        try:
            locked = _lock_deployment(offer)
        except _AlreadyLeft as left:
            return left.offer
        assert locked.incident is not None
        locked.left_at = now
        locked.checkin_alert_at = None
        locked.save(update_fields=["left_at", "checkin_alert_at"])
        add_field_note(
            incident=locked.incident,
            note=_("A coordinator recorded %(who)s safe and gone.") % {"who": _who(locked)},
            by=by,
            at=now,
        )
        record_event(actor=by, action="dispatch.scene_close", target=locked)
    return locked


class _AlreadyLeft(DispatchError):
    def __init__(self, offer: Offer) -> None:
        super().__init__(_("This responder has already left."))
        self.offer = offer


def _lock_deployment(offer: Offer) -> Offer:
    """``offer`` locked (its incident first, as answers do), if its responder is still out."""
    if offer.incident_id is None:
        raise DispatchError(_("A drill sends nobody anywhere."))
    Incident.objects.select_for_update(of=("self",)).filter(pk=offer.incident_id).first()
    locked = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("responder__user", "incident")
        .get(pk=offer.pk)
    )
    if locked.status != OfferStatus.ACCEPTED:
        raise DispatchError(_("Only a responder who is going can report from the scene."))
    if locked.left_at is not None:
        raise _AlreadyLeft(locked)
    return locked


def _who(offer: Offer) -> str:
    """ "responder 2 (code 4821)": numbered as the incident's dispatch page numbers offers."""
    assert offer.incident_id is not None
    ids = list(
        Offer.objects.filter(incident_id=offer.incident_id)
        .order_by("ring", "sent_at", "pk")
        .values_list("pk", flat=True)
    )
    return _("responder %(number)d (code %(code)s)") % {
        "number": ids.index(offer.pk) + 1,
        "code": offer.code,
    }


def _timeline_line(who: str, kind: str, note: str) -> str:
    if kind == FieldReportKind.CONFIRM:
        line = _("%(who)s confirms the report from the scene; a coordinator decides.") % {
            "who": who
        }
    elif kind == FieldReportKind.FALSE_ALARM:
        line = _("%(who)s says it is a false alarm; a coordinator decides.") % {"who": who}
    else:
        line = _("%(who)s: %(what)s.") % {"who": who, "what": FieldReportKind(kind).label}
    if note:
        line += " " + _("Their words are on the dispatch page.")
    return line[0].upper() + line[1:]


# --- retention -----------------------------------------------------------------------


def purge_field_notes(*, before: dt.datetime, batch: int = 500) -> int:
    """Blank the words of reports from the scene made before ``before``; return how many.

    Responders' words may name people, like a reporter's: they go after the
    report retention (``AMPARO_REPORT_RETENTION_DAYS``, the
    ``dispatch.purge_field_notes`` sweep). The kind, time and way of each
    report stay: the record of who went and when. Blanks at most ``batch``
    notes a run. A blank note is still sealed (only NULL could be queried),
    so the old reports are opened to find the words left: reports from the
    scene are few, a handful per dispatch. System work: not audited per
    report. Safe to run twice at once: both write the same blank.
    """
    purged = 0
    with transaction.atomic():
        old = FieldReport.objects.filter(at__lt=before).order_by("at", "pk")
        for report in old.iterator(chunk_size=500):
            if not report.note:
                continue
            report.note = ""
            report.save(update_fields=["note"])
            purged += 1
            if purged >= batch:
                break
    return purged


# --- safety check-ins ------------------------------------------------------------


def alert_missed_checkins(*, now: dt.datetime | None = None) -> int:
    """Alert about every responder on scene silent too long; return how many were alerted.

    On scene: an accepted offer of an incident, arrived, not left. Silent too
    long: no sign of life for ``AMPARO_DISPATCH_CHECKIN_MINUTES``, and not
    alerted since the last one. Each is texted to check in; the incident gets
    a note by the system; the coordinators get a text (those on a shift now,
    else every active one on the roster with a number) and an e-mail (active
    coordinator accounts with an address, after the commit). Safe to run
    twice at once: each offer is re-checked under its lock.
    """
    now = now or timezone.now()
    deadline = now - dt.timedelta(minutes=settings.AMPARO_DISPATCH_CHECKIN_MINUTES)
    silent = Q(
        status=OfferStatus.ACCEPTED,
        incident__isnull=False,
        arrived_at__isnull=False,
        left_at__isnull=True,
        checked_in_at__lte=deadline,
    ) & (Q(checkin_alert_at__isnull=True) | Q(checkin_alert_at__lt=F("checked_in_at")))
    alerted = 0
    for offer_id, incident_id in list(Offer.objects.filter(silent).values_list("pk", "incident")):
        with transaction.atomic():
            # The incident first, then the offer: the order answers lock them in.
            Incident.objects.select_for_update(of=("self",)).filter(pk=incident_id).first()
            locked = (
                Offer.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("responder__contact", "incident")
                .filter(silent, pk=offer_id)
                .first()
            )
            if locked is None:
                continue
            _alert_one(locked, now=now)
            alerted += 1
    return alerted


def _alert_one(offer: Offer, *, now: dt.datetime) -> None:
    incident = offer.incident
    assert incident is not None and offer.checked_in_at is not None
    offer.checkin_alert_at = now
    offer.save(update_fields=["checkin_alert_at"])
    minutes = settings.AMPARO_DISPATCH_CHECKIN_MINUTES
    add_system_note(
        incident=incident,
        note=_(
            "Safety: %(who)s has not checked in for %(minutes)d minutes; they were asked to "
            "check in and the coordinators were alerted."
        )
        % {"who": _who(offer), "minutes": minutes},
    )
    contact = offer.responder.contact
    if contact is not None:
        queue_message(
            contact=contact,
            body=texts.check_in_call_text(contact, code=offer.code),
            lane=Lane.DISPATCH,
        )
    for coordinator in _coordinators_to_text(now, missing=offer.responder):
        with translation.override(coordinator.language):
            body = texts.missed_check_in_text(incident=incident, last_seen=offer.checked_in_at)
        queue_message(contact=coordinator, body=body, lane=Lane.DISPATCH)
    addresses = staff_email_addresses(Role.COORDINATOR)
    if addresses:
        subject = texts.missed_check_in_subject()
        body = texts.missed_check_in_text(incident=incident, last_seen=offer.checked_in_at)
        transaction.on_commit(lambda: _send_mails(subject, body, addresses))
    record_event(actor=None, action="dispatch.scene_checkin_missed", target=offer)


def _coordinators_to_text(now: dt.datetime, *, missing: Responder) -> list[Contact]:
    """Coordinators on the roster with a number: those on any shift now, else every active one."""

    def reachable(responder: Responder) -> bool:
        user = responder.user
        return (
            responder.pk != missing.pk
            and responder.contact is not None
            and user is not None
            and user.is_active
            and user.role == Role.COORDINATOR
        )

    on_shift: dict[object, Responder] = {}
    for kind in (ShiftKind.FIELD, ShiftKind.OPERATOR):
        for responder in on_call(now, kind=kind):
            on_shift.setdefault(responder.pk, responder)
    chosen = [r for r in on_shift.values() if r.user_id is not None]
    if chosen:
        # on_call() does not load the account: load it for the role check.
        users = User.objects.in_bulk([r.user_id for r in chosen])
        for responder in chosen:
            responder.user = users.get(responder.user_id)
        chosen = [r for r in chosen if reachable(r)]
    if not chosen:
        chosen = [
            r
            for r in Responder.objects.filter(active=True, user__role=Role.COORDINATOR)
            .select_related("user", "contact")
            .order_by("created_at")
            if reachable(r)
        ]
    return [r.contact for r in chosen if r.contact is not None]


def _send_mails(subject: str, body: str, addresses: list[str]) -> None:
    """One e-mail per coordinator (they do not see each other's addresses)."""
    messages = [(subject, body, None, [address]) for address in addresses]
    try:
        send_mass_mail(messages, fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        # The texts went out through the outbox; never log the addresses.
        logger.warning("dispatch: check-in alert e-mail not sent (%s)", type(exc).__name__)
