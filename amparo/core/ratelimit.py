"""Counting hits per caller in fixed windows, held in the cache for the window only.

The doors that take reports from the public (the web form, SMS) ask :func:`allow`
before they do the work. Counters live in the default cache, which settings keep
in memory: nothing about a caller, not even a hashed address, reaches a disk, and a
counter disappears when its window ends. The key (an address, a phone number) is
never used as it is: it goes through a keyed hash first, so even the process's
memory holds no address.

Each process keeps its own counters (``LocMemCache``): with several web workers a
caller spread over all of them gets up to ``limit`` hits per worker. The limit is
a brake on floods, not an exact quota.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from amparo.crypto.vault import blind_index

_PREFIX = "ratelimit"


def _now() -> float:
    return time.time()


def allow(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit of ``key`` in ``scope``; False once it has had ``limit`` in this window.

    ``scope`` names the door ("report-web", "report-sms"...), so one caller's hits
    at one door do not count at another. Windows are fixed (they start at
    multiples of ``window_seconds`` since the epoch): a caller may get up to
    twice ``limit`` across the boundary of two windows, never more. Refused hits
    count too, so a caller who keeps trying stays refused until the window ends.
    """
    if limit < 1 or window_seconds < 1:
        raise ValueError("allow() needs a limit and a window of at least 1.")
    window = int(_now() // window_seconds)
    digest = blind_index(f"{scope}\x00{key}", purpose="rate-limit")
    cache_key = f"{_PREFIX}:{scope}:{window}:{digest}"
    # add() then incr(): both are atomic in the cache, so two requests at once
    # cannot both read the same count.
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        hits = cache.incr(cache_key)
    except ValueError:
        # The counter expired between add() and incr(): this is the window's first hit.
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return hits <= limit
