"""A Celery beat scheduler reading its schedule from ``ScheduledJob`` rows.

django-celery-beat 2.9.0 declares ``Django<6.1`` (and ``cron-descriptor<2``), so pip cannot
install it beside Django 6.1; this small scheduler keeps the same promise (schedules in the
database, changed by an administrator in the admin) until it supports Django 6.1. Enabled in
settings with ``CELERY_BEAT_SCHEDULER = "notifications.beat:DatabaseScheduler"``.

A run is recorded (``ScheduledJob.last_run_at``) only once the broker has taken the job: when
Redis is down at a scheduled time the run stays due and is sent, once, as soon as Redis
answers again (beat tries every ``RETRY_SECONDS``). Beat also hands over the jobs that other
processes could not queue while the broker was down (``background.PendingJob``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from celery.beat import ScheduleEntry, Scheduler
from django.db import close_old_connections

from background.services import pending_jobs_flush
from notifications import services
from notifications.models import ScheduledJob

logger = logging.getLogger(__name__)

# Seconds between two tries while the broker refuses a due job, and between two hand-overs
# of the jobs kept while it was down.
RETRY_SECONDS = 10.0
FLUSH_EVERY = 30.0


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
        """The run about to be sent, in memory only: ``DatabaseScheduler.apply_entry``
        writes it to the row once the broker took the job, or takes it back."""
        self.previous_run_at = self.last_run_at
        self.last_run_at = self.default_now()
        self.total_run_count += 1
        return self

    next = __next__

    def record(self) -> None:
        """The broker took the job: keep the run in the database."""
        ScheduledJob.objects.filter(pk=self.job_pk).update(last_run_at=self.last_run_at)

    def take_back(self) -> None:
        """The broker refused the job: the run did not happen and stays due."""
        self.last_run_at = getattr(self, "previous_run_at", self.last_run_at)
        self.total_run_count -= 1


class DatabaseScheduler(Scheduler):
    """Beat's schedule is the enabled ``ScheduledJob`` rows, re-read every minute."""

    Entry = DatabaseEntry
    refresh_every = 60.0

    def __init__(self, *args, **kwargs) -> None:
        self._schedule: dict[str, DatabaseEntry] = {}
        self._loaded_at = 0.0
        self._retry_at = 0.0
        self._flush_at = 0.0
        super().__init__(*args, **kwargs)
        self.max_interval = min(self.max_interval or 60, 60)

    def tick(self, *args, **kwargs) -> float:
        """One step of beat's loop: after a refusal, wait ``RETRY_SECONDS`` before trying
        the broker again; every ``FLUSH_EVERY`` seconds hand over the pending jobs."""
        wait = self._retry_at - time.monotonic()
        if wait > 0:
            return min(wait, self.max_interval)
        if time.monotonic() >= self._flush_at:
            self._flush_at = time.monotonic() + FLUSH_EVERY
            try:
                handed = pending_jobs_flush()
            except Exception:  # the database is down: beat goes on, the rows wait
                logger.exception("Could not hand over the pending jobs.")
            else:
                if handed:
                    logger.info("Handed %s jobs kept while the broker was down.", handed)
        return super().tick(*args, **kwargs)

    def apply_entry(self, entry: DatabaseEntry, producer=None) -> None:
        """Send a due job; record the run only once the broker took it."""
        logger.info("Scheduler: sending due job %s (%s)", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as error:
            entry.take_back()
            self._heap = None  # rebuild the queue: the entry is due again
            self._retry_at = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "Could not send %s (%s); it stays due and is sent once the broker answers.",
                entry.name,
                error,
            )
            return
        try:
            entry.record()
        except Exception:  # sent but not recorded: sent again later, the jobs are idempotent
            logger.exception("Could not record the run of %s.", entry.name)

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
