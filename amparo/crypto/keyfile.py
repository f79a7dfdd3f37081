"""Reading, checking and generating the key set (``AMPARO_KEYS``).

This module uses only the standard library so that ``amparo.settings`` can
import it cheaply. The key set is JSON::

    {
      "active": "k2",                       # id of the key new ciphertext uses
      "encryption": {"k1": "<base64 32 bytes>", "k2": "<base64 32 bytes>"},
      "mac": "<base64 32 bytes>"            # blind indexes and the audit chain
    }

Old encryption keys stay listed until ``amparo keys rotate`` has re-encrypted
every value under the active one; then they can be removed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import TypedDict

KEY_BYTES = 32
KEY_ID_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


class KeySetError(ValueError):
    """The key set is malformed; the message says how, never the key itself."""


class KeySet(TypedDict):
    active: str
    encryption: dict[str, str]
    mac: str


def _decode_key(label: str, value: object) -> bytes:
    if not isinstance(value, str):
        raise KeySetError(f"{label} must be a base64 string.")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeySetError(f"{label} is not valid base64.") from exc
    if len(raw) != KEY_BYTES:
        raise KeySetError(f"{label} must decode to {KEY_BYTES} bytes, not {len(raw)}.")
    if raw == bytes(KEY_BYTES):
        raise KeySetError(f"{label} is all zeros; generate a real key.")
    return raw


def parse_key_set(document: str) -> KeySet:
    """Parse and check a key set; raise :class:`KeySetError` saying what is wrong."""
    try:
        data = json.loads(document)
    except json.JSONDecodeError as exc:
        raise KeySetError(f"the key set is not valid JSON (line {exc.lineno}).") from exc
    if not isinstance(data, dict):
        raise KeySetError("the key set must be a JSON object.")
    encryption = data.get("encryption")
    if not isinstance(encryption, dict) or not encryption:
        raise KeySetError('"encryption" must map key ids to keys.')
    for key_id, value in encryption.items():
        if not key_id or not set(key_id) <= KEY_ID_ALPHABET or len(key_id) > 32:
            raise KeySetError(f"key id {key_id!r} must be 1-32 characters of a-z, 0-9, '-' or '_'.")
        _decode_key(f"encryption key {key_id!r}", value)
    active = data.get("active")
    if not isinstance(active, str) or active not in encryption:
        raise KeySetError('"active" must name one of the encryption keys.')
    _decode_key('"mac"', data.get("mac"))
    return KeySet(active=active, encryption=dict(encryption), mac=data["mac"])


def decode_key(value: str) -> bytes:
    """Decode one key of a checked key set."""
    return _decode_key("key", value)


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def new_key_id() -> str:
    return "k" + secrets.token_hex(4)


def generate_key_set() -> KeySet:
    """Return a fresh key set with one encryption key and one MAC key."""
    key_id = new_key_id()
    return KeySet(active=key_id, encryption={key_id: _new_key()}, mac=_new_key())


def with_new_active_key(key_set: KeySet) -> KeySet:
    """Return ``key_set`` with a new encryption key added and made active."""
    key_id = new_key_id()
    encryption = dict(key_set["encryption"])
    encryption[key_id] = _new_key()
    return KeySet(active=key_id, encryption=encryption, mac=key_set["mac"])


def dump_key_set(key_set: KeySet) -> str:
    return json.dumps(key_set, indent=2, sort_keys=True) + "\n"


def write_private_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` readable by the owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: a fresh, unpredictable name created 0600 with O_EXCL, so neither a
    # leftover file nor a planted symlink can receive the keys.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate_secret_key() -> str:
    """A Django SECRET_KEY: 64 URL-safe random characters."""
    return secrets.token_urlsafe(48)
