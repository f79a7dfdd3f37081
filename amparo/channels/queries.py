"""Reads of the channels app for staff: the inbox, conversations, the log, channel health.

Each ``access_*`` function checks the reader's role and writes one audit event
(a list page is one event per page view, not one per row). Lists never carry a
full phone number: they show :func:`mask_phone`'s last four digits, and the
full number is revealed only on an operator's explicit, audited request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.module_loading import import_string

from amparo.accounts.models import Role, User
from amparo.audit.actions import record_event
from amparo.channels.gateways.console import ConsoleGateway
from amparo.channels.models import (
    ChannelHealth,
    InboundKind,
    InboundMessage,
    Lane,
    OutboundMessage,
    OutboundStatus,
)
from amparo.channels.registry import channel_configs
from amparo.contacts.errors import ContactsError
from amparo.contacts.models import Contact
from amparo.contacts.phones import is_fictional_number, to_e164

# Who may do what. Admins run channels but see no conversations (DESIGN.md).
CONVERSATION_ROLES = (Role.OPERATOR, Role.COORDINATOR)
OPERATOR_ROLES = (Role.OPERATOR,)  # reply, mark handled, reveal a number, hear a voicemail
LOG_ROLES = (Role.COORDINATOR,)
HEALTH_ROLES = (Role.COORDINATOR, Role.ADMIN)
# Not admins: they see no conversations, and the simulator shows one.
SIMULATOR_ROLES = (Role.OPERATOR, Role.COORDINATOR)

INBOX_PAGE_SIZE = 50
LOG_PAGE_SIZE = 50
CONVERSATION_LIMIT = 100  # newest messages each way; older ones are in the log
SIMULATOR_LIMIT = 50
# Statuses of rows still waiting for the outbox sweep: the queue a coordinator watches.
QUEUED_STATUSES = (OutboundStatus.PENDING, OutboundStatus.SENDING, OutboundStatus.UNKNOWN)
# What the phone itself has received.
ON_THE_PHONE = (OutboundStatus.SENT, OutboundStatus.DELIVERED)
SIMULATOR_CHANNEL = "sms"


def mask_phone(phone: str) -> str:
    """``+18605550142`` -> ``•••• 0142``: enough to tell two callers apart, not to call one."""
    digits = [c for c in phone if c.isdigit()]
    return "•••• " + "".join(digits[-4:]) if len(digits) > 4 else "••••"


def _require(user: User, roles: tuple[Role, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


# --- the operators' inbox ----------------------------------------------------


def access_inbox(user: User, *, page: Any = 1) -> Page[InboundMessage]:
    """One page of inbound messages waiting for an operator, newest first.

    Rows come with their contact (for the masked number and language); bodies
    stay sealed until the conversation is opened.
    """
    _require(user, CONVERSATION_ROLES)
    waiting = (
        InboundMessage.objects.filter(needs_operator=True, handled_at__isnull=True)
        .select_related("contact")
        .order_by("-received_at", "-pk")
    )
    result = Paginator(waiting, INBOX_PAGE_SIZE).get_page(page)
    record_event(actor=user, action="channels.inbox_view")
    return result


def inbound_for_operator(user: User, message_id: Any) -> InboundMessage:
    """An inbound message an operator is about to mark handled; 404 if there is none.

    Not audited: nothing is shown, and the action that follows is.
    """
    _require(user, OPERATOR_ROLES)
    return get_object_or_404(InboundMessage.objects.select_related("contact"), pk=message_id)


def access_inbound_without_contact(user: User, message_id: Any) -> Entry:
    """A voicemail from a withheld number (or a text not yet routed), for the inbox.

    Audited as ``channels.inbound_view``; the recording link is for operators only.
    404 for a message that has a contact: its conversation shows it.
    """
    _require(user, CONVERSATION_ROLES)
    message = get_object_or_404(InboundMessage, pk=message_id, contact__isnull=True)
    record_event(actor=user, action="channels.inbound_view", target=message)
    recording = _recording_url(message) if user.has_role(*OPERATOR_ROLES) else ""
    return Entry(at=message.received_at, inbound=message, recording_url=recording)


# --- one contact's conversation ----------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One message in a conversation, inbound or outbound, in a shape templates share."""

    at: dt.datetime
    inbound: InboundMessage | None = None
    outbound: OutboundMessage | None = None
    recording_url: str = ""  # a voicemail's, and only for operators

    @property
    def body(self) -> str:
        message = self.inbound or self.outbound
        assert message is not None
        return message.body

    @property
    def is_voicemail(self) -> bool:
        return self.inbound is not None and self.inbound.kind == InboundKind.VOICEMAIL

    @property
    def waits_for_operator(self) -> bool:
        return (
            self.inbound is not None
            and self.inbound.needs_operator
            and self.inbound.handled_at is None
        )


@dataclass(frozen=True)
class Conversation:
    contact: Contact
    masked_phone: str
    entries: list[Entry]
    latest_inbound: InboundMessage | None
    opted_out: bool
    truncated: bool = False
    waiting: list[InboundMessage] = field(default_factory=list)


def access_conversation(user: User, contact_id: Any) -> Conversation:
    """A contact's texts, voicemails and replies in time order (the newest 100 each way).

    Audited as ``channels.conversation_view`` on the contact. A voicemail's
    recording link is filled in for operators only.
    """
    _require(user, CONVERSATION_ROLES)
    contact = get_object_or_404(Contact, pk=contact_id)
    record_event(actor=user, action="channels.conversation_view", target=contact)
    return _conversation(contact, with_recordings=user.has_role(*OPERATOR_ROLES))


def contact_for_reply(user: User, contact_id: Any) -> Contact:
    """The contact an operator replies to; 404 if there is none. The reply itself is audited."""
    _require(user, OPERATOR_ROLES)
    return get_object_or_404(Contact, pk=contact_id)


def latest_inbound(contact: Contact) -> InboundMessage | None:
    return contact.inbound.order_by("-received_at", "-pk").first()


def access_phone(user: User, contact_id: Any) -> tuple[Conversation, str]:
    """The conversation and the contact's full number, for an operator who asked to see it.

    Two audit events: the conversation view and ``channels.phone_reveal``.
    """
    _require(user, OPERATOR_ROLES)
    conversation = access_conversation(user, contact_id)
    record_event(actor=user, action="channels.phone_reveal", target=conversation.contact)
    return conversation, conversation.contact.phone


def _conversation(contact: Contact, *, with_recordings: bool) -> Conversation:
    inbound = list(contact.inbound.order_by("-received_at", "-pk")[: CONVERSATION_LIMIT + 1])
    outbound = list(
        contact.outbound.select_related("sent_by").order_by("-created_at", "-pk")[
            : CONVERSATION_LIMIT + 1
        ]
    )
    truncated = len(inbound) > CONVERSATION_LIMIT or len(outbound) > CONVERSATION_LIMIT
    inbound, outbound = inbound[:CONVERSATION_LIMIT], outbound[:CONVERSATION_LIMIT]
    entries = [
        Entry(
            at=message.received_at,
            inbound=message,
            recording_url=_recording_url(message) if with_recordings else "",
        )
        for message in inbound
    ]
    entries += [Entry(at=message.created_at, outbound=message) for message in outbound]
    entries.sort(key=lambda entry: entry.at)
    return Conversation(
        contact=contact,
        masked_phone=mask_phone(contact.phone),
        entries=entries,
        latest_inbound=inbound[0] if inbound else None,
        opted_out=contact.is_opted_out,
        truncated=truncated,
        waiting=[e.inbound for e in entries if e.inbound is not None and e.waits_for_operator],
    )


def _recording_url(message: InboundMessage) -> str:
    """Where an operator listens: our own audited page, never the provider's URL.

    The provider's link would end up in the browser's history, and the
    provider (with HTTP authentication for media on) asks for the account's
    keys, which staff do not have.
    """
    if not _provider_recording_url(message):
        return ""
    return reverse("channels:recording", args=[message.pk])


def _provider_recording_url(message: InboundMessage) -> str:
    if message.kind != InboundKind.VOICEMAIL or not isinstance(message.media, dict):
        return ""
    url = message.media.get("recording_url", "")
    return url if isinstance(url, str) and url.startswith("https://") else ""


def access_recording(user: User, message_id: Any) -> str:
    """The provider's URL of a voicemail's recording, for an operator about to hear it.

    Audited as ``channels.recording_listen``. 404 when there is no recording.
    """
    _require(user, OPERATOR_ROLES)
    message = get_object_or_404(InboundMessage, pk=message_id, kind=InboundKind.VOICEMAIL)
    url = _provider_recording_url(message)
    if not url:
        raise Http404
    record_event(actor=user, action="channels.recording_listen", target=message)
    return url


# --- the message log -----------------------------------------------------------


def access_message_log(
    user: User, *, status: str = "", lane: int | None = None, page: Any = 1
) -> Page[OutboundMessage]:
    """One page of the outbox, newest first, optionally filtered; no bodies are read."""
    _require(user, LOG_ROLES)
    rows = OutboundMessage.objects.select_related("contact").order_by("-created_at", "-pk")
    if status:
        rows = rows.filter(status=status)
    if lane is not None:
        rows = rows.filter(lane=lane)
    result = Paginator(rows, LOG_PAGE_SIZE).get_page(page)
    record_event(actor=user, action="channels.log_view")
    return result


# --- channel health ------------------------------------------------------------


@dataclass(frozen=True)
class ChannelState:
    name: str
    gateway: str  # the gateway package, e.g. "console" or "twilio"
    senders: int
    rate: float  # segments per second, all senders together
    depth: dict[int, dict[str, int]]  # lane -> status -> rows
    queued: int
    oldest_pending_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error_at: dt.datetime | None
    last_error_code: str

    def depth_rows(self) -> list[tuple[str, list[int]]]:
        """(lane label, rows per queued status) for each lane, in priority order."""
        return [
            (str(lane.label), [self.depth.get(lane.value, {}).get(s, 0) for s in QUEUED_STATUSES])
            for lane in Lane
        ]


def channel_health(user: User) -> list[ChannelState]:
    """Per configured channel: gateway, senders, rate, queue depth and last success or error.

    Holds no personal data, so it is role-checked but not audited.
    """
    _require(user, HEALTH_ROLES)
    depth: dict[str, dict[int, dict[str, int]]] = {}
    for row in (
        OutboundMessage.objects.filter(status__in=QUEUED_STATUSES)
        .values("channel", "lane", "status")
        .annotate(rows=Count("pk"))
        .order_by()
    ):
        lanes = depth.setdefault(row["channel"], {})
        lanes.setdefault(row["lane"], {})[row["status"]] = row["rows"]
    oldest = dict(
        OutboundMessage.objects.filter(status=OutboundStatus.PENDING)
        .values("channel")
        .annotate(oldest=Min("created_at"))
        .order_by()
        .values_list("channel", "oldest")
    )
    health = {h.channel: h for h in ChannelHealth.objects.all()}
    states = []
    for name, config in channel_configs().items():
        record = health.get(name)
        lanes = depth.get(name, {})
        states.append(
            ChannelState(
                name=name,
                gateway=config.gateway.rsplit(".", 2)[-2],
                senders=len(config.senders),
                rate=len(config.senders) * config.rate_per_sender,
                depth=lanes,
                queued=sum(sum(statuses.values()) for statuses in lanes.values()),
                oldest_pending_at=oldest.get(name),
                last_success_at=record.last_success_at if record else None,
                last_error_at=record.last_error_at if record else None,
                last_error_code=record.last_error_code if record else "",
            )
        )
    return states


# --- the phone simulator (console gateway only) --------------------------------


def simulator_available() -> bool:
    """True when texts to the sms channel go nowhere real: the console gateway, outside production.

    A production install set to the console gateway is misconfigured, and a page
    that lets staff text the system as any number has no place there.
    """
    if settings.AMPARO_MODE == "production":
        return False
    config = channel_configs().get(SIMULATOR_CHANNEL)
    if config is None:
        return False
    gateway = import_string(config.gateway)
    return isinstance(gateway, type) and issubclass(gateway, ConsoleGateway)


def simulator_sender() -> str:
    """The number the fake phone texts: the sms channel's first sender."""
    senders = channel_configs()[SIMULATOR_CHANNEL].senders
    return senders[0] if senders else ""


@dataclass(frozen=True)
class PhoneEntry:
    """A message as the fake phone sees it: sent by the phone, or received from us."""

    at: dt.datetime
    from_phone: bool
    body: str


@dataclass(frozen=True)
class SimulatedPhone:
    phone: str
    contact: Contact | None
    entries: list[PhoneEntry]


def access_simulated_phone(user: User, phone: str) -> SimulatedPhone:
    """What the fake phone ``phone`` shows: its texts and the replies sent to it, oldest first.

    Only replies the outbox has sent appear, as on a real phone. Audited as
    ``channels.simulator_view`` on the contact once the number is one.
    """
    _require(user, SIMULATOR_ROLES)
    try:
        phone = to_e164(phone)
    except ContactsError:
        return SimulatedPhone(phone=phone, contact=None, entries=[])
    if not is_fictional_number(phone):
        return SimulatedPhone(phone=phone, contact=None, entries=[])
    contact = Contact.objects.matching(phone=phone).first()
    if contact is None:
        return SimulatedPhone(phone=phone, contact=None, entries=[])
    record_event(actor=user, action="channels.simulator_view", target=contact)
    texts: QuerySet[InboundMessage] = contact.inbound.filter(
        channel=SIMULATOR_CHANNEL, kind=InboundKind.SMS
    ).order_by("-received_at", "-pk")[:SIMULATOR_LIMIT]
    replies: QuerySet[OutboundMessage] = contact.outbound.filter(
        channel=SIMULATOR_CHANNEL, status__in=ON_THE_PHONE, sent_at__isnull=False
    ).order_by("-sent_at", "-pk")[:SIMULATOR_LIMIT]
    entries = [PhoneEntry(at=t.received_at, from_phone=True, body=t.body) for t in texts]
    entries += [
        PhoneEntry(at=r.sent_at, from_phone=False, body=r.body) for r in replies if r.sent_at
    ]
    entries.sort(key=lambda entry: entry.at)
    return SimulatedPhone(phone=phone, contact=contact, entries=entries[-SIMULATOR_LIMIT:])
