"""Running background jobs safely: one run at a time where it matters, and no job lost when
the broker is down.

- ``run_alone(name)``: a context manager saying whether this process may run the job ``name``
  now. PostgreSQL: a session advisory lock (released when the job ends, or when a killed
  worker's connection closes). Elsewhere (SQLite): the ``JobLock`` row claimed by a
  conditional UPDATE, with an expiry after which a dead holder's claim is taken over.
- ``enqueue_on_commit(name, *args)``: queue a Celery job, by its registered name, once the
  transaction commits; when the broker cannot be reached the job is kept as a ``PendingJob``
  row and handed over again by ``pending_jobs_flush`` (run by the scheduler) once it answers.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from background.models import JobLock, PendingJob

logger = logging.getLogger(__name__)

# Errors meaning "the broker did not take the message" (kombu wraps most of them).
BROKER_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, OSError, TimeoutError)
try:  # kombu is a dependency of Celery, always installed; kept soft for plain-Python tools
    from kombu.exceptions import OperationalError as _KombuOperationalError

    BROKER_ERRORS = (_KombuOperationalError, *BROKER_ERRORS)
except ImportError:  # pragma: no cover
    pass

DEFAULT_LOCK_SECONDS = 6 * 60 * 60


def worker_name() -> str:
    """This process, as written on the rows it claims: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def run_alone(
    name: str, *, wait: float = 0.0, expires_after: int = DEFAULT_LOCK_SECONDS
) -> Iterator[bool]:
    """Yield True when this process holds the lock ``name`` (released on leaving), False
    when another holds it: the caller then skips its run and says so.

    ``wait``: seconds to keep trying before giving up (0: one try). ``expires_after``: the
    SQLite fallback only, how long a claim stands before a holder that died is assumed gone;
    PostgreSQL needs none (the killed holder's connection ends its lock)."""
    if connection.vendor == "postgresql":
        acquired = _pg_acquire(name, wait)
        try:
            yield acquired
        finally:
            if acquired:
                _pg_release(name)
        return
    me = f"{worker_name()}:{time.monotonic_ns()}"
    acquired = _row_acquire(name, me, wait, expires_after)
    try:
        yield acquired
    finally:
        if acquired:
            JobLock.objects.filter(name=name, holder=me).update(
                holder="", acquired_at=None, expires_at=None
            )


def _pg_acquire(name: str, wait: float) -> bool:
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(name)])
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


def _pg_release(name: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(name)])
    except Exception as error:  # the connection died: its locks died with it
        logger.warning("Could not release the lock %s (%s).", name, error)


def _row_acquire(name: str, me: str, wait: float, expires_after: int) -> bool:
    if not JobLock.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name)
        except IntegrityError:
            pass  # created by a concurrent caller
    deadline = time.monotonic() + wait
    while True:
        now = timezone.now()
        claimed = (
            JobLock.objects.filter(name=name)
            .filter(Q(holder="") | Q(expires_at__lt=now))
            .update(holder=me, acquired_at=now, expires_at=now + timedelta(seconds=expires_after))
        )
        if claimed:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


# --- queueing jobs ---------------------------------------------------------------------------


def job_named(name: str) -> Any:
    """The Celery job registered as ``name`` ("notifications.jobs.send_outbox"): every job is
    named after the module that holds it, so it is found even where the Celery app has not
    discovered the jobs modules yet (a bare management command, a subprocess)."""
    from celery import current_app

    if name in current_app.tasks:
        return current_app.tasks[name]
    module, _dot, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def enqueue_on_commit(
    name: str, *args: Any, kwargs: dict[str, Any] | None = None, keep: bool = True
) -> None:
    """Queue the Celery job registered as ``name`` once the current transaction commits: the
    one way the project queues work, by name, so no service imports a jobs module (which
    would import the service back).

    Without Redis (eager Celery) the job runs in-process right then. When the broker cannot
    be reached the request still succeeds and the job is written down as a ``PendingJob``,
    handed to the broker again by ``pending_jobs_flush`` once it is back: nothing is lost.
    ``keep=False`` drops it instead, for work that is redone anyway (a stale cache refresh).
    """

    def send() -> None:
        from celery import current_app

        task = job_named(name)
        if current_app.conf.task_always_eager:
            # No broker: the job runs here, after the commit. Its own failure is logged, not
            # mistaken for a broker fault, and does not turn the finished request into a 500.
            result = task.apply(args=args, kwargs=kwargs or {}, throw=False)
            if result.failed():
                logger.error("Job %s failed: %r", name, result.result)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs or {}, retry=False)
        except BROKER_ERRORS as error:
            if not keep:
                logger.warning("Could not queue %s (%s); it will be asked again.", name, error)
                return
            logger.warning("Could not queue %s (%s); kept until the broker is back.", name, error)
            PendingJob.objects.create(
                job=name,
                args=list(args),
                kwargs=kwargs or {},
                attempts=1,
                last_error=str(error)[:2000],
            )

    transaction.on_commit(send)


def pending_jobs_flush(*, limit: int = 1000) -> int:
    """Hand the jobs kept while the broker was down to it, oldest first; stops at the first
    refusal (the broker is still down). Returns how many were handed over."""
    from celery import current_app

    rows = list(PendingJob.objects.order_by("created_at", "id")[:limit])
    if not rows:
        return 0
    current_app.loader.import_default_modules()  # every app's jobs.py
    handed = 0
    for row in rows:
        task = current_app.tasks.get(row.job)
        if task is None:
            logger.warning("A pending job names an unknown job %s; dropped.", row.job)
            row.delete()
            continue
        try:
            task.apply_async(args=list(row.args), kwargs=dict(row.kwargs), retry=False)
        except BROKER_ERRORS as error:
            PendingJob.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, last_error=str(error)[:2000]
            )
            return handed
        row.delete()
        handed += 1
    return handed
