"""What every service shares: one transaction around the outermost service call, retried a
few times when the database gives it up to break a deadlock or a serialization conflict."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)

_inside: ContextVar[bool] = ContextVar("inside_service", default=False)

# SQLSTATEs after which running the same transaction again is the documented remedy:
# serialization_failure and deadlock_detected.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
CONFLICT_ATTEMPTS = 4


def is_conflict(error: BaseException) -> bool:
    """True for a deadlock or serialization failure (the transaction may simply be rerun)."""
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def in_one_transaction[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in one transaction, rerun (up to ``CONFLICT_ATTEMPTS`` times, after a
    short random pause) when the database aborted it for a deadlock or a serialization
    failure. Inside a transaction already open it only joins it: the outermost caller owns
    the retry, since a rolled-back transaction cannot be resumed half-way."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, CONFLICT_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                if attempt == CONFLICT_ATTEMPTS or not is_conflict(error):
                    raise
                logger.warning(
                    "%s: %s; running it again (attempt %s).", func.__qualname__, error, attempt + 1
                )
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 (jitter)
        raise AssertionError("unreachable")

    return wrapper


def atomic_service[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run the service in a transaction (a savepoint when one is already open).

    A service called by another service joins its caller's transaction instead of opening a
    savepoint of its own: services never catch each other's errors, so the outermost one
    rolls everything back, and a plan import (hundreds of nested service calls) does not pay
    two extra round trips per call. The outermost call, when no transaction is open, is
    rerun on a deadlock or a serialization failure (``in_one_transaction``).
    """

    retried = in_one_transaction(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _inside.get():
            return func(*args, **kwargs)
        token = _inside.set(True)
        try:
            return retried(*args, **kwargs)
        finally:
            _inside.reset(token)

    return wrapper
