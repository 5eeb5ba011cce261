"""Celery jobs of the notifications app: ids or a date in, one service call, nothing else.

They are queued with ``services.enqueue_on_commit`` (after the transaction commits; kept as a
pending job when the broker is down) or by the schedules in ``ScheduledJob``. Each is safe to
run again: the sweep and the outbox are idempotent and run one at a time (a second one started
meanwhile does nothing), so a message redelivered after a worker was killed does no harm.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from audit.services import current_source
from notifications import services


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@shared_task(name="notifications.jobs.sweep_reminders", acks_late=True)
def sweep_reminders(today: str | None = None, batch_size: int | None = None) -> dict[str, int]:
    """The daily run: reminders, overdue notices, escalations, e-mails and digests."""
    token = current_source.set("job:sweep_reminders")
    try:
        return services.send_reminders(today=_day(today), batch_size=batch_size).summary()
    finally:
        current_source.reset(token)


@shared_task(name="notifications.jobs.send_outbox", acks_late=True)
def send_outbox() -> int:
    """Send the e-mails waiting in the outbox."""
    token = current_source.set("job:send_outbox")
    try:
        return services.outbox_send()
    finally:
        current_source.reset(token)


@shared_task(name="notifications.jobs.notify_task_assigned", acks_late=True)
def notify_task_assigned(task_id: int) -> int:
    """Assignment notices for one task, queued by the task services after the commit (each
    assignment is told once, so running it again does no harm)."""
    from tasks.models import Task

    task = Task.objects.select_related("document").filter(pk=task_id).first()
    return services.assignment_notices_create(task=task) if task else 0


@shared_task(name="notifications.jobs.notify_document_assigned", acks_late=True)
def notify_document_assigned(document_id: int) -> int:
    """Assignment notices for every task of a plan, queued once at the end of an import."""
    from plans.models import Document

    document = Document.objects.filter(pk=document_id).first()
    return services.assignment_notices_for_document(document=document) if document else 0
