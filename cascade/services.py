"""What every service shares: one transaction around the outermost service call."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar

from django.db import transaction

_inside: ContextVar[bool] = ContextVar("inside_service", default=False)


def atomic_service[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run the service in a transaction (a savepoint when one is already open).

    A service called by another service joins its caller's transaction instead of opening a
    savepoint of its own: services never catch each other's errors, so the outermost one
    rolls everything back, and a plan import (hundreds of nested service calls) does not pay
    two extra round trips per call.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _inside.get():
            return func(*args, **kwargs)
        token = _inside.set(True)
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        finally:
            _inside.reset(token)

    return wrapper
