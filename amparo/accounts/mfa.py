"""allauth's MFA secrets (TOTP keys, recovery-code seeds) sealed with Amparo's keys.

allauth stores them in a JSON column and offers ``encrypt``/``decrypt`` hooks
that do nothing by default; a database dump would then let anyone compute a
staff member's codes. Here they are sealed like any personal field, and
``amparo keys rotate`` re-seals them (see :func:`amparo.accounts.actions.reseal_mfa_secrets`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter

from amparo.crypto import vault

MFA_SECRET_CONTEXT = "allauth.mfa_authenticator|secret"  # noqa: S105 (a label, not a secret)
# Where allauth keeps values it passed through encrypt(): single values and lists.
SEALED_VALUE_KEYS = ("secret", "seed")
SEALED_LIST_KEYS = ("migrated_codes",)


class StaffMFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return vault.seal_text(text, context=MFA_SECRET_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return vault.unseal_text(encrypted_text, context=MFA_SECRET_CONTEXT)


def sealed_tokens(data: dict[str, Any]) -> Iterator[str]:
    """Every sealed token in one authenticator's ``data``."""
    for key in SEALED_VALUE_KEYS:
        if isinstance(data.get(key), str):
            yield data[key]
    for key in SEALED_LIST_KEYS:
        yield from (value for value in data.get(key) or [] if isinstance(value, str))


def resealed(data: dict[str, Any]) -> dict[str, Any] | None:
    """``data`` with every token not under the active key sealed again; None if none was."""

    def renew(token: str) -> str:
        if vault.text_key_id(token) == vault.keyring().active_id:
            return token
        plaintext = vault.unseal_text(token, context=MFA_SECRET_CONTEXT)
        return vault.seal_text(plaintext, context=MFA_SECRET_CONTEXT)

    updated = dict(data)
    for key in SEALED_VALUE_KEYS:
        if isinstance(data.get(key), str):
            updated[key] = renew(data[key])
    for key in SEALED_LIST_KEYS:
        if isinstance(data.get(key), list):
            updated[key] = [renew(v) if isinstance(v, str) else v for v in data[key]]
    return None if updated == data else updated
