"""The vault: the one place that turns keys into ciphertext, blind indexes and MACs.

Keys come from ``settings.AMPARO_KEYS`` (see :mod:`amparo.crypto.keyfile`),
which the settings module reads from the environment, never from the database.
The MAC key is never used directly: each purpose (blind indexes, the audit
chain) gets its own subkey derived with HKDF-SHA256, so a leak of one kind of
digest tells nothing about another.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import cache
from hashlib import sha256

from cryptography.hazmat.primitives import hashes
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


def _derive(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"amparo/{purpose}/v1".encode()
    ).derive(master)


@cache
def _keyring_for(document: str) -> Keyring:
    key_set = keyfile.parse_key_set(document)
    return Keyring(
        active_id=key_set["active"],
        encryption={kid: keyfile.decode_key(v) for kid, v in key_set["encryption"].items()},
        mac=keyfile.decode_key(key_set["mac"]),
    )


def keyring() -> Keyring:
    """The current keyring, decoded once per distinct key set (tests may swap settings)."""
    return _keyring_for(keyfile.dump_key_set(settings.AMPARO_KEYS))


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
