"""Login throttling: after repeated failures for one user name (or from one address) sign-in
is refused for a while, counted in the cache so every web process shares the count."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

# Failures allowed per user name, and per client address (higher: an office shares one).
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def lockout_seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 15 * 60))


def _keys(username: str, address: str | None) -> list[tuple[str, int]]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login-fail:name:{name}", MAX_FAILURES_PER_NAME)]
    if address:
        keys.append((f"login-fail:ip:{address}", MAX_FAILURES_PER_ADDRESS))
    return keys


def is_locked(username: str, address: str | None) -> bool:
    """Whether sign-in for ``username`` from ``address`` is refused for now."""
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, address))


def record_failure(username: str, address: str | None) -> None:
    for key, _limit in _keys(username, address):
        # add() starts the window; incr() keeps its expiry, so the lock lifts on time.
        if not cache.add(key, 1, lockout_seconds()):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, lockout_seconds())


def clear(username: str) -> None:
    """A successful sign-in forgets the failures of that user name."""
    cache.delete(_keys(username, None)[0][0])
