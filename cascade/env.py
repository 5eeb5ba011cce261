"""Typed reading of configuration from the environment.

Every reader fails loudly (ImproperlyConfigured) on a malformed value, so a typo in a deployment
never silently falls back to a default.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean written as 1/0, true/false, yes/no or on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """Read an integer."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blanks are ignored."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Read a database URL (postgres://…, sqlite:///…) into a Django DATABASES entry."""
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unknown database scheme: {raw!r}.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite keeps no server connections worth pooling; health checks just cost a query.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        # Several web workers and the scheduler write to one file. WAL lets readers go on while
        # one writes; IMMEDIATE takes the write lock when a transaction starts, so two writers
        # queue (for up to ``timeout`` seconds) instead of one failing half-way with "database
        # is locked" when its read turns into a write.
        options = config.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", 20)
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    if config["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the dashboard's large, estimate-heavy queries for seconds
        # (the national coverage list: 21 s with it, a fraction without); the pages' queries
        # are short, so it is switched off for this application's connections.
        options = config.setdefault("OPTIONS", {})
        if "jit=" not in options.get("options", ""):
            options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


def env_redis_url(name: str) -> str | None:
    """Read a redis:// URL, or None when unset (background jobs then run in-process)."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must be a redis:// URL, not {raw!r}.")
    return raw
