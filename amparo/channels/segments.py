"""How many SMS segments a text costs, and in which encoding (CONTEXT.md "US SMS rules").

A text made only of the GSM-7 alphabet (3GPP TS 23.038: the basic set, plus the
extension table whose characters take an escape and so two septets) travels as
GSM-7: 160 septets in one segment, 153 a segment once it is split (the
concatenation header takes the rest). One character outside that alphabet, an
"ã" or an emoji, turns the whole text into UCS-2: 70 UTF-16 code units in one
segment, 67 a segment once split; characters outside the Basic Multilingual
Plane (most emoji) take two code units. Carriers never split an escape sequence
or a surrogate pair across two segments, so a split text is packed greedily.
"""

from __future__ import annotations

from amparo.channels.models import Encoding

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_SEGMENT = {Encoding.GSM7: 160, Encoding.UCS2: 70}
PER_SEGMENT_WHEN_SPLIT = {Encoding.GSM7: 153, Encoding.UCS2: 67}


def encoding_of(body: str) -> Encoding:
    """GSM-7 if every character is in the GSM-7 basic set or its extension table."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in body):
        return Encoding.GSM7
    return Encoding.UCS2


def _unit_sizes(body: str, encoding: Encoding) -> list[int]:
    """The size of each character: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding == Encoding.GSM7:
        return [2 if char in GSM7_EXTENSION else 1 for char in body]
    return [2 if ord(char) > 0xFFFF else 1 for char in body]


def count_segments(body: str) -> tuple[Encoding, int]:
    """The encoding ``body`` is sent in and how many segments it costs (at least one)."""
    encoding = encoding_of(body)
    sizes = _unit_sizes(body, encoding)
    if sum(sizes) <= SINGLE_SEGMENT[encoding]:
        return encoding, 1
    capacity = PER_SEGMENT_WHEN_SPLIT[encoding]
    segments, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return encoding, segments
