"""Celery jobs of the report chain: ids or a date in, one service call, nothing else.

``generate_report_requests`` runs daily (from the schedules kept in the database) and after a
requirement is created (queued with ``transaction.on_commit``). It is idempotent: the database's
unique key (requirement, unit, period) makes a second run, or a redelivered message, a no-op.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from audit.services import current_source
from reports import annual_services, services


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


@shared_task(name="reports.jobs.render_annual_report", acks_late=True)
def render_annual_report(file_id: int) -> str:
    """Render one requested annual report PDF; returns its state."""
    token = current_source.set("job:render_annual_report")
    try:
        return annual_services.annual_report_render(file_id=file_id).state
    finally:
        current_source.reset(token)


@shared_task(name="reports.jobs.render_accepted_annual_reports", acks_late=True)
def render_accepted_annual_reports(year: int | None = None) -> int:
    """Nightly: ask for the PDF of every annual report accepted since its last rendering."""
    token = current_source.set("job:render_accepted_annual_reports")
    try:
        return annual_services.annual_reports_render_accepted(year=year)
    finally:
        current_source.reset(token)
