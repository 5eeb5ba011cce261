"""Cached dashboard sections, for the ones that read the whole subtree at every request.

At national scale the centre's dashboard would count tens of thousands of units and millions
of occurrences for its coverage, its overdue list, its laggards, its plan rows and its target
and report figures: seconds of database work. Those sections (``dashboard.sections``) are
kept in the cache (which must be shared by every server process: Redis) under their filters,
with the figures' version and the time they were computed:

- the task services bump the version when a change to the roll-ups is committed
  (``rollups.services.bump_version``), so a section computed before the change is stale;
- a section older than ``DASHBOARD_CACHE_SECONDS`` is stale too (report states and other
  changes that do not touch the roll-ups);
- a stale section is still shown while a job recomputes it (``dashboard.jobs``): no reader
  waits seconds because someone else saved a change. Only a section never computed, or one
  much older than ``DASHBOARD_CACHE_SECONDS``, is computed while the reader waits.

A section shown as a whole block (targets, reports, laggards) is also kept rendered, beside
the figures it was rendered from (``cached_rendered``).

The state counts, the unit tree's task figures and the trend are never cached: they come
from the subtree roll-ups in a few milliseconds, so a task update shows at once. With
``DASHBOARD_CACHE_SECONDS = 0`` (the default without Redis, and in the tests) nothing is
cached.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from background import services as background
from dashboard.filters import Filters, NoAccess, NoDirective, resolve
from dashboard.sections import SECTIONS
from rollups.services import VERSION_KEY

logger = logging.getLogger(__name__)

# Stale figures are shown at most this many times ``DASHBOARD_CACHE_SECONDS`` after they
# were computed; older ones are recomputed before they are shown.
STALE_FACTOR = 10
# How long one refresh of a section may take before another may be queued.
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


def filters_key(section: str, filters: Filters) -> str:
    """The cache key of ``section`` for ``filters``: what it depends on (and the reader's
    language, since some labels are rendered into the figures; and the user, for sections
    scoped by what they may read)."""
    per_user = SECTIONS[section].per_user
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
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"dashboard:{section}:{digest}"


def _store(key: str, version: int, value: object) -> None:
    cache.set(key, (version, time.time(), value), timeout=cache_seconds() * STALE_FACTOR)


def cached(section: str, filters: Filters, *, version: int) -> object:
    """``section`` computed for ``filters``, or its cached value while it is current (see the
    module's docstring)."""
    return _entry(section, filters, version=version).value


def cached_rendered(
    section: str, filters: Filters, *, version: int, template: str
) -> tuple[object, str]:
    """``section``'s value as ``cached`` gives it, and its HTML rendered by ``template`` (a
    partial given the value under the section's name, and the filters).

    The HTML is kept beside the figures it was rendered from, with their version and time,
    so a large table (the targets of every province) is rendered once per computation, not
    at every view; while it is current the figures are not even read (the value returned
    is then read only if someone looks at it)."""
    if not cache_seconds() or version < 0:
        value = SECTIONS[section].compute(filters)
        return value, render_to_string(template, {section: value, "filters": filters})
    key = f"{filters_key(section, filters)}:html"
    try:
        kept = cache.get(key)
    except Exception:  # the cache server went down: computed and rendered
        kept = None
    if kept is not None and _is_current(kept[0], kept[1], version):
        lazy = SimpleLazyObject(lambda: cached(section, filters, version=version))
        # Rendered by our own template from the figures of that computation.
        return lazy, mark_safe(kept[2])
    entry = _entry(section, filters, version=version)
    if kept is not None and entry.computed_at is not None and kept[1] == entry.computed_at:
        return entry.value, mark_safe(kept[2])  # the stale figures' own rendering
    html = render_to_string(template, {section: entry.value, "filters": filters})
    if entry.computed_at is not None:
        try:
            cache.set(
                key,
                (entry.version, entry.computed_at, str(html)),
                timeout=cache_seconds() * STALE_FACTOR,
            )
        except Exception:
            logger.warning("Could not store the rendered dashboard section %s.", section)
    return entry.value, html


class Entry(NamedTuple):
    """A section's value, with the version and time it was computed at (both None when it
    was computed for this reader and not stored)."""

    value: object
    version: int | None = None
    computed_at: float | None = None


def _is_current(entry_version: int, computed_at: float, version: int) -> bool:
    return entry_version == version and time.time() - computed_at < cache_seconds()


def _entry(section: str, filters: Filters, *, version: int) -> Entry:
    compute = SECTIONS[section].compute
    seconds = cache_seconds()
    if not seconds or version < 0:
        # No cache configured, or the cache server is down (``figures_version``).
        return Entry(compute(filters))
    key = filters_key(section, filters)
    try:
        stored = cache.get(key)
    except Exception:  # the cache server went down after the version was read
        return Entry(compute(filters))
    if stored is not None:
        stored_version, computed_at, value = stored
        entry = Entry(value, stored_version, computed_at)
        if _is_current(entry.version, entry.computed_at, version):
            return entry
        if time.time() - entry.computed_at < seconds * STALE_FACTOR:
            # Stale: shown while one job (the first reader to see it stale queues it)
            # computes the figures again.
            if cache.add(f"{key}:lock", 1, LOCK_SECONDS):
                _queue_refresh(section, filters)
            return entry
    entry = Entry(compute(filters), version, time.time())
    try:
        cache.set(
            key, (entry.version, entry.computed_at, entry.value), timeout=seconds * STALE_FACTOR
        )
    except Exception:  # the figures are shown; the next reader computes them again
        logger.warning("Could not store the dashboard section %s.", section)
        return Entry(entry.value)
    return entry


def _queue_refresh(section: str, filters: Filters) -> None:
    arguments = {
        "section": section,
        "user_id": filters.user.pk,
        "query": filters.query(),
        "today": filters.today.isoformat(),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }

    # Not kept while the broker is down: the stale figures stay shown, and the next reader
    # after the lock expires asks again.
    background.enqueue_on_commit("dashboard.jobs.refresh_section", kwargs=arguments, keep=False)


def refresh(*, section: str, user_id: int, query: str, today: date, language: str) -> bool:
    """Compute ``section`` again for the filters ``query`` gives ``user_id`` on ``today`` and
    store it as current. False when the user may no longer look at those figures (nothing is
    stored) or the section is unknown."""
    from django.http import QueryDict

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or section not in SECTIONS:
        return False
    with translation.override(language):
        try:
            filters = resolve(user, QueryDict(query), today=today)
        except (Http404, NoAccess, NoDirective):
            return False
        key = filters_key(section, filters)
        # The version is read before computing: a change saved meanwhile leaves it stale.
        version = figures_version()
        if version < 0:
            return False
        try:
            _store(key, version, SECTIONS[section].compute(filters))
            # Its HTML was rendered from the figures just replaced.
            cache.delete(f"{key}:html")
        finally:
            cache.delete(f"{key}:lock")
    return True
