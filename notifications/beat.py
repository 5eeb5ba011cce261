"""A Celery beat scheduler reading its schedule from ``ScheduledJob`` rows.

django-celery-beat 2.9.0 declares ``Django<6.1`` (and ``cron-descriptor<2``), so pip cannot
install it beside Django 6.1; this small scheduler keeps the same promise (schedules in the
database, changed by an administrator in the admin) until it supports Django 6.1. Enabled in
settings with ``CELERY_BEAT_SCHEDULER = "notifications.beat:DatabaseScheduler"``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from celery.beat import ScheduleEntry, Scheduler
from django.db import close_old_connections

from notifications import services
from notifications.models import ScheduledJob


def never() -> datetime:
    """ "Last ran" for a job that never ran: long ago, so it is due at once."""
    return datetime(2000, 1, 1, tzinfo=UTC)


def due_jobs(now: datetime) -> list[tuple[ScheduledJob, float]]:
    """Enabled jobs and, for each, seconds until it is due (0 when due now). A job that never
    ran is due at once; one whose run was missed while no scheduler ran is due once."""
    rows = []
    for job in ScheduledJob.objects.filter(enabled=True):
        try:
            schedule = job.crontab()
        except ValueError:
            continue
        is_due, wait = schedule.is_due(job.last_run_at or never())
        rows.append((job, 0.0 if is_due else float(wait)))
    return rows


class DatabaseEntry(ScheduleEntry):
    """A beat entry that records its runs in its ``ScheduledJob`` row."""

    def __init__(self, job: ScheduledJob, app) -> None:
        self.job_pk = job.pk
        super().__init__(
            name=job.name,
            task=job.job,
            schedule=job.crontab(),
            last_run_at=job.last_run_at or never(),
            app=app,
        )

    def is_due(self):
        return self.schedule.is_due(self.last_run_at)

    def __next__(self):
        now = self.default_now()
        ScheduledJob.objects.filter(pk=self.job_pk).update(last_run_at=now)
        self.last_run_at = now
        self.total_run_count += 1
        return self

    next = __next__


class DatabaseScheduler(Scheduler):
    """Beat's schedule is the enabled ``ScheduledJob`` rows, re-read every minute."""

    Entry = DatabaseEntry
    refresh_every = 60.0

    def __init__(self, *args, **kwargs) -> None:
        self._schedule: dict[str, DatabaseEntry] = {}
        self._loaded_at = 0.0
        super().__init__(*args, **kwargs)
        self.max_interval = min(self.max_interval or 60, 60)

    def setup_schedule(self) -> None:
        services.schedules_ensure()
        self._load()

    def _load(self) -> None:
        entries = {}
        for job in ScheduledJob.objects.filter(enabled=True):
            try:
                entries[job.name] = DatabaseEntry(job, app=self.app)
            except ValueError:
                continue
        self._schedule = entries
        self._loaded_at = time.monotonic()
        self._heap = None  # re-order beat's queue with the new entries

    @property
    def schedule(self) -> dict[str, DatabaseEntry]:
        if time.monotonic() - self._loaded_at > self.refresh_every:
            close_old_connections()  # beat runs for months: drop broken connections
            self._load()
        return self._schedule

    def reserve(self, entry: DatabaseEntry) -> DatabaseEntry:
        new_entry = next(entry)
        self._schedule[entry.name] = new_entry
        return new_entry

    def sync(self) -> None:
        """Runs are recorded as they happen; nothing to write back."""
