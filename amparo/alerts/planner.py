"""The fan-out planner: who gets a broadcast, what it costs, and how long it takes.

Before anything is sent the coordinator sees recipients by town and language,
messages and segments per language, the channel's senders and their rate, any
daily cap, and the estimated duration (CONTEXT.md, "US SMS rules and limits":
10,000 subscribers x 2 segments from one long code at 1 segment/s take 20,000 s,
about 5.6 hours; from a 100/s short code about 3.3 minutes). It warns when the
broadcast would take longer than :data:`TARGET_SECONDS` or outlast the
messages' validity, and says how many senders would make the target.

Segments are what carriers count and throttle, not messages: a Spanish text
with one accent is UCS-2 and may cost twice an English one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.alerts.models import BroadcastKind
from amparo.channels.gateways.base import ChannelConfig
from amparo.channels.segments import count_segments

if TYPE_CHECKING:
    from amparo.alerts.models import Broadcast

# A broadcast that takes longer than this is too slow to be of use.
TARGET_SECONDS = 15 * 60
DAY_SECONDS = 24 * 60 * 60
FALLBACK_LANGUAGE = "en"

# How long an alert stays worth sending: news of agents nearby is stale within
# hours; a reminder may wait for the channel's whole validity.
VALIDITY_BY_KIND: dict[str, int] = {
    BroadcastKind.CONFIRMED: 2 * 60 * 60,
    BroadcastKind.DEBUNK: 6 * 60 * 60,
    BroadcastKind.ALL_CLEAR: 6 * 60 * 60,
    BroadcastKind.CORRECTION: 6 * 60 * 60,
    BroadcastKind.RETRACTION: 6 * 60 * 60,
}


def validity_for(kind: str, config: ChannelConfig) -> int:
    """Seconds a broadcast's messages may wait in the outbox: by kind, never past the channel's."""
    return min(VALIDITY_BY_KIND.get(kind, config.validity_seconds), config.validity_seconds)


def language_sent(contact_language: str, bodies: dict[str, str]) -> str:
    """The language a contact is sent: theirs if the broadcast has it, else English."""
    return contact_language if bodies.get(contact_language) else FALLBACK_LANGUAGE


@dataclass(frozen=True)
class LanguageLine:
    language: str
    recipients: int
    segments_per_message: int
    encoding: str

    @property
    def segments(self) -> int:
        return self.recipients * self.segments_per_message


@dataclass
class Plan:
    """What a broadcast will cost and how long it will take. All figures are estimates."""

    by_town_language: dict[tuple[int, str], int]
    languages: list[LanguageLine]
    senders: int
    rate_per_sender: float
    daily_cap_per_sender: int | None
    validity_seconds: int
    target_seconds: int = TARGET_SECONDS
    warnings: list[str] = field(default_factory=list)

    @property
    def recipients(self) -> int:
        return sum(line.recipients for line in self.languages)

    @property
    def messages(self) -> int:
        return self.recipients

    @property
    def segments(self) -> int:
        return sum(line.segments for line in self.languages)

    @property
    def segments_per_second(self) -> float:
        return self.senders * self.rate_per_sender

    @property
    def daily_capacity(self) -> int | None:
        if self.daily_cap_per_sender is None:
            return None
        return self.senders * self.daily_cap_per_sender

    @property
    def seconds(self) -> float:
        """Time to send every segment at full rate; a daily cap adds a day per cap filled."""
        if not self.segments:
            return 0.0
        if self.segments_per_second <= 0:
            return math.inf
        capacity = self.daily_capacity
        if capacity is not None and self.segments > capacity:
            if capacity <= 0:
                return math.inf
            full_days, rest = divmod(self.segments, capacity)
            return full_days * DAY_SECONDS + rest / self.segments_per_second
        return self.segments / self.segments_per_second

    def senders_for(self, seconds: float) -> int:
        """How many senders at this rate (and cap) would send everything within ``seconds``."""
        if self.rate_per_sender <= 0 or seconds <= 0:
            return self.senders
        needed = math.ceil(self.segments / (self.rate_per_sender * seconds))
        if self.daily_cap_per_sender:
            needed = max(needed, math.ceil(self.segments / self.daily_cap_per_sender))
        return max(needed, 1)


def build_plan(
    *,
    by_town_language: dict[tuple[int, str], int],
    bodies: dict[str, str],
    config: ChannelConfig,
    kind: str,
    target_seconds: int = TARGET_SECONDS,
) -> Plan:
    """The plan of sending ``bodies`` to these recipient counts over ``config``'s senders.

    ``by_town_language`` maps (town id, contact language) to recipients, each
    contact counted once (under one of its towns); a contact whose language
    the broadcast lacks is sent English, and counted so.
    """
    per_language: dict[str, int] = {}
    for (_town, language), count in by_town_language.items():
        sent_in = language_sent(language, bodies)
        per_language[sent_in] = per_language.get(sent_in, 0) + count
    lines = []
    for language, count in sorted(per_language.items()):
        encoding, segments = count_segments(bodies.get(language, "") or " ")
        lines.append(LanguageLine(language, count, segments, str(encoding)))
    cap = config.options.get("daily_segments_per_sender")
    plan = Plan(
        by_town_language=by_town_language,
        languages=lines,
        senders=len(config.senders),
        rate_per_sender=config.rate_per_sender,
        daily_cap_per_sender=int(cap) if cap else None,
        validity_seconds=validity_for(kind, config),
        target_seconds=target_seconds,
    )
    plan.warnings = _warnings(plan)
    return plan


def _warnings(plan: Plan) -> list[str]:
    warnings: list[str] = []
    if not plan.recipients:
        return [_("Nobody would get it: no active subscriber in these towns.")]
    if plan.senders == 0:
        return [_("The channel has no sender number: nothing can be sent.")]
    capacity = plan.daily_capacity
    if capacity is not None and plan.segments > capacity:
        warnings.append(
            _(
                "The senders may send %(capacity)d segments a day in all; this broadcast "
                "needs %(segments)d. The rest waits for the next day or fails."
            )
            % {"capacity": capacity, "segments": plan.segments}
        )
    if plan.seconds > plan.validity_seconds:
        warnings.append(
            _(
                "It would take longer than its messages stay valid (%(hours)s h): the last "
                "ones would never be sent."
            )
            % {"hours": f"{plan.validity_seconds / 3600:.1f}"}
        )
    if plan.seconds > plan.target_seconds:
        needed = plan.senders_for(plan.target_seconds)
        warnings.append(
            ngettext(
                "It is slower than %(minutes)d minutes; %(needed)d sender at this rate "
                "would make it.",
                "It is slower than %(minutes)d minutes; %(needed)d senders at this rate "
                "would make it.",
                needed,
            )
            % {"minutes": plan.target_seconds // 60, "needed": needed}
        )
    return warnings


def describe_duration(seconds: float) -> str:
    """A duration as a coordinator reads it: seconds, minutes or hours."""
    if math.isinf(seconds):
        return _("never")
    if seconds < 120:
        return _("%(n)d s") % {"n": math.ceil(seconds)}
    if seconds < 2 * 3600:
        return _("%(n)s min") % {"n": f"{seconds / 60:.1f}"}
    return _("%(n)s h") % {"n": f"{seconds / 3600:.1f}"}


def plan_broadcast(broadcast: Broadcast, *, config: ChannelConfig | None = None) -> Plan:
    """The plan of ``broadcast`` as it stands now (its towns' active subscribers)."""
    from amparo.alerts.queries.broadcasts import recipient_counts
    from amparo.channels.registry import channel_configs

    config = config or channel_configs()["sms"]
    counts = recipient_counts(broadcast)
    return build_plan(
        by_town_language=counts, bodies=broadcast.bodies, config=config, kind=broadcast.kind
    )
