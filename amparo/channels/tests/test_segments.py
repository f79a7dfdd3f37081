from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from amparo.channels.models import Encoding
from amparo.channels.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments

gsm_basic_text = st.text(alphabet=sorted(GSM7_BASIC))
gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION))
non_gsm_char = st.characters(
    codec="utf-8", exclude_characters=sorted(GSM7_BASIC | GSM7_EXTENSION)
).filter(lambda char: not 0xD800 <= ord(char) <= 0xDFFF)


def test_a_short_spanish_warning_without_accents_is_one_gsm_segment() -> None:
    assert count_segments("No abra la puerta") == (Encoding.GSM7, 1)


def test_spanish_accents_in_the_gsm_alphabet_keep_gsm() -> None:
    # é, ñ and ü are in the GSM-7 basic set; á and ó are not.
    assert count_segments("Señor, pingüino, café") == (Encoding.GSM7, 1)
    assert count_segments("No abrá")[0] == Encoding.UCS2


def test_a_portuguese_sentence_with_a_tilde_is_ucs2() -> None:
    assert count_segments("Não abra a porta, peça o mandado judicial.") == (Encoding.UCS2, 1)


def test_160_gsm_characters_fit_one_segment_and_161_need_two() -> None:
    assert count_segments("a" * 160) == (Encoding.GSM7, 1)
    assert count_segments("a" * 161) == (Encoding.GSM7, 2)
    assert count_segments("a" * 306) == (Encoding.GSM7, 2)
    assert count_segments("a" * 307) == (Encoding.GSM7, 3)


def test_extension_characters_count_two_septets() -> None:
    assert count_segments("€" * 80) == (Encoding.GSM7, 1)
    assert count_segments("€" * 81) == (Encoding.GSM7, 2)


def test_an_escape_sequence_is_not_split_across_segments() -> None:
    # 152 septets, then a two-septet "€" that would straddle the boundary.
    assert count_segments("a" * 152 + "€" + "a" * 152) == (Encoding.GSM7, 3)


def test_ucs2_limits_are_70_then_67() -> None:
    assert count_segments("ã" * 70) == (Encoding.UCS2, 1)
    assert count_segments("ã" * 71) == (Encoding.UCS2, 2)
    assert count_segments("ã" * 134) == (Encoding.UCS2, 2)
    assert count_segments("ã" * 135) == (Encoding.UCS2, 3)


def test_an_emoji_takes_two_code_units() -> None:
    assert count_segments("🚨" * 35) == (Encoding.UCS2, 1)
    assert count_segments("🚨" * 36) == (Encoding.UCS2, 2)


def test_a_surrogate_pair_is_not_split_across_segments() -> None:
    assert count_segments("ã" * 66 + "🚨" + "ã" * 66) == (Encoding.UCS2, 3)


@given(gsm_basic_text)
def test_basic_gsm_text_follows_the_160_153_rule(body: str) -> None:
    expected = 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    assert count_segments(body) == (Encoding.GSM7, expected)


@given(gsm_text, non_gsm_char, gsm_text)
def test_one_character_outside_gsm_makes_the_whole_text_ucs2(
    before: str, char: str, after: str
) -> None:
    assert count_segments(before + char + after)[0] == Encoding.UCS2


@given(st.text())
def test_segments_are_bounded_by_the_units_they_carry(body: str) -> None:
    encoding, segments = count_segments(body)
    if encoding == Encoding.GSM7:
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in body)
        single, split = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, split = 70, 67
    assert segments >= 1
    if units <= single:
        assert segments == 1
    else:
        # Never splitting a two-unit character wastes at most one unit a segment.
        assert math.ceil(units / split) <= segments <= math.ceil(units / (split - 1))


@given(st.text(), st.text())
def test_a_longer_text_never_costs_fewer_segments_in_the_same_encoding(
    body: str, more: str
) -> None:
    encoding, segments = count_segments(body)
    longer_encoding, longer_segments = count_segments(body + more)
    if longer_encoding == encoding:
        assert longer_segments >= segments
