"""Celery jobs of the report chain: ids or a date in, one service call, nothing else.

``generate_report_requests`` runs daily (from the schedules kept in the database) and after a
requirement is created (queued with ``transaction.on_commit``). It is idempotent: the database's
unique key (requirement, unit, period) makes a second run, or a redelivered message, a no-op.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from audit.services import current_source
from reports import services


@shared_task(name="reports.jobs.generate_report_requests", acks_late=True)
def generate_report_requests(requirement_id: int | None = None, until: str | None = None) -> int:
    """Create the report requests of the periods that have begun (or begin within the
    look-ahead), for one requirement or all of them."""
    token = current_source.set("job:generate_report_requests")
    try:
        return services.report_requests_generate_due(
            until=date.fromisoformat(until) if until else None, requirement_id=requirement_id
        )
    finally:
        current_source.reset(token)
