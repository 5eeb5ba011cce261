"""Keeping a task's schedule and its occurrences in step with its deadline words."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from rollups.services import rollups_mark, rollups_settle
from tasks.deadlines import Schedule, parse_deadline, read_rule, reporting_dates
from tasks.models import Assignment, AssignmentRole, DeadlineKind, Occurrence, Task, TaskStatus


def lookahead_days() -> int:
    return int(getattr(settings, "OCCURRENCE_LOOKAHEAD_DAYS", 366))


def context_date(task: Task) -> date:
    """The day the words are read against: the document's issue date, or for a document not
    dated yet today, or the issuer's last day when it has ceased since (an undated draft of a
    district committee was written while the committee existed)."""
    document = task.document
    if document.issued_on:
        return document.issued_on
    today = timezone.localdate()
    issuer = document.issuer
    if issuer is not None and issuer.active_until and issuer.active_until < today:
        return issuer.active_until
    return today


def apply_parsed_deadline(task: Task, *, words_changed: bool) -> None:
    """Parse the words into the task's schedule fields, unless a person set the schedule and
    the words are still the ones they corrected."""
    if task.deadline_corrected and not words_changed:
        return
    task.deadline_corrected = False
    if not task.deadline_text.strip():
        task.deadline_kind = DeadlineKind.NONE
        task.due_on = None
        task.deadline_rrule = ""
        task.deadline_on_demand = False
        task.horizon_year = None
        return
    schedule = parse_deadline(task.deadline_text, context_date(task))
    set_schedule(task, schedule, context=context_date(task))


def set_schedule(task: Task, schedule: Schedule, *, context: date) -> None:
    """Copy a schedule onto the task's fields (without saving)."""
    task.deadline_kind = schedule.kind
    task.deadline_rrule = schedule.rrule or ""
    task.deadline_on_demand = schedule.on_demand
    task.horizon_year = schedule.horizon_year
    if schedule.kind == "recurring":
        upcoming = schedule.occurrences(context, count=1)
        task.due_on = upcoming[0] if upcoming else schedule.due
    elif schedule.kind in ("once", "horizon"):
        task.due_on = schedule.due
    else:
        task.due_on = None


def due_dates(task: Task, *, until: date) -> list[date]:
    """Every due date of the task from its start up to ``until``."""
    start = context_date(task)
    match task.deadline_kind:
        case DeadlineKind.ONCE | DeadlineKind.HORIZON:
            return [task.due_on] if task.due_on else []
        case DeadlineKind.RECURRING:
            return task.schedule.occurrences(start, until=until)
        case DeadlineKind.CONTINUOUS:
            end = min(until, date(task.horizon_year, 12, 31)) if task.horizon_year else until
            return reporting_dates(task.schedule, start, end)
        case _:
            return []


def sync_occurrences(
    task: Task,
    *,
    today: date | None = None,
    created: bool = False,
    leads: list[Assignment] | None = None,
) -> int:
    """Create the occurrences the schedule calls for, up to the look-ahead window, for each
    lead assignment; remove untouched ones the schedule no longer has. Returns how many were
    created. Running it again creates nothing more. ``created``: the task is new, so there
    is nothing to compare with; ``leads``: its lead assignments, when the caller has them."""
    today = today or timezone.localdate()
    until = today + timedelta(days=lookahead_days())
    wanted = set(due_dates(task, until=until))
    if not wanted and created:
        return 0
    mark = rollups_mark(task=task, empty=created)
    if leads is None:
        leads = list(task.assignments.filter(role=AssignmentRole.LEAD).only("pk", "unit_id"))
    existing: set[tuple[int, date]] = set()
    if not created:
        existing = set(Occurrence.objects.filter(task=task).values_list("assignment_id", "due_on"))
        stale = Occurrence.objects.filter(
            task=task, status=TaskStatus.NOT_STARTED, updates__isnull=True
        )
        stale.exclude(due_on__in=wanted).delete()
        stale.exclude(assignment__in=leads).delete()
    new = [
        Occurrence(assignment=a, task=task, unit_id=a.unit_id, due_on=day)
        for a in leads
        for day in sorted(wanted)
        if (a.pk, day) not in existing
    ]
    Occurrence.objects.bulk_create(new, ignore_conflicts=True)
    rollups_settle(mark, new)
    return len(new)


def current_occurrence(assignment: Assignment, *, today: date | None = None) -> Occurrence | None:
    """The occurrence progress applies to when none is named: the earliest one not done."""
    return assignment.occurrences.exclude(status=TaskStatus.DONE).order_by("due_on").first()


def describe_recurrence(rrule: str) -> str:
    """The recurrence in words, for the task page."""
    from django.utils.translation import gettext as _

    rule = read_rule(rrule)
    if rule is None or rule.frequency == "daily":
        return rrule
    if rule.frequency == "monthly":
        return _("every month, last day") if rule.day == -1 else _("every month")
    if rule.frequency == "half_yearly" and rule.day == -1:
        return _("every half-year, last day")
    if rule.frequency == "quarterly" and rule.day == -1:
        return _("every quarter, last day")
    if rule.frequency == "yearly" and len(rule.months) == 1:
        (month,) = rule.months
        if rule.day == -1:
            return _("every year, end of month %(month)s") % {"month": month}
        return _("every year on %(day)s/%(month)s") % {
            "day": f"{rule.day:02d}",
            "month": f"{month:02d}",
        }
    return rrule
