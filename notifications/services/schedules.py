"""The periodic jobs' schedules, kept in the database."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from notifications.models import (
    ScheduledJob,
)

# --- schedules ---------------------------------------------------------------------------

# The periodic jobs and their default times (cron fields, project time zone).
DEFAULT_SCHEDULES = [
    {
        "name": "Generate report requests",
        "job": "reports.jobs.generate_report_requests",
        "minute": "30",
        "hour": "5",
        "description": "Creates the report requests of periods that have begun or begin soon.",
    },
    {
        "name": "Daily reminder sweep",
        "job": "notifications.jobs.sweep_reminders",
        "minute": "0",
        "hour": "6",
        "description": "Reminders, overdue notices, escalations, then e-mails and digests.",
    },
    {
        "name": "Annual report PDFs",
        "job": "reports.jobs.render_accepted_annual_reports",
        "minute": "15",
        "hour": "2",
        "description": "Renders the PDF of every annual report accepted since its last rendering.",
    },
    {
        "name": "Prune sign-in counters",
        "job": "accounts.jobs.prune_counters",
        "minute": "45",
        "hour": "3",
        "description": "Deletes the sign-in and rate counters whose window ended a day ago.",
    },
    {
        "name": "Send queued e-mails",
        "job": "notifications.jobs.send_outbox",
        "minute": "*/5",
        "hour": "*",
        "description": "Sends the outbox; e-mails the mail server refused are retried.",
    },
]


def schedules_ensure() -> int:
    """Create the default schedules that are missing (an administrator's changes to existing
    ones are kept). Returns how many were created."""
    created = 0
    for spec in DEFAULT_SCHEDULES:
        _row, made = ScheduledJob.objects.get_or_create(name=spec["name"], defaults=spec)
        created += made
    return created


@transaction.atomic
def scheduled_job_claim(*, job: ScheduledJob, now: datetime) -> bool:
    """Record that ``job`` runs now, unless another scheduler already did (so two schedulers
    never start the same run)."""
    return bool(
        ScheduledJob.objects.filter(pk=job.pk, last_run_at=job.last_run_at).update(last_run_at=now)
    )
