"""Cached dashboard sections, for the ones that read the whole subtree at every request.

At national scale the centre's dashboard would count tens of thousands of units and millions
of occurrences for its coverage, its overdue list, its laggards, its plan rows and its target
and report figures: seconds of database work. Those sections are kept in the cache (which
must be shared by every server process: Redis) under their filters, with the figures'
version and the time they were computed:

- the task services bump the version when a change to the roll-ups is committed
  (``dashboard.services.bump_version``), so a section computed before the change is stale;
- a section older than ``DASHBOARD_CACHE_SECONDS`` is stale too (report states and other
  changes that do not touch the roll-ups);
- a stale section is still shown while one request recomputes it (the others keep the old
  figures instead of queueing behind the same seconds of work), and one much older than
  that is recomputed before it is shown.

The state counts, the unit tree's task figures and the trend are never cached: they come
from the subtree roll-ups in a few milliseconds, so a task update shows at once. With
``DASHBOARD_CACHE_SECONDS = 0`` (the default without Redis, and in the tests) nothing is
cached.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from dashboard.filters import Filters
from dashboard.services import VERSION_KEY

# Stale figures are shown at most this many times ``DASHBOARD_CACHE_SECONDS`` after they
# were computed; older ones are recomputed before they are shown.
STALE_FACTOR = 10
LOCK_SECONDS = 120


def cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) or 0)


def figures_version() -> int:
    """The roll-ups' version: read once per request and passed to ``cached``."""
    if not cache_seconds():
        return 0
    try:
        return int(cache.get(VERSION_KEY) or 0)
    except Exception:  # the cache server is down: figures are computed, not cached
        return -1


def filters_key(filters: Filters, *, per_user: bool = False) -> str:
    """What a section depends on: the filters (and the reader's language, since some labels
    are rendered into the figures; and the user, for sections scoped by what they may read)."""
    parts = [
        filters.directive.pk,
        filters.plan.pk if filters.plan else "",
        filters.scope.unit.pk,
        int(filters.scope.subtree),
        filters.period.key,
        filters.bloc,
        filters.level,
        filters.today.isoformat(),
        translation.get_language() or "",
        # A reader kept out of a confidential plan of this cascade gets figures without it:
        # never shared with (or taken from) readers inside its circle.
        filters.user.pk if per_user or filters.hides_confidential else "",
    ]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def cached[T](
    section: str,
    filters: Filters,
    compute: Callable[[], T],
    *,
    version: int,
    per_user: bool = False,
) -> T:
    """``compute()``, or its cached value while it is current (see the module's docstring)."""
    seconds = cache_seconds()
    if not seconds or version < 0:
        # No cache configured, or the cache server is down (``figures_version``).
        return compute()
    key = f"dashboard:{section}:{filters_key(filters, per_user=per_user)}"
    entry = cache.get(key)
    now = time.time()
    if entry is not None:
        entry_version, computed_at, value = entry
        age = now - computed_at
        if entry_version == version and age < seconds:
            return value
        # Stale: one request recomputes it, the others show what is there meanwhile.
        if age < seconds * STALE_FACTOR and not cache.add(f"{key}:lock", 1, LOCK_SECONDS):
            return value
    try:
        value = compute()
        cache.set(key, (version, now, value), timeout=seconds * STALE_FACTOR)
    finally:
        cache.delete(f"{key}:lock")
    return value
