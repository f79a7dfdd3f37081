"""The vault's primitives against published vectors, and its envelopes under attack."""

from __future__ import annotations

import base64

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from amparo.crypto import keyfile, vault
from amparo.crypto.vault import DecryptionError

CONTEXT = vault.row_context(table="contacts_contact", column="phone", row="row-1")


def key_set(active: str, **keys: bytes) -> keyfile.KeySet:
    """A key set with the given raw encryption keys and a fixed MAC key."""
    return keyfile.KeySet(
        active=active,
        encryption={kid: base64.b64encode(raw).decode() for kid, raw in keys.items()},
        mac=base64.b64encode(bytes(range(1, 33))).decode(),
    )


# --- known answers -------------------------------------------------------------


# McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B, test case 16.
TC16_KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
TC16_IV = bytes.fromhex("cafebabefacedbaddecaf888")
TC16_PLAINTEXT = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
TC16_AAD = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
TC16_CIPHERTEXT = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
)
TC16_TAG = bytes.fromhex("76fc6ece0f4e1768cddf8853bb2d551b")


def test_aes_256_gcm_matches_test_case_16_of_the_gcm_specification() -> None:
    sealed = vault._aes_256_gcm_encrypt(TC16_KEY, TC16_IV, TC16_PLAINTEXT, TC16_AAD)

    assert sealed == TC16_CIPHERTEXT + TC16_TAG
    assert vault._aes_256_gcm_decrypt(TC16_KEY, TC16_IV, sealed, TC16_AAD) == TC16_PLAINTEXT


def test_aes_256_gcm_refuses_test_case_16_with_one_bit_of_the_aad_changed() -> None:
    aad = TC16_AAD[:-1] + bytes([TC16_AAD[-1] ^ 1])
    with pytest.raises(DecryptionError):
        vault._aes_256_gcm_decrypt(TC16_KEY, TC16_IV, TC16_CIPHERTEXT + TC16_TAG, aad)


def test_an_envelope_has_version_key_id_nonce_then_ciphertext_and_tag() -> None:
    plaintext = b"+18605550142"
    context = vault.row_context(table="contacts_contact", column="phone", row="1")

    envelope = vault._seal_with_nonce(
        plaintext, context=context, key_id="k1", key=TC16_KEY, nonce=TC16_IV
    )

    # Same key and nonce as test case 16, so the same keystream: P xor C of the spec.
    keystream = bytes(p ^ c for p, c in zip(TC16_PLAINTEXT, TC16_CIPHERTEXT, strict=True))
    expected_body = bytes(p ^ k for p, k in zip(plaintext, keystream, strict=False))
    assert envelope[:4] == b"\x01\x02k1"
    assert envelope[4:16] == TC16_IV
    assert envelope[16:-16] == expected_body
    # The tag covers the associated data; pinned once, it catches any change to the layout.
    assert envelope[-16:].hex() == "c193c5cd88844eccb6f1f37e78e294bd"


def test_the_envelope_associated_data_names_version_key_and_cell() -> None:
    context = vault.row_context(table="contacts_contact", column="phone", row="1")

    envelope = vault._seal_with_nonce(
        b"hello", context=context, key_id="k1", key=TC16_KEY, nonce=TC16_IV
    )

    aad = b"amparo/v1|\x01\x02k1contacts_contact|phone|1"
    assert vault._aes_256_gcm_decrypt(TC16_KEY, TC16_IV, envelope[16:], aad) == b"hello"


def test_hmac_sha256_matches_rfc_4231_test_cases_1_and_2() -> None:
    assert vault._hmac_sha256(b"\x0b" * 20, b"Hi There").hex() == (
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    )
    assert vault._hmac_sha256(b"Jefe", b"what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_hkdf_sha256_matches_rfc_5869_test_case_3() -> None:
    okm = vault._hkdf_sha256(b"\x0b" * 22, info=b"", length=42)
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_a_blind_index_is_hmac_sha256_under_the_subkey_of_its_purpose() -> None:
    keys = key_set("k1", k1=bytes(range(32, 64)))
    with override_settings(AMPARO_KEYS=keys):
        subkey = vault._hkdf_sha256(bytes(range(1, 33)), info=b"amparo/blind-index/phone/v1")
        expected = vault._hmac_sha256(subkey, b"+18605550142").hex()

        assert vault.blind_index("+18605550142", purpose="phone") == expected
        assert len(expected) == 64


# --- blind indexes --------------------------------------------------------------


def test_a_blind_index_is_stable_for_one_value_and_purpose() -> None:
    assert vault.blind_index("+18605550142", purpose="phone") == vault.blind_index(
        "+18605550142", purpose="phone"
    )


def test_a_blind_index_differs_between_purposes_and_values() -> None:
    phone = vault.blind_index("+18605550142", purpose="phone")
    assert phone != vault.blind_index("+18605550142", purpose="plan-phone")
    assert phone != vault.blind_index("+18605550143", purpose="phone")


def test_a_blind_index_differs_from_the_audit_chain_digest_of_the_same_bytes() -> None:
    assert vault.blind_index("x", purpose="audit-chain") != vault.audit_digest("", b"x")


def test_a_blind_index_needs_a_plain_purpose() -> None:
    with pytest.raises(ValueError):
        vault.blind_index("+18605550142", purpose="")
    with pytest.raises(ValueError):
        vault.blind_index("+18605550142", purpose="Phone/../x")


# --- round trips ------------------------------------------------------------------


@given(st.binary(max_size=2048))
def test_any_bytes_come_back_from_seal_and_unseal(plaintext: bytes) -> None:
    assert vault.unseal(vault.seal(plaintext, context=CONTEXT), context=CONTEXT) == plaintext


@given(st.text(max_size=500))
def test_any_text_comes_back_from_seal_and_unseal(text: str) -> None:
    envelope = vault.seal(text.encode("utf-8"), context=CONTEXT)
    assert vault.unseal(envelope, context=CONTEXT).decode("utf-8") == text


def test_sealing_twice_gives_different_envelopes() -> None:
    assert vault.seal(b"Marisol Ferreira", context=CONTEXT) != vault.seal(
        b"Marisol Ferreira", context=CONTEXT
    )


def test_an_envelope_names_the_active_key() -> None:
    keys = key_set("k2", k1=bytes(range(32)), k2=bytes(range(32, 64)))
    with override_settings(AMPARO_KEYS=keys):
        envelope = vault.seal(b"x", context=CONTEXT)
        assert vault.envelope_key_id(envelope) == "k2"
        assert vault.is_sealed_with_active_key(envelope)


# --- tampering, wrong keys, wrong places ---------------------------------------


def _sealed() -> bytes:
    return vault.seal(b"+18605550142", context=CONTEXT)


def _header_length(envelope: bytes) -> int:
    return 2 + envelope[1]


@pytest.mark.parametrize("region", ["version", "key id length", "key id", "nonce", "body", "tag"])
def test_flipping_a_byte_anywhere_makes_unseal_raise(region: str) -> None:
    envelope = bytearray(_sealed())
    header = _header_length(envelope)
    position = {
        "version": 0,
        "key id length": 1,
        "key id": 2,
        "nonce": header + 5,
        "body": header + 12 + 3,
        "tag": len(envelope) - 1,
    }[region]
    envelope[position] ^= 0x01
    with pytest.raises(DecryptionError):
        vault.unseal(bytes(envelope), context=CONTEXT)


def test_every_truncation_of_an_envelope_makes_unseal_raise() -> None:
    envelope = _sealed()
    for length in range(len(envelope)):
        with pytest.raises(DecryptionError):
            vault.unseal(envelope[:length], context=CONTEXT)


def test_an_envelope_with_a_byte_appended_does_not_open() -> None:
    with pytest.raises(DecryptionError):
        vault.unseal(_sealed() + b"\x00", context=CONTEXT)


def test_a_wrong_key_under_the_same_id_makes_unseal_raise() -> None:
    with override_settings(AMPARO_KEYS=key_set("k1", k1=bytes(range(32)))):
        envelope = _sealed()
    with (
        override_settings(AMPARO_KEYS=key_set("k1", k1=bytes(range(1, 33)))),
        pytest.raises(DecryptionError),
    ):
        vault.unseal(envelope, context=CONTEXT)


def test_an_unknown_key_id_makes_unseal_raise_naming_the_key_only() -> None:
    with override_settings(AMPARO_KEYS=key_set("k1", k1=bytes(range(32)))):
        envelope = _sealed()
    with (
        override_settings(AMPARO_KEYS=key_set("k2", k2=bytes(range(1, 33)))),
        pytest.raises(DecryptionError) as raised,
    ):
        vault.unseal(envelope, context=CONTEXT)
    assert "'k1'" in str(raised.value)
    assert "8605550142" not in str(raised.value)
    assert envelope.hex() not in str(raised.value)


def test_an_envelope_does_not_open_in_another_column_or_row() -> None:
    envelope = _sealed()
    other_column = vault.row_context(table="contacts_contact", column="name", row="row-1")
    other_row = vault.row_context(table="contacts_contact", column="phone", row="row-2")
    other_table = vault.row_context(table="plans_plan", column="phone", row="row-1")
    for context in (other_column, other_row, other_table):
        with pytest.raises(DecryptionError):
            vault.unseal(envelope, context=context)


def test_a_context_cannot_be_made_ambiguous_or_left_without_a_row() -> None:
    with pytest.raises(ValueError):
        vault.row_context(table="contacts_contact|phone", column="x", row="1")
    with pytest.raises(ValueError):
        vault.row_context(table="contacts_contact", column="phone", row=None)
    with pytest.raises(ValueError):
        vault.seal(b"x", context="")
