"""Writes for notifications: the daily reminder sweep, assignment notices, the e-mail outbox,
each person's choices, reminder policies, the schedules of the periodic jobs and the demo.

Jobs (``notifications/jobs.py``) and commands only call these. Everything that must not be
lost is a database row written in the caller's transaction; queueing a job happens after the
commit and, when the broker is down, is skipped without failing the request: the periodic
jobs pick the rows up when it is back.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_record
from background import services as background
from notifications.models import (
    EmailMode,
    MailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxEmail,
    OutboxKind,
    OutboxStatus,
    PlanMute,
    ReminderPolicy,
    ScheduledJob,
    UnitCalendar,
)
from notifications.selectors import PolicyBook, UnitMap, email_modes, readable_q
from notifications.sweep import LEADER_ROLES, STAFF_ROLES, Row, insert_for_members
from plans.models import Document, DocumentStatus, confidential_circles
from tasks.models import Assignment, AssignmentRole, Occurrence, Task, TaskStatus
from units.models import Membership, Unit

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 5000
# A digest lists this many notifications at most, then says how many more are in the list.
DIGEST_MAX_ITEMS = 100
MAX_OFFSET_DAYS = 366


# --- queueing jobs -----------------------------------------------------------------------


def enqueue_on_commit(job_name: str, *args: Any) -> None:
    """Queue ``notifications.jobs.<job_name>(*args)`` once the current transaction commits
    (``background.services.enqueue_on_commit``: kept while the broker is down)."""
    background.enqueue_on_commit(f"notifications.jobs.{job_name}", *args)


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
    staff_wanted: list[tuple[int, int, int, int, date, str, int]] = []
    leader_wanted: list[tuple[int, int, int, int, date, str, int]] = []
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
                        (target, request_id, document_id, unit_id, due_on, kind.value, offset)
                    )
            else:
                staff_wanted.append(
                    (unit_id, request_id, document_id, unit_id, due_on, kind.value, offset)
                )
    result.report_requests += len(requests)
    with transaction.atomic():
        result.notifications += _insert_report_notifications(staff_wanted, roles=STAFF_ROLES)
        escalations = _insert_report_notifications(leader_wanted, roles=LEADER_ROLES)
        result.escalations += escalations
        result.notifications += escalations


def _insert_report_notifications(
    wanted: list[tuple[int, int, int, int, date, str, int]], *, roles: tuple[str, ...]
) -> int:
    """One notification per wanted row and per active member of its target unit with one of
    ``roles`` (except those who muted the plan); returns how many were new."""
    if not wanted:
        return 0
    targets = {row[0] for row in wanted}
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in (
        Membership.objects.filter(unit__in=targets, role__in=roles, user__is_active=True)
        .order_by()
        .values_list("unit_id", "user_id")
        .distinct()
    ):
        members[unit_id].append(user_id)
    muted = set(
        PlanMute.objects.filter(document__in={row[2] for row in wanted}).values_list(
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
        report_request__in={row[1] for row in wanted}, kind__in={row[5] for row in wanted}
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
    support_wanted: list[tuple[int, int, int, date, str, int]] = []
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
                        (
                            above,
                            occurrence_id,
                            task_id,
                            document_id,
                            unit_id,
                            due_on,
                            kind.value,
                            offset,
                        )
                    )
            else:
                staff_rows.append(
                    (
                        unit_id,
                        occurrence_id,
                        task_id,
                        document_id,
                        unit_id,
                        due_on,
                        kind.value,
                        offset,
                    )
                )
        support = policy.support_stage(days_left)
        if support is not None:
            kind, offset = support
            support_wanted.append((occurrence_id, task_id, document_id, due_on, kind.value, offset))
    if support_wanted:
        staff_rows += _support_rows(support_wanted, {row[0]: row[1] for row in batch})
    return staff_rows, leader_rows


def _support_rows(
    wanted: list[tuple[int, int, int, date, str, int]], unit_of: dict[int, int]
) -> list[Row]:
    """Coordinating units' notices, one per task period (attached to the period's first open
    lead occurrence, so a task with several leads does not repeat it)."""
    task_ids = {task_id for _, task_id, *_ in wanted}
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
    for occurrence_id, task_id, document_id, due_on, kind, offset in wanted:
        if first_open.get((task_id, due_on)) != occurrence_id:
            continue
        for unit_id in supporters.get(task_id, ()):
            rows.append(
                (
                    unit_id,
                    occurrence_id,
                    task_id,
                    document_id,
                    unit_of[occurrence_id],
                    due_on,
                    kind,
                    offset,
                )
            )
    return rows


SWEEP_LOCK = "notifications.sweep"
OUTBOX_LOCK = "notifications.outbox"


def send_reminders(*, today: date | None = None, batch_size: int | None = None) -> SweepResult:
    """The whole daily run, in-process: the sweep, then e-mails (immediate ones and today's
    digests) into the outbox, then the outbox sent. What ``manage.py send_reminders`` does.

    One run at a time (``background.services.run_alone``): a second one started meanwhile
    returns at once with ``ran`` false and says so in the log, so two runs started together
    cannot queue the same e-mail twice."""
    today = today or timezone.localdate()
    with background.run_alone(SWEEP_LOCK) as alone:
        if not alone:
            logger.warning("Another reminder sweep is running; this one does nothing.")
            return SweepResult(ran=False)
        result = reminders_sweep(today=today, batch_size=batch_size)
        emails_queue(today=today, digests=True, send_after_commit=False)
    result.emails = outbox_send()
    return result


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


# --- e-mail ------------------------------------------------------------------------------


@transaction.atomic
def emails_queue(
    *,
    today: date,
    digests: bool = True,
    user_ids: set[int] | None = None,
    send_after_commit: bool = True,
) -> int:
    """Put pending notifications into the outbox: one e-mail each for people who chose
    immediate e-mail and, when ``digests``, one digest a day for the others (notifications
    arriving after today's digest wait for tomorrow's). Notifications of people without an
    address or who chose no e-mail are marked as not e-mailed. The send job is queued after
    the commit unless ``send_after_commit`` is false (the caller sends). Returns e-mails
    queued."""
    pending = Notification.objects.filter(mail_status=MailStatus.PENDING)
    if user_ids is not None:
        pending = pending.filter(recipient_id__in=user_ids)
    # Claim the pending rows by locking them: another queueing running meanwhile skips the
    # rows this one locked (PostgreSQL), and its updates of them wait for this commit and
    # then find them queued. SQLite has one writer at a time, so two cannot interleave.
    recipients = set(
        pending.select_for_update(skip_locked=True)
        .order_by("id")
        .values_list("recipient_id", flat=True)
    )
    if not recipients:
        return 0
    User = get_user_model()
    address = dict(User.objects.filter(pk__in=recipients).values_list("pk", "email"))
    modes = email_modes(recipients)
    silent = {pk for pk in recipients if not address.get(pk) or modes[pk] == EmailMode.NONE}
    if silent:
        pending.filter(recipient_id__in=silent).update(mail_status=MailStatus.NONE)
    queued = 0
    immediate = [pk for pk in recipients - silent if modes[pk] == EmailMode.IMMEDIATE]
    for notification in (
        pending.filter(recipient_id__in=immediate)
        .select_for_update(skip_locked=True)
        .order_by("id")
    ):
        email = OutboxEmail.objects.create(
            recipient_id=notification.recipient_id,
            to_address=address[notification.recipient_id],
            kind=OutboxKind.IMMEDIATE,
        )
        notification.email, notification.mail_status = email, MailStatus.QUEUED
        notification.save(update_fields=["email", "mail_status"])
        queued += 1
    if digests:
        digest_users = sorted(pk for pk in recipients - silent if modes[pk] == EmailMode.DIGEST)
        had_one = set(
            OutboxEmail.objects.filter(recipient__in=digest_users, digest_on=today).values_list(
                "recipient_id", flat=True
            )
        )
        new = [
            OutboxEmail(
                recipient_id=pk, to_address=address[pk], kind=OutboxKind.DIGEST, digest_on=today
            )
            for pk in digest_users
            if pk not in had_one
        ]
        OutboxEmail.objects.bulk_create(new, batch_size=1000)
        # Each new digest takes every pending notification of its person, in one statement
        # (one digest a person a day: the unique constraint makes the match exact).
        pending.filter(recipient_id__in=[email.recipient_id for email in new]).update(
            email=Subquery(
                OutboxEmail.objects.filter(
                    recipient_id=OuterRef("recipient_id"), digest_on=today
                ).values("pk")[:1]
            ),
            mail_status=MailStatus.QUEUED,
        )
        queued += len(new)
    if queued and send_after_commit:
        enqueue_on_commit("send_outbox")
    return queued


@transaction.atomic
def emails_hand_over(*, messages: list[EmailMessage]) -> int:
    """Put messages the site composed itself (a password reset, an invitation) into the
    outbox, one row per recipient, in the caller's transaction; the sender runs after the
    commit. Returns how many messages were taken."""
    User = get_user_model()
    taken = 0
    for message in messages:
        addresses = [address for address in message.recipients() if address]
        if not addresses:
            continue
        people = {
            (person.email or "").lower(): person
            for person in User.objects.filter(email__in=addresses, is_active=True)
        }
        OutboxEmail.objects.bulk_create(
            OutboxEmail(
                recipient=people.get(address.lower()),
                to_address=address[:254],
                kind=OutboxKind.MESSAGE,
                subject=" ".join(str(message.subject).split())[:255],
                body=str(message.body),
            )
            for address in addresses
        )
        taken += 1
    if taken:
        enqueue_on_commit("send_outbox")
    return taken


def _compose(email: OutboxEmail) -> EmailMultiAlternatives | None:
    """The message for an outbox row: a message the site handed over as it was; otherwise
    from the row's notifications (on plans the person may still read). None when nothing is
    left to tell."""
    if email.kind == OutboxKind.MESSAGE:
        return EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
        )
    user = email.recipient
    mine = email.notifications.filter(readable_q(user)) if user else email.notifications.none()
    items = list(
        mine.select_related("task", "document", "unit", "report_request").order_by(
            "document_id", "due_on", "id"
        )[:DIGEST_MAX_ITEMS]
    )
    if not items:
        return None
    more = mine.count() - len(items) if len(items) == DIGEST_MAX_ITEMS else 0
    site = getattr(settings, "NOTIFICATIONS_SITE_URL", "").rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {"email": email, "items": items, "more": more, "site": site, "user": user}
        if email.kind == OutboxKind.DIGEST:
            subject = _("Cascade: %(count)s notifications for %(day)s") % {
                "count": len(items) + more,
                "day": email.digest_on.strftime("%d/%m/%Y") if email.digest_on else "",
            }
        else:
            subject = _("Cascade: %(kind)s — %(plan)s") % {
                "kind": items[0].get_kind_display(),
                "plan": items[0].document.identifier or items[0].document.title[:60],
            }
        body = render_to_string("notifications/email.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:255],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
    )
    return message


# How long a row may stay "being sent" before its sender is assumed dead and the row is sent
# again (with the same Message-ID): longer than one SMTP conversation can take.
DEFAULT_RESEND_AFTER = 10 * 60


def _resend_after() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "NOTIFICATIONS_OUTBOX_RESEND_AFTER", DEFAULT_RESEND_AFTER))
    )


def smtp_permanent_error(error: BaseException) -> str | None:
    """The server's words when ``error`` is a permanent refusal of this message (a 5xx
    answer, every recipient refused with a 5xx), else None: the server was unreachable, said
    "try later" (4xx), or refused the account (a configuration matter, not the message's)."""
    import smtplib

    def words(code: int, message: bytes | str) -> str:
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{code} {text}".strip()

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = error.recipients or {}
        if refused and all(500 <= code < 600 for code, _message in refused.values()):
            return "; ".join(
                f"{address}: {words(code, message)}"
                for address, (code, message) in sorted(refused.items())
            )
        return None
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return None
    if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
        return words(error.smtp_code, error.smtp_error)
    return None


def _transient(error: BaseException) -> bool:
    """The mail server is unreachable or asked to try later: keep trying, never give up."""
    return isinstance(error, (OSError, ConnectionError, TimeoutError))


def _message_domain() -> str:
    address = getattr(settings, "DEFAULT_FROM_EMAIL", "") or ""
    return address.rpartition("@")[2].strip("> ") or "localhost"


def outbox_claim(*, now: datetime, skip: list[int] | None = None) -> OutboxEmail | None:
    """Claim the next row to send, in its own committed transaction: a pending row whose time
    has come, or one left "being sent" longer than ``NOTIFICATIONS_OUTBOX_RESEND_AFTER``
    (its sender died, perhaps after the server took it). The row is marked "being sent" by
    this process, given its Message-ID if it has none yet (kept for every later attempt), and
    its attempt counted. Two senders never claim the same row (rows are locked while
    claimed; the others are skipped)."""
    stale = now - _resend_after()
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=OutboxStatus.SENDING, claimed_at__lte=stale)
            )
            .exclude(pk__in=skip or [])
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if email is None:
            return None
        if email.status == OutboxStatus.SENDING:
            logger.warning(
                "E-mail %s was left being sent by %s since %s; sending it again.",
                email.pk,
                email.claimed_by,
                email.claimed_at,
            )
        if not email.message_id:
            email.message_id = make_msgid(idstring=f"outbox.{email.pk}", domain=_message_domain())
        email.status = OutboxStatus.SENDING
        email.claimed_by = background.worker_name()
        email.claimed_at = now
        email.attempts += 1
        email.save(update_fields=["status", "claimed_by", "claimed_at", "message_id", "attempts"])
    return email


def outbox_send(*, limit: int = 1000, now: datetime | None = None) -> int:
    """Send pending outbox rows whose time has come; returns how many were sent.

    One sender at a time (a second one started meanwhile returns 0 and says so in the log).
    Each row is claimed before it is sent (``outbox_claim``), then sent with its stable
    Message-ID, then recorded: sent; failed at once, with the server's words, when the answer
    is permanent (a 5xx, a refused address); pending again with a growing delay (up to an
    hour) when the server is unreachable or says "try later" — those are retried for as long
    as it takes; any other error (composing the message) fails the row after
    ``NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS`` attempts."""
    with background.run_alone(OUTBOX_LOCK) as alone:
        if not alone:
            logger.info("Another outbox sender is running; this one does nothing.")
            return 0
        return _outbox_send(limit=limit, now=now)


def _outbox_send(*, limit: int, now: datetime | None) -> int:
    from django.core.mail import mailers

    max_attempts = int(getattr(settings, "NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS", 10))
    sent = 0
    skipped: list[int] = []
    for _round in range(limit):
        moment = now or timezone.now()
        email = outbox_claim(now=moment, skip=skipped)
        if email is None:
            break
        claim = OutboxEmail.objects.filter(
            pk=email.pk, status=OutboxStatus.SENDING, claimed_by=email.claimed_by
        )
        try:
            message = _compose(email)
            if message is None:
                claim.update(status=OutboxStatus.FAILED, last_error="nothing to send")
                continue
            message.extra_headers["Message-ID"] = email.message_id
            # The real mail server: the default mailer is the outbox itself.
            mailers["outbox"].send_messages([message])
        except Exception as error:
            skipped.append(email.pk)
            permanent = smtp_permanent_error(error)
            failed = permanent is not None or (
                email.attempts >= max_attempts and not _transient(error)
            )
            last_error = (permanent or f"{type(error).__name__}: {error}")[:2000]
            delay = min(2 ** min(email.attempts, 10), 60) * 60
            claim.update(
                status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
                last_error=last_error,
                next_attempt_at=moment + timedelta(seconds=delay),
            )
            logger.warning("E-mail %s not sent: %s", email.pk, last_error)
            continue
        claim.update(
            subject=message.subject,
            # A handed-over message carries a one-time link (reset, invitation): once sent,
            # its text is not kept.
            body="" if email.kind == OutboxKind.MESSAGE else message.body,
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            last_error="",
        )
        sent += 1
    return sent


@transaction.atomic
def outbox_retry(*, actor: AbstractBaseUser | None, emails: list[OutboxEmail]) -> int:
    """Put failed e-mails back in the queue (from the admin)."""
    count = 0
    for email in emails:
        if email.status == OutboxStatus.FAILED:
            email.status, email.attempts, email.next_attempt_at = (
                OutboxStatus.PENDING,
                0,
                timezone.now(),
            )
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            audit_record(actor=actor, action="outbox_retry", instance=email)
            count += 1
    if count:
        enqueue_on_commit("send_outbox")
    return count


# --- reading notifications ---------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, actor: AbstractBaseUser, notification: Notification) -> None:
    """Mark one of the actor's own notifications as read."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())


@transaction.atomic
def notifications_mark_all_read(*, actor: AbstractBaseUser) -> int:
    """Mark every unread notification of the actor as read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- a person's choices ------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def preference_for(*, user: AbstractBaseUser) -> NotificationPreference:
    """The person's preferences, created with the defaults (and a calendar secret) on first
    use."""
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        try:
            with transaction.atomic():
                preference = NotificationPreference.objects.create(
                    user=user, calendar_token=_new_token()
                )
        except IntegrityError:
            preference = NotificationPreference.objects.get(user=user)
    return preference


@transaction.atomic
def preference_update(
    *, actor: AbstractBaseUser, email_mode: str, muted: list[Document]
) -> NotificationPreference:
    """Set how the actor is e-mailed and which plans they do not want reminders about."""
    if email_mode not in EmailMode.values:
        raise ValidationError({"email_mode": _("Choose how you want to be e-mailed.")})
    visible = set(
        Document.objects.visible_to(actor)
        .filter(pk__in=[d.pk for d in muted])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({d.pk for d in muted}):
        raise ValidationError({"muted": _("You can only mute plans you can see.")})
    preference = preference_for(user=actor)
    before = {
        "email_mode": preference.email_mode,
        "muted": sorted(PlanMute.objects.filter(user=actor).values_list("document_id", flat=True)),
    }
    preference.email_mode = email_mode
    preference.save(update_fields=["email_mode"])
    PlanMute.objects.filter(user=actor).exclude(document__in=visible).delete()
    PlanMute.objects.bulk_create(
        [PlanMute(user=actor, document_id=pk) for pk in visible], ignore_conflicts=True
    )
    after = {"email_mode": email_mode, "muted": sorted(visible)}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    audit_record(
        actor=actor, action="notification_preferences", instance=preference, changes=changes
    )
    return preference


@transaction.atomic
def plan_mute_set(*, actor: AbstractBaseUser, document: Document, muted: bool) -> None:
    """Mute or unmute one plan for the actor."""
    if not Document.objects.visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("You cannot see this plan."))
    if muted:
        PlanMute.objects.get_or_create(user=actor, document=document)
    else:
        PlanMute.objects.filter(user=actor, document=document).delete()
    audit_record(actor=actor, action="plan_mute" if muted else "plan_unmute", instance=document)


@transaction.atomic
def calendar_token_regenerate(*, actor: AbstractBaseUser) -> NotificationPreference:
    """Give the actor a new personal calendar secret; the old feed address stops working."""
    preference = preference_for(user=actor)
    preference.calendar_token = _new_token()
    preference.save(update_fields=["calendar_token"])
    audit_record(actor=actor, action="calendar_token_regenerate", instance=preference)
    return preference


def unit_calendar_for(*, unit: Unit) -> UnitCalendar:
    """The unit's calendar secret, created on first use."""
    calendar = UnitCalendar.objects.filter(unit=unit).first()
    if calendar is None:
        try:
            with transaction.atomic():
                calendar = UnitCalendar.objects.create(unit=unit, token=_new_token())
        except IntegrityError:
            calendar = UnitCalendar.objects.get(unit=unit)
    return calendar


@transaction.atomic
def unit_calendar_regenerate(*, actor: AbstractBaseUser, unit: Unit) -> UnitCalendar:
    """Give a unit's feed a new secret (its staff and administrators may)."""
    if not Unit.objects.editable_by(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You may not change this unit's calendar."))
    calendar = unit_calendar_for(unit=unit)
    calendar.token = _new_token()
    calendar.save(update_fields=["token"])
    audit_record(actor=actor, action="calendar_token_regenerate", instance=calendar)
    return calendar


# --- reminder policies -------------------------------------------------------------------


def _clean_offsets(offsets: list[int]) -> list[int]:
    try:
        cleaned = sorted({int(o) for o in offsets}, reverse=True)
    except (TypeError, ValueError):
        raise ValidationError({"offsets": _("Give whole numbers of days.")}) from None
    if any(o < 0 or o > MAX_OFFSET_DAYS for o in cleaned):
        raise ValidationError(
            {"offsets": _("Days before must be between 0 and %(max)s.") % {"max": MAX_OFFSET_DAYS}}
        )
    return cleaned


@transaction.atomic
def reminder_policy_set(
    *,
    actor: AbstractBaseUser | None,
    unit: Unit | None = None,
    document: Document | None = None,
    offsets: list[int],
    escalate_after_days: int,
    notify_support: bool = True,
) -> ReminderPolicy:
    """Set when reminders go out for a plan, or for a unit and the units below it."""
    if (unit is None) == (document is None):
        raise ValidationError(_("A reminder policy is for one unit or one plan."))
    if actor is not None and not actor.is_superuser:
        allowed = (
            Unit.objects.editable_by(actor).filter(pk=unit.pk).exists()
            if unit
            else Document.objects.editable_by(actor).filter(pk=document.pk).exists()
        )
        if not allowed:
            raise PermissionDenied(_("You may not change reminders here."))
    if escalate_after_days < 0 or escalate_after_days > MAX_OFFSET_DAYS:
        raise ValidationError({"escalate_after_days": _("Give a number of days from 0 to 366.")})
    cleaned = _clean_offsets(offsets)
    policy, _created = ReminderPolicy.objects.update_or_create(
        unit=unit,
        document=document,
        defaults={
            "offsets": cleaned,
            "escalate_after_days": escalate_after_days,
            "notify_support": notify_support,
        },
    )
    audit_record(
        actor=actor,
        action="reminder_policy",
        instance=policy,
        changes={"offsets": cleaned, "escalate_after_days": escalate_after_days},
    )
    return policy


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


# --- demo --------------------------------------------------------------------------------

DEMO_TASK_TEXT = "Rà soát, báo cáo tiến độ triển khai Kế hoạch (nhiệm vụ minh họa nhắc việc)"


def demo_reminders(*, today: date | None = None) -> SweepResult:
    """Make the demo's reminders visible on the day it is loaded.

    For each issued demo plan whose issuing unit has a demo login, add (once) two small
    tasks led by that unit: one due in three days and one overdue by ten days (so it is also
    escalated); give the demo logins an example address so their digest shows in the
    console; then run the day's sweep, queue the digests and send them."""
    from tasks.services import Assignees, task_create

    today = today or timezone.localdate()
    staffed = set(Membership.objects.filter(role__in=STAFF_ROLES).values_list("unit_id", flat=True))
    plans = Document.objects.filter(
        status=DocumentStatus.ISSUED, issuer__in=staffed, tasks__isnull=False
    ).distinct()
    for plan in plans:
        if plan.tasks.filter(text__startswith=DEMO_TASK_TEXT).exists():
            continue
        for days, label in ((3, "sắp đến hạn"), (-10, "quá hạn")):
            due = today + timedelta(days=days)
            task_create(
                actor=None,
                document=plan,
                text=f"{DEMO_TASK_TEXT} — {label}",
                deadline_text=f"ngày {due.day}/{due.month}/{due.year}",
                assignees=Assignees(lead=[plan.issuer]),
            )
    User = get_user_model()
    for user in User.objects.filter(email="", memberships__isnull=False).distinct():
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return send_reminders(today=today)
