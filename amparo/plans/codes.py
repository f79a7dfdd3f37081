"""Plan codes and PINs: what a family writes on its card and keeps in its head.

A plan code is 8 random digits (the first not 0), shown as ``4821 9307``;
the database keeps only its blind index. A PIN is 4 to 8 digits, not all the
same and not a run (1234, 9876): those are the first ones anybody guesses.
"""

from __future__ import annotations

import itertools
import re
import secrets

from django.utils.translation import gettext as _

from amparo.crypto.vault import blind_index
from amparo.plans.errors import PlansError

CODE_DIGITS = 8
PIN_MIN, PIN_MAX = 4, 8
_SEPARATORS = re.compile(r"[\s\-.]+")


def new_code() -> str:
    return str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))


def normalize_code(text: str) -> str | None:
    """``"4821 9307"``, ``"4821-9307"`` -> ``"48219307"``; None if it is not a plan code."""
    digits = _SEPARATORS.sub("", text or "")
    if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit():
        return digits
    return None


def show_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def code_index(code: str) -> str:
    return blind_index(code, purpose="plan-code")


def _is_run(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {9})


def check_new_pin(pin: str) -> str:
    """Return ``pin`` if it may be chosen; raise :class:`PlansError` saying why not."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise PlansError(_("A PIN is 4 to 8 digits."))
    if len(set(pin)) == 1 or _is_run(pin):
        raise PlansError(_("That PIN is too easy to guess. Choose other digits."))
    return pin
