"""Writes to tasks, their assignments and progress logs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from background import services as background
from cascade.concurrency import check_version
from cascade.services import atomic_service
from plans.models import Document, Part
from plans.outline_services import part_append
from rollups.services import rollups_forget, rollups_mark, rollups_settle
from tasks.deadlines import PERIOD_END_RULES, Schedule, yearly_rule
from tasks.models import (
    Assignment,
    AssignmentRole,
    DeadlineKind,
    GroupDepth,
    Occurrence,
    ProgressAttachment,
    ProgressUpdate,
    Task,
    TaskGroup,
    TaskStatus,
)
from tasks.schedules import (
    apply_parsed_deadline,
    context_date,
    current_occurrence,
    set_schedule,
    sync_occurrences,
)
from tasks.selectors import group_members
from units.models import Unit

TASK_FIELDS = [
    "section",
    "position",
    "text",
    "lead_text",
    "support_text",
    "deadline_text",
    "deadline_kind",
    "due_on",
    "deadline_rrule",
    "deadline_on_demand",
    "horizon_year",
    "deadline_corrected",
    "requires_plan",
    "status",
    "completed_on",
]
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A group of units named by a task: blocs and levels under an anchor unit."""

    label: str
    anchor: Unit
    blocs: Sequence[str] = ()
    levels: Sequence[str] = ()
    depth: str = GroupDepth.CHILDREN


@dataclass(slots=True)
class Assignees:
    """Who a task is given to: single units and groups, for each role."""

    lead: list[Unit] = field(default_factory=list)
    support: list[Unit] = field(default_factory=list)
    lead_groups: list[GroupSpec] = field(default_factory=list)
    support_groups: list[GroupSpec] = field(default_factory=list)


def _check_may_edit(actor: User | None, document: Document) -> None:
    if actor is None:
        return
    if not Document.objects.editable_by(actor).filter(pk=document.pk).exists():
        raise PermissionDenied(_("You may not change the tasks of this document."))


def _assign(task: Task, assignees: Assignees, *, created: bool = False) -> list[Assignment]:
    """Create one assignment per unit; a unit named as lead is not also a coordinator."""
    wanted: dict[int, tuple[Unit, str, TaskGroup | None]] = {}
    for role, units, groups in (
        (AssignmentRole.SUPPORT, assignees.support, assignees.support_groups),
        (AssignmentRole.LEAD, assignees.lead, assignees.lead_groups),
    ):
        for spec in groups:
            group = TaskGroup.objects.create(
                task=task,
                label=spec.label,
                anchor=spec.anchor,
                role=role,
                blocs=list(spec.blocs),
                levels=list(spec.levels),
                depth=spec.depth,
            )
            for unit in group_members(group, on=context_date(task)):
                wanted[unit.pk] = (unit, role, group)
        for unit in units:
            wanted[unit.pk] = (unit, role, None)
    existing = {a.unit_id: a for a in task.assignments.all()} if task.pk and not created else {}
    for unit_pk, assignment in existing.items():
        if unit_pk not in wanted and not assignment.updates.exists():
            rollups_forget(assignment=assignment)
            assignment.delete()
    new: list[Assignment] = []
    for unit_pk, (unit, share, through) in wanted.items():
        if unit_pk in existing:
            assignment = existing[unit_pk]
            if assignment.role != share or assignment.group_id != (through.pk if through else None):
                assignment.role, assignment.group = share, through
                assignment.save(update_fields=["role", "group"])
        else:
            new.append(Assignment(task=task, unit=unit, role=share, group=through))
    Assignment.objects.bulk_create(new)
    kept = [a for unit_pk, a in existing.items() if unit_pk in wanted]
    return [a for a in [*kept, *new] if a.role == AssignmentRole.LEAD]


@atomic_service
def task_create(
    *,
    actor: User | None,
    document: Document,
    text: str,
    assignees: Assignees | None = None,
    section: str = "",
    deadline_text: str = "",
    requires_plan: bool = False,
    lead_text: str = "",
    support_text: str = "",
    position: int | None = None,
    part: Part | None = None,
    notify: bool = True,
) -> Task:
    """Add a task to a document and give it to its lead and coordinating units.

    ``part`` is the task's place in the document's outline (an import links each task to the
    paragraph it was read from); without one the task becomes a new paragraph at the end, so
    every task is part of the document and its words are printed where it stands.

    ``notify=False`` leaves telling the units to the caller: an import adds dozens of tasks
    and tells everyone in one pass at the end (``assignment_notices_for_document``).
    """
    _check_may_edit(actor, document)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A task needs a description.")})
    assignees = assignees or Assignees()
    task = Task(
        document=document,
        section=section.strip(),
        position=document.tasks.count() if position is None else position,
        text=text,
        deadline_text=" ".join(deadline_text.split()),
        requires_plan=requires_plan,
        lead_text=lead_text.strip()
        or ", ".join([u.name for u in assignees.lead] + [g.label for g in assignees.lead_groups]),
        support_text=support_text.strip()
        or ", ".join(
            [u.name for u in assignees.support] + [g.label for g in assignees.support_groups]
        ),
    )
    apply_parsed_deadline(task, words_changed=True)
    task.full_clean(exclude=["document", "part"])
    if part is not None and part.document_id != document.pk:
        raise ValidationError(_("A task's place must be in its own document."))
    if part is not None and Task.objects.filter(part=part).exists():
        raise ValidationError(_("That place in the text already holds a task."))
    task.part = part or part_append(document=document)
    task.save()
    leads = _assign(task, assignees, created=True)
    sync_occurrences(task, created=True, leads=leads)
    audit_record(actor=actor, action="create", instance=task, changes=snapshot(task, TASK_FIELDS))
    if requires_plan:
        _fulfil_from_existing_plans(actor, task)
    if notify:
        background.enqueue_on_commit("notifications.jobs.notify_task_assigned", task.pk)
    return task


@atomic_service
def task_update(
    *,
    actor: User | None,
    task: Task,
    text: str,
    section: str = "",
    deadline_text: str = "",
    requires_plan: bool = False,
    assignees: Assignees | None = None,
    expected_version: int | None = None,
) -> Task:
    """Change a task's words and, when ``assignees`` is given, who it is given to.

    A unit that already logged progress keeps its assignment even when removed from the task,
    so nothing it recorded is lost. ``expected_version`` is the version the editing form was
    opened at: when someone saved the task since, ``EditConflict`` is raised and nothing is
    changed.
    """
    _check_may_edit(actor, task.document)
    task = Task.objects.select_for_update().get(pk=task.pk)
    check_version(task, expected_version)
    before = snapshot(task, TASK_FIELDS)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("A task needs a description.")})
    task.text = text
    task.section = section.strip()
    words = " ".join(deadline_text.split())
    words_changed = words != task.deadline_text
    task.deadline_text = words
    apply_parsed_deadline(task, words_changed=words_changed)
    task.requires_plan = requires_plan
    if assignees is not None:
        task.groups.filter(assignments__isnull=True).delete()
        task.lead_text = ", ".join(
            [u.name for u in assignees.lead] + [g.label for g in assignees.lead_groups]
        )
        task.support_text = ", ".join(
            [u.name for u in assignees.support] + [g.label for g in assignees.support_groups]
        )
        _assign(task, assignees)
    task.full_clean(exclude=["document", "part"])
    task.version += 1
    task.save()
    sync_occurrences(task)
    background.enqueue_on_commit("notifications.jobs.notify_task_assigned", task.pk)
    audit_record(
        actor=actor,
        action="update",
        instance=task,
        changes=diff(before, snapshot(task, TASK_FIELDS)),
    )
    return task


@atomic_service
def task_correct_deadline(
    *,
    actor: User | None,
    task: Task,
    kind: str,
    due_on: date | None = None,
    frequency: str = "",
    on_demand: bool = False,
    horizon_year: int | None = None,
) -> Task:
    """Set a task's schedule by hand where the words were misread or not understood. The
    correction stays while the deadline words stay the same.

    ``frequency`` is "yearly" (every year on the day and month of ``due_on``), "half_yearly",
    "quarterly" or "monthly" (the last day of each period), for a recurring schedule.
    """
    _check_may_edit(actor, task.document)
    task = Task.objects.select_for_update().select_related("document").get(pk=task.pk)
    before = snapshot(task, TASK_FIELDS)
    if kind not in DeadlineKind.values or kind == DeadlineKind.UNPARSED:
        raise ValidationError({"kind": _("Choose what kind of deadline this is.")})
    if kind in (DeadlineKind.ONCE, DeadlineKind.HORIZON) and due_on is None:
        raise ValidationError({"due_on": _("Give the due date.")})
    rrule = ""
    if kind == DeadlineKind.RECURRING:
        if frequency == "yearly":
            if due_on is None:
                raise ValidationError(
                    {"due_on": _("Give the day and month it falls due each year.")}
                )
            rrule = yearly_rule(due_on.month, due_on.day)
        elif frequency in PERIOD_END_RULES:
            rrule = PERIOD_END_RULES[frequency]
        else:
            raise ValidationError({"frequency": _("Choose how often it recurs.")})
    if kind == DeadlineKind.HORIZON and due_on is not None:
        horizon_year = due_on.year
    schedule = Schedule(
        text=task.deadline_text,
        kind="unparsed" if kind == DeadlineKind.NONE else kind,  # type: ignore[arg-type]
        due=due_on if kind in (DeadlineKind.ONCE, DeadlineKind.HORIZON) else None,
        rrule=rrule or None,
        on_demand=on_demand or kind == DeadlineKind.ON_DEMAND,
        horizon_year=horizon_year,
    )
    set_schedule(task, schedule, context=context_date(task))
    task.deadline_kind = kind
    task.deadline_corrected = True
    task.version += 1
    task.save()
    sync_occurrences(task)
    audit_record(
        actor=actor,
        action="correct_deadline",
        instance=task,
        changes=diff(before, snapshot(task, TASK_FIELDS)),
    )
    return task


def _refresh_task_status(task: Task) -> None:
    """A task is done when every lead unit is done, in progress once anyone has started."""
    leads = list(
        task.assignments.filter(role=AssignmentRole.LEAD).values_list("status", "completed_on")
    )
    statuses = [status for status, _ in leads]
    if leads and all(status == TaskStatus.DONE for status in statuses):
        status, completed_on = TaskStatus.DONE, max(day for _, day in leads if day)
    elif task.assignments.exclude(status=TaskStatus.NOT_STARTED).exists():
        status, completed_on = TaskStatus.IN_PROGRESS, None
    else:
        status, completed_on = TaskStatus.NOT_STARTED, None
    if (task.status, task.completed_on) != (status, completed_on):
        task.status, task.completed_on = status, completed_on
        task.save(update_fields=["status", "completed_on", "updated_at"])


@atomic_service
def progress_add(
    *,
    actor: User,
    assignment: Assignment,
    note: str,
    status: str,
    completed_on: date | None = None,
    files: Iterable[UploadedFile] = (),
    occurrence: Occurrence | None = None,
) -> ProgressUpdate:
    """Log progress on a unit's share of a task, with evidence files.

    For a task with several periods the update applies to ``occurrence`` (by default the
    earliest one not done); the unit's share is done when its last period is.
    """
    if not Assignment.objects.updatable_by(actor).filter(pk=assignment.pk).exists():
        raise PermissionDenied(_("You may not report progress for this unit."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write what was done.")})
    if status not in TaskStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    today = timezone.localdate()
    if completed_on and completed_on > today:
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    files = list(files)
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(
                {"files": _("%(name)s is larger than 20 MB.") % {"name": upload.name}}
            )
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if occurrence is not None and occurrence.assignment_id != assignment.pk:
        raise ValidationError({"occurrence": _("That period belongs to another unit's share.")})
    occurrence = occurrence or current_occurrence(assignment)
    before = snapshot(assignment, ["status", "completed_on"])
    done_on = (completed_on or today) if status == TaskStatus.DONE else None
    update = ProgressUpdate.objects.create(
        assignment=assignment, author=actor, note=note, status=status, occurrence=occurrence
    )
    if occurrence is not None:
        mark = rollups_mark(occurrence=occurrence)
        occurrence.status, occurrence.completed_on = status, done_on
        occurrence.save(update_fields=["status", "completed_on"])
        rollups_settle(mark)
    for upload in files:
        ProgressAttachment.objects.create(
            update=update, file=upload, name=(upload.name or "")[:255], size=upload.size or 0
        )
    still_open = occurrence is not None and (
        assignment.occurrences.exclude(status=TaskStatus.DONE).exists()
        or assignment.task.deadline_kind in (DeadlineKind.RECURRING, DeadlineKind.CONTINUOUS)
    )
    if status == TaskStatus.DONE and still_open:
        # One period done; the share goes on for the periods still to come.
        assignment.status, assignment.completed_on = TaskStatus.IN_PROGRESS, None
    else:
        assignment.status, assignment.completed_on = status, done_on
    assignment.save(update_fields=["status", "completed_on"])
    _refresh_task_status(assignment.task)
    audit_record(
        actor=actor,
        action="progress",
        instance=assignment,
        changes={**diff(before, snapshot(assignment, ["status", "completed_on"])), "note": note},
    )
    return update


def task_complete(
    *, actor: User, assignment: Assignment, note: str, completed_on: date | None = None
) -> ProgressUpdate:
    """Mark a unit's share of a task as done."""
    return progress_add(
        actor=actor,
        assignment=assignment,
        note=note,
        status=TaskStatus.DONE,
        completed_on=completed_on,
    )


def _fulfil_from_existing_plans(actor: User | None, task: Task) -> None:
    """Link plans its units already issued to a new task that asks for one (one query)."""
    plans: dict[int, Document] = {}
    for plan in Document.objects.filter(
        implements=task.document_id, issuer__in=task.assignments.values("unit")
    ).order_by("-issued_on", "-pk"):
        assert plan.issuer_id is not None  # the filter names issuers
        plans[plan.issuer_id] = plan  # the earliest plan of each unit wins
    if not plans:
        return
    for assignment in task.assignments.filter(unit__in=list(plans)).select_related("task"):
        _link_plan(actor, assignment, plans[assignment.unit_id])


def _link_plan(actor: User | None, assignment: Assignment, plan: Document) -> None:
    mark = rollups_mark(assignment=assignment)
    assignment.fulfilled_by = plan
    assignment.status = TaskStatus.DONE
    assignment.completed_on = plan.issued_on or timezone.localdate()
    assignment.save(update_fields=["fulfilled_by", "status", "completed_on"])
    rollups_settle(mark)
    _refresh_task_status(assignment.task)
    audit_record(
        actor=actor, action="fulfil", instance=assignment, changes={"fulfilled_by": plan.pk}
    )


@atomic_service
def assignments_fulfil_with_plan(*, actor: User | None, plan: Document) -> int:
    """Link ``plan`` to every open assignment that asked its issuer for an implementing plan
    of the document it implements. Returns how many were fulfilled."""
    if plan.implements_id is None or plan.issuer_id is None:
        return 0
    open_assignments = Assignment.objects.filter(
        task__document=plan.implements_id,
        task__requires_plan=True,
        unit=plan.issuer_id,
        fulfilled_by__isnull=True,
    ).select_related("task")
    count = 0
    for assignment in open_assignments:
        _link_plan(actor, assignment, plan)
        count += 1
    return count
