"""Rate limits, counted in the cache: per API token, and per person for the browser."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

logger = logging.getLogger(__name__)


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at each request rather than once at import, so that a changed setting (and a
        # test's override) applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        # With Redis down the API keeps answering, unthrottled, as the pages keep working:
        # a partner's update matters more than counting it.
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("API throttle not counted: the cache is unreachable", exc_info=True)
            return True


class ApiTokenRateThrottle(_SettingsRate):
    """Requests made with one API token (``api_token`` rate)."""

    scope = "api_token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_hash[:32]}


class ApiSessionRateThrottle(_SettingsRate):
    """Requests made from a signed-in browser, per person (``api_session`` rate)."""

    scope = "api_session"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
