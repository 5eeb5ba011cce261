"""Assignment notices: telling a unit's staff what they were given and by when."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from notifications.models import (
    Notification,
    NotificationKind,
    PlanMute,
)
from notifications.services.outbox import emails_queue
from notifications.sweep import STAFF_ROLES
from plans.models import Document, DocumentStatus
from tasks.models import Assignment, Occurrence, Task, TaskStatus
from units.models import Membership

# --- assignment notices ------------------------------------------------------------------


@transaction.atomic
def assignment_notices_create(*, task: Task) -> int:
    """Tell the staff of each unit a task is given to what they were given and by when.

    Only for tasks of issued plans (a draft tells nobody; call this again when it is
    issued). Each assignment is told once per person, so calling it after every change of a
    task's units only reaches the units newly given the task. Immediate e-mails go into the
    outbox in the same transaction. Returns how many notifications were created.
    """
    return _assignment_notices(document=task.document, tasks=[task])


@transaction.atomic
def assignment_notices_for_document(*, document: Document) -> int:
    """Assignment notices for every task of a plan, in one pass: when it is issued, and once
    at the end of an import instead of once per task."""
    return _assignment_notices(document=document, tasks=None)


def _assignment_notices(*, document: Document, tasks: list[Task] | None) -> int:
    if document.status != DocumentStatus.ISSUED:
        return 0
    scope = {"task__document": document} if tasks is None else {"task__in": tasks}
    assignments = list(Assignment.objects.filter(**scope).order_by("pk"))
    if not assignments:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in (
        Membership.objects.filter(
            unit__in={a.unit_id for a in assignments},
            role__in=STAFF_ROLES,
            user__is_active=True,
        )
        .order_by()
        .values_list("unit_id", "user_id")
    ):
        members[unit_id].append(user_id)
    muted = set(PlanMute.objects.filter(document=document).values_list("user_id", flat=True))
    # The first open occurrence of each task, or the task's own date when it has none.
    first_due = dict(
        Occurrence.objects.filter(**scope)
        .exclude(status=TaskStatus.DONE)
        .order_by()
        .values_list("task_id")
        .annotate(first=Min("due_on"))
        .values_list("task_id", "first")
    )
    task_due = dict(
        Task.objects.filter(pk__in={a.task_id for a in assignments}).values_list("pk", "due_on")
    )
    wanted = [
        Notification(
            recipient_id=user_id,
            kind=NotificationKind.ASSIGNED,
            offset_days=0,
            assignment=assignment,
            task_id=assignment.task_id,
            document=document,
            unit_id=assignment.unit_id,
            due_on=first_due.get(assignment.task_id) or task_due.get(assignment.task_id),
        )
        for assignment in assignments
        for user_id in members.get(assignment.unit_id, ())
        if user_id not in muted
    ]
    if not wanted:
        return 0
    before = Notification.objects.filter(assignment__in=assignments).count()
    Notification.objects.bulk_create(wanted, ignore_conflicts=True)
    created = Notification.objects.filter(assignment__in=assignments).count() - before
    if created:
        recipients = {n.recipient_id for n in wanted}
        emails_queue(today=timezone.localdate(), digests=False, user_ids=recipients)
    return created
