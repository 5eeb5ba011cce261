"""Rate limits per API token and per signed-in person, counted where every process sees the
same count: in Redis when it is configured and answering, otherwise in the database
(``accounts.counters``). A per-process count (the in-memory cache of a start without Redis)
would multiply the limit by the number of workers, and skipping the count while Redis is down
would lift it altogether."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.counters import counter_hit, counters_read
from api.models import ApiToken

logger = logging.getLogger(__name__)


def cache_is_shared() -> bool:
    """Whether the default cache is one every web process shares (Redis)."""
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


class _SharedRate(SimpleRateThrottle):
    _wait: float | None = None

    def get_rate(self) -> str | None:
        # Read at each request rather than once at import, so that a changed setting (and a
        # test's override) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        if cache_is_shared():
            try:
                return super().allow_request(request, view)
            except (RedisError, OSError):
                logger.warning("API rate counted in the database: Redis is unreachable")
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = timezone.now()
        key = f"api:{key}"
        if counter_hit(key=key, window=timedelta(seconds=self.duration), now=now) <= (
            self.num_requests
        ):
            return True
        current = counters_read(keys=[key], now=now).get(key)
        ends = current.window_ends_at if current else now
        self._wait = max(1.0, (ends - now).total_seconds())
        return False

    def wait(self) -> float | None:
        if self._wait is not None:
            return float(math.ceil(self._wait))
        return super().wait()


class ApiTokenRateThrottle(_SharedRate):
    """Requests made with one API token (``api_token`` rate)."""

    scope = "api_token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_hash[:32]}


class ApiSessionRateThrottle(_SharedRate):
    """Requests made from a signed-in browser, per person (``api_session`` rate)."""

    scope = "api_session"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
