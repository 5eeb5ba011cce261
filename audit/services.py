"""Writing the audit trail."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

from audit.models import AuditEvent

# Where the current change comes from ("web", "job:<name>", "command:<name>") and the client
# address; set by the middleware for requests and by jobs and commands for themselves.
current_source: ContextVar[str] = ContextVar("audit_source", default="code")
current_ip: ContextVar[str | None] = ContextVar("audit_ip", default=None)
# Rows waiting to be written together by the enclosing ``audit_batch``.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Write the audit rows of everything done inside in one statement at the end: a plan
    import makes dozens of changes, and one INSERT per row would dominate its time. Used
    inside the caller's transaction, so the rows still commit or roll back with the changes.
    """
    if _pending.get() is not None:
        yield
        return
    token = _pending.set([])
    try:
        yield
        rows = _pending.get() or []
        AuditEvent.objects.bulk_create(rows, batch_size=500)
    finally:
        _pending.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The plain values of ``fields`` of ``instance``, for comparing before and after."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit trail for ``action`` on ``instance`` by ``actor``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_label=(user.get_username() if user else "system")[:150],
        source=current_source.get()[:40],
        ip_address=current_ip.get(),
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        event.save()
    return event
