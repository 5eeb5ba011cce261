"""``manage.py run_scheduler``: run the database schedules in-process, for the embedded set-up
without Redis (``./scripts/run``). With Redis, Celery beat does this instead."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from audit.services import current_source
from background.services import pending_jobs_flush
from notifications import services
from notifications.beat import due_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (the daily reminder sweep, the outbox sender) in this process "
        "at the times kept in the database. A job that never ran, or whose time passed while "
        "nothing ran, runs at once. Use --once to run what is due and stop."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due, then stop")
        parser.add_argument("--max-wait", type=float, default=60.0)

    def handle(self, *args, **options) -> None:
        from celery import current_app

        current_app.loader.import_default_modules()  # every app's jobs.py
        services.schedules_ensure()
        while True:
            now = timezone.now()
            waits = []
            # Jobs kept while a broker was unreachable run now (none without a broker).
            pending_jobs_flush()
            for job, wait in due_jobs(now):
                if wait > 0:
                    waits.append(wait)
                    continue
                if not services.scheduled_job_claim(job=job, now=now):
                    continue
                task = current_app.tasks.get(job.job)
                if task is None:
                    logger.warning("Scheduled job %s names an unknown job %s", job.name, job.job)
                    continue
                token = current_source.set(f"job:{job.job.rsplit('.', 1)[-1]}")
                try:
                    outcome = task.apply().get(propagate=False)
                    self.stdout.write(
                        f"{timezone.localtime():%Y-%m-%d %H:%M} {job.name}: {outcome}"
                    )
                except Exception:
                    logger.exception("Scheduled job %s failed", job.name)
                finally:
                    current_source.reset(token)
            if options["once"]:
                return
            time.sleep(max(1.0, min([options["max_wait"], *waits])))
            close_old_connections()  # a long-running process: drop broken connections
