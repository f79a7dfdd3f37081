"""The vault: the one place that turns keys into ciphertext, blind indexes and MACs.

Keys come from ``settings.AMPARO_KEYS`` (see :mod:`amparo.crypto.keyfile`),
which the settings module reads from the environment, never from the database.
The MAC key is never used directly: each purpose (blind indexes, the audit
chain) gets its own subkey derived with HKDF-SHA256, so a leak of one kind of
digest tells nothing about another.

Sealed values (:func:`seal`, :func:`unseal`) are AES-256-GCM envelopes::

    version (1 byte, 0x01) | key id length (1 byte) | key id (ASCII)
    | nonce (12 random bytes) | ciphertext | tag (16 bytes)

The associated data authenticates the header and the *context* the value
belongs to (for a model field: table, column and row id, see
:func:`row_context`), so an envelope copied to another column or another row
does not open. Nonces are random: with 96-bit nonces one key may seal about
2**32 values before a collision becomes a concern, far beyond a network's
size; rotate keys long before that.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from amparo.crypto import keyfile


@dataclass(frozen=True)
class Keyring:
    """Decoded key material. Held in memory only; never logged or repr'd."""

    active_id: str
    encryption: dict[str, bytes]
    mac: bytes

    def __repr__(self) -> str:
        return f"Keyring(active_id={self.active_id!r}, keys={sorted(self.encryption)})"


def _hkdf_sha256(master: bytes, *, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) with an empty salt."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


def _derive(master: bytes, purpose: str) -> bytes:
    return _hkdf_sha256(master, info=f"amparo/{purpose}/v1".encode())


@cache
def _keyring_for(document: str) -> Keyring:
    key_set = keyfile.parse_key_set(document)
    return Keyring(
        active_id=key_set["active"],
        encryption={kid: keyfile.decode_key(v) for kid, v in key_set["encryption"].items()},
        mac=keyfile.decode_key(key_set["mac"]),
    )


_current: tuple[object, Keyring] | None = None


def keyring() -> Keyring:
    """The current keyring, decoded once per key set object (tests may swap settings).

    Checked by identity first: serializing the key set on every call made
    audit verification twice as slow.
    """
    global _current
    key_set = settings.AMPARO_KEYS
    if _current is None or _current[0] is not key_set:
        _current = (key_set, _keyring_for(keyfile.dump_key_set(key_set)))
    return _current[1]


@cache
def _subkey(mac_key: bytes, purpose: str) -> bytes:
    return _derive(mac_key, purpose)


def audit_digest(previous: str, payload: bytes) -> str:
    """Link one audit event to the chain: HMAC-SHA256(audit subkey, previous || payload).

    Keyed, so somebody who can edit the database but does not hold the keys
    cannot recompute a consistent chain after tampering with it.
    """
    key = _subkey(keyring().mac, "audit-chain")
    return hmac.new(key, previous.encode("ascii") + b"\x00" + payload, sha256).hexdigest()


_AUDIT_HEAD_LABEL = b"amparo/audit-head/v1\x00"


def audit_head_digest(sequence: int, last_hash: str) -> str:
    """Seal the audit chain's head: HMAC-SHA256(audit subkey, label || sequence || last hash).

    Keyed like :func:`audit_digest`, so somebody without the keys cannot point
    the head at an older event after deleting the newest ones. The label has a
    NUL byte where an event's message has its previous hash (64 hex
    characters), so no head message is ever an event's message.
    """
    key = _subkey(keyring().mac, "audit-chain")
    message = b"%s%d\x00%s" % (_AUDIT_HEAD_LABEL, sequence, last_hash.encode("ascii"))
    return hmac.new(key, message, sha256).hexdigest()


# --- sealing: AES-256-GCM envelopes --------------------------------------------

ENVELOPE_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
_AAD_PREFIX = b"amparo/v1|"


class DecryptionError(Exception):
    """An envelope did not open: wrong or missing key, wrong context, truncated or tampered.

    The message names what failed (never the envelope's bytes or any plaintext).
    """


def _aes_256_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt with AES-256-GCM; return ciphertext followed by the 16-byte tag."""
    if len(key) != 32 or len(nonce) != NONCE_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key and a 12-byte nonce.")
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def _aes_256_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Check the tag and decrypt ``ciphertext || tag``; raise :class:`DecryptionError`."""
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise DecryptionError("the envelope failed authentication.") from None


def row_context(*, table: str, column: str, row: object) -> str:
    """The context that binds a sealed value to one cell: ``table|column|row``.

    Table and column may not contain ``|`` so that no two cells share a context.
    """
    if not table or not column or "|" in table or "|" in column:
        raise ValueError("table and column must be non-empty and free of '|'.")
    if row is None or str(row) == "":
        raise ValueError("a sealed value needs its row's primary key before it is sealed.")
    return f"{table}|{column}|{row}"


def _header(key_id: str) -> bytes:
    raw_id = key_id.encode("ascii")
    if not 1 <= len(raw_id) <= 255:
        raise ValueError("a key id is 1 to 255 ASCII characters.")
    return bytes((ENVELOPE_VERSION, len(raw_id))) + raw_id


def _associated_data(header: bytes, context: str) -> bytes:
    if not context:
        raise ValueError("a sealed value needs a context (see row_context).")
    return _AAD_PREFIX + header + context.encode("utf-8")


def _seal_with_nonce(
    plaintext: bytes, *, context: str, key_id: str, key: bytes, nonce: bytes
) -> bytes:
    """Seal with a given key and nonce. For known-answer tests only: never reuse a nonce."""
    header = _header(key_id)
    body = _aes_256_gcm_encrypt(key, nonce, plaintext, _associated_data(header, context))
    return header + nonce + body


def _split(envelope: bytes) -> tuple[bytes, str, bytes, bytes]:
    """Return (header, key id, nonce, ciphertext+tag) or raise :class:`DecryptionError`."""
    if not isinstance(envelope, bytes):
        raise DecryptionError("an envelope is bytes.")
    if len(envelope) < 2 or envelope[0] != ENVELOPE_VERSION:
        raise DecryptionError("the envelope has an unknown version or is truncated.")
    id_end = 2 + envelope[1]
    if envelope[1] == 0 or len(envelope) < id_end + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("the envelope is truncated.")
    try:
        key_id = envelope[2:id_end].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError("the envelope's key id is not ASCII.") from None
    nonce_end = id_end + NONCE_BYTES
    return envelope[:id_end], key_id, envelope[id_end:nonce_end], envelope[nonce_end:]


def envelope_key_id(envelope: bytes) -> str:
    """The id of the key that sealed ``envelope`` (read from its header, not verified)."""
    return _split(envelope)[1]


def _unseal_with_keys(envelope: bytes, *, context: str, keys: Mapping[str, bytes]) -> bytes:
    header, key_id, nonce, body = _split(envelope)
    key = keys.get(key_id)
    if key is None:
        raise DecryptionError(f"the envelope was sealed with key {key_id!r}, not in AMPARO_KEYS.")
    return _aes_256_gcm_decrypt(key, nonce, body, _associated_data(header, context))


def seal(plaintext: bytes, *, context: str) -> bytes:
    """Encrypt and authenticate ``plaintext`` under the active key, bound to ``context``.

    Every call draws a fresh random nonce, so sealing the same value twice gives
    different envelopes. Only :func:`unseal` with the same ``context`` opens it.
    """
    ring = keyring()
    return _seal_with_nonce(
        plaintext,
        context=context,
        key_id=ring.active_id,
        key=ring.encryption[ring.active_id],
        nonce=secrets.token_bytes(NONCE_BYTES),
    )


def unseal(envelope: bytes, *, context: str) -> bytes:
    """Check and decrypt an envelope made by :func:`seal` for the same ``context``.

    Raises :class:`DecryptionError` if the envelope is truncated or altered, was
    sealed for another context, or under a key that ``AMPARO_KEYS`` no longer holds.
    """
    return _unseal_with_keys(envelope, context=context, keys=keyring().encryption)


def is_sealed_with_active_key(envelope: bytes) -> bool:
    """True if ``envelope`` names the active key, i.e. key rotation can leave it alone."""
    return envelope_key_id(envelope) == keyring().active_id


# --- blind indexes --------------------------------------------------------------

_PURPOSE_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, sha256).digest()


def check_purpose(purpose: str) -> None:
    """Raise ``ValueError`` unless ``purpose`` is a usable blind index purpose."""
    if not purpose or not set(purpose) <= _PURPOSE_ALPHABET:
        raise ValueError("a blind index purpose is made of a-z, 0-9, '-' and '_'.")


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash of ``value`` to find a sealed value by equality: 64 hex characters.

    HMAC-SHA256 under a subkey derived from the MAC key for ``purpose``
    (``"phone"``, ``"a-number"``...), so the same value gives unrelated digests
    for different purposes. Normalise ``value`` first (E.164 for phones): the
    digest matches only byte-identical text. Equal values give equal digests by
    design, so a blind index reveals which rows share a value, never the value.
    """
    check_purpose(purpose)
    key = _subkey(keyring().mac, f"blind-index/{purpose}")
    return _hmac_sha256(key, value.encode("utf-8")).hex()


def plan_pin_digest(pin: str, *, plan_id: object) -> str:
    """A keyed digest of a family plan's PIN, bound to the plan: 64 hex characters.

    A PIN has few digits, so an unkeyed hash would fall to a brute force in
    moments; keyed with a subkey of the MAC key, a stolen database alone does
    not let anyone test PINs offline. Bound to the plan id, so equal PINs of two
    plans give unrelated digests.
    """
    key = _subkey(keyring().mac, "plan-pin")
    return _hmac_sha256(key, f"{plan_id}|{pin}".encode()).hex()


def digests_match(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


# --- sealed text: for secrets a library stores in its own text fields -------------

TEXT_PREFIX = "sealed1:"


def seal_text(text: str, *, context: str) -> str:
    """Seal ``text`` into a printable token (``sealed1:`` + URL-safe base64 envelope).

    For secrets kept by a library in its own text or JSON fields, where no
    row id is available (e.g. allauth's TOTP secrets): the context binds the
    token to its kind of secret instead of to a cell.
    """
    envelope = seal(text.encode("utf-8"), context=context)
    return TEXT_PREFIX + base64.urlsafe_b64encode(envelope).decode("ascii")


def _text_envelope(token: str) -> bytes:
    if not isinstance(token, str) or not token.startswith(TEXT_PREFIX):
        raise DecryptionError("the value is not a sealed token.")
    try:
        return base64.urlsafe_b64decode(token[len(TEXT_PREFIX) :].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise DecryptionError("the sealed token is not valid base64.") from None


def unseal_text(token: str, *, context: str) -> str:
    """Open a token made by :func:`seal_text`; a plain or altered value raises."""
    return unseal(_text_envelope(token), context=context).decode("utf-8")


def text_key_id(token: str) -> str:
    """The id of the key that sealed a :func:`seal_text` token."""
    return envelope_key_id(_text_envelope(token))
