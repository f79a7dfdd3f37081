"""Ready-made alert texts per kind and language, their placeholders, and a preview.

A template is a gettext message with placeholders in braces: ``{town}``,
``{place}``, ``{time}``, ``{hotline}`` and ``{network}``. The draft form fills
them in each language (:func:`prefill`) and the coordinator edits the result;
what is sent is the edited text, checked by :mod:`amparo.alerts.checks`.
Templates name no person and no number but the network's own hotline.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from amparo.alerts.models import BroadcastKind
from amparo.channels.models import Encoding
from amparo.channels.segments import count_segments
from amparo.contacts.models import Language

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from amparo.incidents.models import Incident
    from amparo.places.models import Town

LANGUAGES: tuple[str, ...] = tuple(Language.values)
PLACEHOLDERS = ("town", "place", "time", "hotline", "network")

TEMPLATES: dict[str, _StrPromise] = {
    BroadcastKind.CONFIRMED: _(
        "{network} ALERT: immigration agents confirmed near {place}, {town} at {time}. "
        "Do not open the door. You may stay silent. Help: {hotline}"
    ),
    BroadcastKind.DEBUNK: _(
        "{network} FALSE ALARM: the report of agents near {place}, {town} was checked and "
        "is not true. Please do not share it. Questions: {hotline}"
    ),
    BroadcastKind.ALL_CLEAR: _(
        "{network} ALL CLEAR: the agents seen in {town} at {time} have left. "
        "Stay calm and prepared. Help: {hotline}"
    ),
    BroadcastKind.RIGHTS: _(
        "{network} REMINDER: do not open the door unless they show a warrant signed by a "
        "judge. You may stay silent. Help: {hotline}"
    ),
    BroadcastKind.NOTICE: _("{network} NOTICE for {town}: Questions: {hotline}"),
    BroadcastKind.CORRECTION: _(
        "{network} CORRECTION to our alert of {time}: Questions: {hotline}"
    ),
    BroadcastKind.RETRACTION: _(
        "{network}: please ignore our alert of {time}. It was sent in error. Questions: {hotline}"
    ),
}

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def template_for(kind: str, language: str) -> str:
    """The template of ``kind`` in ``language``, placeholders unfilled."""
    with translation.override(language):
        return str(TEMPLATES[kind])


def template_words() -> frozenset[str]:
    """Every word of every template in every language, lowercased (the name check's allowlist)."""
    words: set[str] = set()
    for kind in TEMPLATES:
        for language in LANGUAGES:
            text = _PLACEHOLDER.sub(" ", template_for(kind, language))
            words.update(word.lower() for word in re.findall(r"[^\W\d_]+", text))
    return frozenset(words)


def hotline_number() -> str:
    """The network's number as the public dials it (the first SMS sender), or ""."""
    from amparo.channels.registry import channel_configs
    from amparo.contacts.errors import ContactsError
    from amparo.contacts.phones import to_e164

    for raw in channel_configs()["sms"].senders[:1]:
        try:
            return to_e164(raw)
        except ContactsError:
            return ""
    return ""


def fill(template: str, values: dict[str, str]) -> str:
    """Put ``values`` into ``template``'s placeholders; a placeholder with no value stays."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1)) or match.group(0), template)


def unfilled(text: str) -> list[str]:
    """The placeholders still in ``text`` (``{town}``...)."""
    return [field for _, field, _, _ in string.Formatter().parse(text) if field in PLACEHOLDERS]


def local_time(at: dt.datetime) -> str:
    """A moment as people read it on a phone: 24-hour local time of the network."""
    return timezone.localtime(at).strftime("%H:%M")


def prefill(
    kind: str,
    language: str,
    *,
    towns: list[Town],
    incident: Incident | None = None,
    at: dt.datetime | None = None,
) -> str:
    """The template of ``kind`` in ``language`` with everything the system knows filled in.

    ``{place}`` gets the incident's town too (the exact place is sealed and
    never leaves the board): the coordinator replaces it with a public
    landmark or deletes it.
    """
    town_names = ", ".join(town.name for town in towns)
    if incident is not None and incident.town is not None and not town_names:
        town_names = incident.town.name
    when = at or (incident.opened_at if incident is not None else None) or timezone.now()
    values = {
        "town": town_names,
        "place": incident.town.name if incident is not None and incident.town else "",
        "time": local_time(when),
        "hotline": hotline_number(),
        "network": settings.AMPARO_NETWORK_NAME,
    }
    return fill(template_for(kind, language), values)


@dataclass(frozen=True)
class Preview:
    """How one language's text travels: its encoding, segments and length."""

    language: str
    body: str
    encoding: Encoding
    segments: int
    characters: int

    @property
    def encoding_label(self) -> str:
        return Encoding(self.encoding).label


def preview(bodies: dict[str, str]) -> list[Preview]:
    """A preview of each language's body, in the network's language order."""
    previews = []
    for language in LANGUAGES:
        body = bodies.get(language, "")
        if body:
            encoding, segments = count_segments(body)
            previews.append(Preview(language, body, encoding, segments, len(body)))
    return previews
