"""Celery jobs of the accounts app: one service call each."""

from __future__ import annotations

from celery import shared_task

from accounts.counters import counters_prune


@shared_task(name="accounts.jobs.prune_counters", acks_late=True, ignore_result=True)
def prune_counters() -> int:
    """Delete the sign-in and rate counters whose window ended more than a day ago."""
    return counters_prune()
