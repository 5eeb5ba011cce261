"""Celery jobs of the dashboard: ids and plain values in, one call, nothing else."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from dashboard import caching


@shared_task(name="dashboard.jobs.refresh_section", acks_late=True, ignore_result=True)
def refresh_section(*, section: str, user_id: int, query: str, today: str, language: str) -> bool:
    """Compute a stale cached dashboard section again (``dashboard.caching``)."""
    return caching.refresh(
        section=section,
        user_id=user_id,
        query=query,
        today=date.fromisoformat(today),
        language=language,
    )
