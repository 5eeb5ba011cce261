"""Sign-in throttling that protects an account without handing strangers a way to lock its
owner out (docs/security.md, "The lockout").

Three counts, kept in the database (``accounts.counters``) so that every web process shares
them and they hold when Redis is down:

- a user name **from one address**: 5 failures lock that pair for ``LOGIN_LOCKOUT_SECONDS``
  (15 minutes). Someone guessing from elsewhere does not lock the owner out of their own
  office;
- **one address**, whatever the names: 20 failures (an office shares one address, so more
  than for one name) lock the address;
- **a user name from anywhere**: past 10 failures within the hour, each further try waits
  twice as long as the last (2 s, 4 s, … up to 5 minutes), which slows a guesser spread over
  many addresses to a few tries an hour.

A browser where the person signed in before carries a signed "known device" cookie for that
name (``accounts.signin``): it is counted on its own (5 failures lock that device) and neither
the name's slow-down nor its address's lock apply to it, so a stranger guessing a name from
elsewhere, or a colleague behind the same office address, cannot keep its owner out.

Every sign-in path (the site's form, the second step, the admin, whatever calls Django's
``authenticate``) is checked through ``accounts.signin``; a correct password or code clears
the counts of that name.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.counters import (
    counter_give_back,
    counter_hit,
    counters_clear,
    counters_clear_prefix,
    counters_read,
)

MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_ADDRESS = 20
# Failures of one name, from any address, before each try has to wait.
FREE_FAILURES_PER_NAME = 10
NAME_WINDOW = timedelta(hours=1)
MAX_NAME_DELAY_SECONDS = 5 * 60


def lockout_seconds() -> int:
    return int(getattr(settings, "LOGIN_LOCKOUT_SECONDS", 15 * 60))


def _name(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _pair_key(username: str, address: str | None) -> str:
    return f"signin:pair:{_name(username)}:{address or '-'}"


def _name_key(username: str) -> str:
    return f"signin:name:{_name(username)}"


def _address_key(address: str) -> str:
    return f"signin:ip:{address}"


def _name_delay(failures: int) -> int:
    """Seconds a try must wait after the last failure, once a name has ``failures``."""
    if failures < FREE_FAILURES_PER_NAME:
        return 0
    return min(2 ** (failures - FREE_FAILURES_PER_NAME + 1), MAX_NAME_DELAY_SECONDS)


def _device_key(device: str) -> str:
    return f"signin:device:{device}"


def wait_seconds(
    username: str, address: str | None, *, device: str | None = None, now: datetime | None = None
) -> int:
    """How long sign-in for ``username`` from ``address`` is refused for (0: it is not).
    ``device``: the id of a known-device cookie valid for this name, if the browser sent one."""
    now = now or timezone.now()
    if device:
        known = counters_read(keys=[_device_key(device)], now=now).get(_device_key(device))
        if known and known.count >= MAX_FAILURES_PER_PAIR:
            return max(1, math.ceil((known.window_ends_at - now).total_seconds()))
        return 0
    keys = [_pair_key(username, address), _name_key(username)]
    if address:
        keys.append(_address_key(address))
    counts = counters_read(keys=keys, now=now)
    waits = [0.0]
    pair = counts.get(keys[0])
    if pair and pair.count >= MAX_FAILURES_PER_PAIR:
        waits.append((pair.window_ends_at - now).total_seconds())
    name = counts.get(keys[1])
    if name:
        until = name.last_at + timedelta(seconds=_name_delay(name.count))
        waits.append((until - now).total_seconds())
    located = counts.get(keys[2]) if address else None
    if located and located.count >= MAX_FAILURES_PER_ADDRESS:
        waits.append((located.window_ends_at - now).total_seconds())
    return max(0, math.ceil(max(waits)))


def is_locked(username: str, address: str | None, *, device: str | None = None) -> bool:
    """Whether sign-in for ``username`` from ``address`` is refused for now."""
    return wait_seconds(username, address, device=device) > 0


def wait_minutes(username: str, address: str | None, *, device: str | None = None) -> int:
    """The wait rounded up to whole minutes, for messages."""
    return max(1, math.ceil(wait_seconds(username, address, device=device) / 60))


def attempt_begin(username: str, address: str | None, *, device: str | None = None) -> bool:
    """Count a try before the password or code is checked, and say whether it may be checked.

    The count is taken first, in one statement, so tries sent at the same moment cannot all
    pass a check made before any of them failed: the sixth of them is refused whatever their
    order. A try that succeeds is given back (``attempt_succeeded``)."""
    window = timedelta(seconds=lockout_seconds())
    if device:
        return counter_hit(key=_device_key(device), window=window) <= MAX_FAILURES_PER_PAIR
    allowed = counter_hit(key=_pair_key(username, address), window=window) <= (
        MAX_FAILURES_PER_PAIR
    )
    if address:
        allowed &= counter_hit(key=_address_key(address), window=window) <= (
            MAX_FAILURES_PER_ADDRESS
        )
    return allowed


def attempt_failed(username: str) -> None:
    """The try was wrong: it stays counted, and the name's slow-down counts it too."""
    counter_hit(key=_name_key(username), window=NAME_WINDOW)


def attempt_succeeded(address: str | None, *, device: str | None = None) -> None:
    """The password was right: the office address gets its try back (colleagues signing in
    each morning must not lock it)."""
    if address and not device:
        counter_give_back(key=_address_key(address))


def record_failure(username: str, address: str | None, *, device: str | None = None) -> None:
    """Count a wrong password or code for ``username`` from ``address`` (or, from a known
    device, for that device alone), for a check made without ``attempt_begin``."""
    attempt_begin(username, address, device=device)
    if not device:
        attempt_failed(username)


def signed_in(username: str, address: str | None, *, device: str | None = None) -> None:
    """Both steps passed: forget this address's (or device's) failures. Other addresses keep
    theirs, and the name's slow-down runs out by itself: a guesser elsewhere gets no fresh
    tries from the owner signing in (the owner's known devices are not slowed by it)."""
    keys = [_pair_key(username, address)]
    if device:
        keys.append(_device_key(device))
    counters_clear(keys=keys)


def clear(username: str) -> None:
    """A password reset (the owner proved the address) forgets every failure of the name."""
    counters_clear(keys=[_name_key(username)])
    counters_clear_prefix(prefix=f"signin:pair:{_name(username)}:")
