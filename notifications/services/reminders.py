"""The daily sweep: reminders, overdue notices and escalations, then e-mails and digests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from background import services as background
from notifications.models import (
    Notification,
    NotificationKind,
    PlanMute,
)
from notifications.selectors import PolicyBook, UnitMap
from notifications.services.common import DEFAULT_BATCH, SWEEP_LOCK, logger
from notifications.services.outbox import emails_queue, outbox_send
from notifications.sweep import LEADER_ROLES, STAFF_ROLES, Row, insert_for_members
from plans.models import DocumentStatus, confidential_circles
from tasks.models import Assignment, AssignmentRole, Occurrence, Task, TaskStatus
from units.models import Membership

# --- the daily sweep ---------------------------------------------------------------------


@dataclass
class SweepResult:
    """What one run created: notifications (escalations included) and, of them,
    escalations; and the e-mails this run sent."""

    notifications: int = 0
    escalations: int = 0
    emails: int = 0
    occurrences: int = 0
    report_requests: int = 0
    # False when another sweep was running: this one did nothing.
    ran: bool = True

    def summary(self) -> dict[str, int]:
        summary = {
            "notifications": self.notifications,
            "emails": self.emails,
            "escalations": self.escalations,
        }
        if not self.ran:
            summary["skipped"] = 1
        return summary


def reminders_sweep(
    *,
    today: date | None = None,
    batch_size: int | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> SweepResult:
    """Create the reminders, overdue notices and escalations due as of ``today``.

    Walks the open occurrences of issued plans whose due date is within the largest reminder
    offset or past, in keyset batches (``id > last``), each batch in its own transaction.
    For each occurrence only the stage the day falls in is due (see ``Policy.lead_stages``),
    so every reminder is created exactly once whatever the sweep's history: the database's
    unique key (subject, kind, offset, recipient) turns repeats into no-ops. A worker killed
    mid-sweep leaves whole batches behind; running the sweep again completes the rest.
    Then the reports still owed are reminded about the same way (``_report_reminders``).
    """
    today = today or timezone.localdate()
    batch_size = batch_size or int(getattr(settings, "NOTIFICATIONS_SWEEP_BATCH", DEFAULT_BATCH))
    book = PolicyBook.load()
    units = UnitMap.load()
    document_of = dict(
        Task.objects.filter(document__status=DocumentStatus.ISSUED)
        .order_by()
        .values_list("pk", "document_id")
    )
    # Confidential plans escalate only to units inside their circle (plans.models).
    circles = confidential_circles()
    horizon = today + timedelta(days=book.max_offset())
    result = SweepResult()
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                Occurrence.objects.filter(pk__gt=last, due_on__lte=horizon)
                .exclude(status=TaskStatus.DONE)
                .order_by("pk")
                .values_list("pk", "unit_id", "task_id", "due_on")[:batch_size]
            )
            if not batch:
                break
            last = batch[-1][0]
            staff_rows, leader_rows = _rows_for_batch(
                batch, today, book, units, document_of, circles=circles
            )
            result.notifications += insert_for_members(staff_rows, roles=STAFF_ROLES)
            escalations = insert_for_members(leader_rows, roles=LEADER_ROLES)
            result.escalations += escalations
            result.notifications += escalations
            result.occurrences += len(batch)
        if after_batch is not None:
            after_batch(last)
    _report_reminders(result, today=today, horizon=horizon, book=book, units=units)
    return result


def _report_reminders(
    result: SweepResult, *, today: date, horizon: date, book: PolicyBook, units: UnitMap
) -> None:
    """Reminders about reports still owed (not started, draft or returned) due by
    ``horizon``: the same stages as an occurrence's for the reporting unit's staff and
    administrators, and the escalation to the leaders of the receiving unit (or, when it has
    no leader account, of the nearest unit above it that has one). Requests are few, so this
    is a plain loop and one ``bulk_create(ignore_conflicts=True)`` per role: the unique key
    (report request, kind, offset, recipient) makes a repeat a no-op."""
    from reports.selectors import open_requests_due

    requests = list(open_requests_due(by=horizon))
    if not requests:
        return
    staff_wanted: list[ReportWanted] = []
    leader_wanted: list[ReportWanted] = []
    for request_id, unit_id, receiver_id, document_id, due_on in requests:
        policy = book.policy_for(document_id=document_id, unit_path=units.path_of[unit_id])
        for kind, offset in policy.lead_stages((due_on - today).days):
            if kind == NotificationKind.ESCALATION:
                target = (
                    receiver_id
                    if receiver_id in units.with_leaders
                    else units.escalation_unit(receiver_id)
                )
                if target is not None:
                    leader_wanted.append(
                        ReportWanted(
                            target, request_id, document_id, unit_id, due_on, kind.value, offset
                        )
                    )
            else:
                staff_wanted.append(
                    ReportWanted(
                        unit_id, request_id, document_id, unit_id, due_on, kind.value, offset
                    )
                )
    result.report_requests += len(requests)
    with transaction.atomic():
        result.notifications += _insert_report_notifications(staff_wanted, roles=STAFF_ROLES)
        escalations = _insert_report_notifications(leader_wanted, roles=LEADER_ROLES)
        result.escalations += escalations
        result.notifications += escalations


class ReportWanted(NamedTuple):
    """A notice about a report request wanted for the members of ``target``."""

    target: int
    request: int
    document: int
    unit: int
    due_on: date
    kind: str
    offset: int


def _insert_report_notifications(wanted: list[ReportWanted], *, roles: tuple[str, ...]) -> int:
    """One notification per wanted row and per active member of its target unit with one of
    ``roles`` (except those who muted the plan); returns how many were new."""
    if not wanted:
        return 0
    targets = {want.target for want in wanted}
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in (
        Membership.objects.filter(unit__in=targets, role__in=roles, user__is_active=True)
        .order_by()
        .values_list("unit_id", "user_id")
        .distinct()
    ):
        members[unit_id].append(user_id)
    muted = set(
        PlanMute.objects.filter(document__in={want.document for want in wanted}).values_list(
            "user_id", "document_id"
        )
    )
    new = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            offset_days=offset,
            report_request_id=request_id,
            document_id=document_id,
            unit_id=unit_id,
            due_on=due_on,
        )
        for target, request_id, document_id, unit_id, due_on, kind, offset in wanted
        for user_id in members.get(target, ())
        if (user_id, document_id) not in muted
    ]
    if not new:
        return 0
    subjects = Notification.objects.filter(
        report_request__in={want.request for want in wanted},
        kind__in={want.kind for want in wanted},
    )
    before = subjects.count()
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return subjects.count() - before


def _rows_for_batch(
    batch: list[tuple[int, int, int, date]],
    today: date,
    book: PolicyBook,
    units: UnitMap,
    document_of: dict[int, int],
    *,
    circles: dict[int, set[int]] | None = None,
) -> tuple[list[Row], list[Row]]:
    staff_rows: list[Row] = []
    leader_rows: list[Row] = []
    support_wanted: list[SupportWanted] = []
    for occurrence_id, unit_id, task_id, due_on in batch:
        document_id = document_of.get(task_id)
        if document_id is None:  # a draft or reference document: nothing is in force
            continue
        policy = book.policy_for(document_id=document_id, unit_path=units.path_of[unit_id])
        days_left = (due_on - today).days
        for kind, offset in policy.lead_stages(days_left):
            if kind == NotificationKind.ESCALATION:
                above = units.escalation_unit(unit_id)
                circle = (circles or {}).get(document_id)
                if above is not None and (circle is None or above in circle):
                    leader_rows.append(
                        Row(
                            target=above,
                            occurrence=occurrence_id,
                            task=task_id,
                            document=document_id,
                            unit=unit_id,
                            due_on=due_on,
                            kind=kind.value,
                            offset=offset,
                        )
                    )
            else:
                staff_rows.append(
                    Row(
                        target=unit_id,
                        occurrence=occurrence_id,
                        task=task_id,
                        document=document_id,
                        unit=unit_id,
                        due_on=due_on,
                        kind=kind.value,
                        offset=offset,
                    )
                )
        support = policy.support_stage(days_left)
        if support is not None:
            kind, offset = support
            support_wanted.append(
                SupportWanted(occurrence_id, task_id, document_id, due_on, kind.value, offset)
            )
    if support_wanted:
        staff_rows += _support_rows(support_wanted, {row[0]: row[1] for row in batch})
    return staff_rows, leader_rows


class SupportWanted(NamedTuple):
    """A coordinating units' notice wanted for one lead occurrence."""

    occurrence: int
    task: int
    document: int
    due_on: date
    kind: str
    offset: int


def _support_rows(wanted: list[SupportWanted], unit_of: dict[int, int]) -> list[Row]:
    """Coordinating units' notices, one per task period (attached to the period's first open
    lead occurrence, so a task with several leads does not repeat it)."""
    task_ids = {want.task for want in wanted}
    supporters: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in (
        Assignment.objects.filter(task_id__in=task_ids, role=AssignmentRole.SUPPORT)
        .order_by()
        .values_list("task_id", "unit_id")
    ):
        supporters[task_id].append(unit_id)
    if not supporters:
        return []
    first_open = {
        (row["task_id"], row["due_on"]): row["first"]
        for row in Occurrence.objects.filter(task_id__in=list(supporters))
        .exclude(status=TaskStatus.DONE)
        .order_by()
        .values("task_id", "due_on")
        .annotate(first=Min("pk"))
    }
    rows: list[Row] = []
    for want in wanted:
        if first_open.get((want.task, want.due_on)) != want.occurrence:
            continue
        for unit_id in supporters.get(want.task, ()):
            rows.append(
                Row(
                    target=unit_id,
                    occurrence=want.occurrence,
                    task=want.task,
                    document=want.document,
                    unit=unit_of[want.occurrence],
                    due_on=want.due_on,
                    kind=want.kind,
                    offset=want.offset,
                )
            )
    return rows


def send_reminders(*, today: date | None = None, batch_size: int | None = None) -> SweepResult:
    """The whole daily run, in-process: the sweep, then e-mails (immediate ones and today's
    digests) into the outbox, then the outbox sent. What ``manage.py send_reminders`` does.

    One run at a time (``background.services.run_alone``): a second one started meanwhile
    returns at once with ``ran`` false and says so in the log, so two runs started together
    cannot queue the same e-mail twice."""
    today = today or timezone.localdate()
    with background.run_alone(SWEEP_LOCK, expires_after=2 * 60 * 60) as alone:
        if not alone:
            logger.warning("Another reminder sweep is running; this one does nothing.")
            return SweepResult(ran=False)
        result = reminders_sweep(today=today, batch_size=batch_size)
        emails_queue(today=today, digests=True, send_after_commit=False)
    result.emails = outbox_send()
    return result
