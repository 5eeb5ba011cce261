"""Tasks of a plan, the units they are given to, and the progress each unit logs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import Document, confidential_q
from tasks.deadlines import Schedule
from units.models import WRITING_ROLES, Unit, scope_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class DeadlineKind(models.TextChoices):
    ONCE = "once", _("Once")
    RECURRING = "recurring", _("Recurring")
    CONTINUOUS = "continuous", _("Continuous")
    HORIZON = "horizon", _("Target horizon")
    ON_DEMAND = "on_demand", _("On demand")
    UNPARSED = "unparsed", _("Not understood")
    NONE = "none", _("No deadline stated")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead (chủ trì)")
    SUPPORT = "support", _("Coordinating (phối hợp)")


class GroupDepth(models.TextChoices):
    CHILDREN = "children", _("Directly under")
    SUBTREE = "subtree", _("Anywhere under")


class TaskQuerySet(models.QuerySet):
    """Tasks, scoped through the document they belong to."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> TaskQuerySet:
        return self.filter(document__in=Document.objects.visible_to(user))

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> TaskQuerySet:
        return self.filter(document__in=Document.objects.editable_by(user))


class Task(models.Model):
    """An actionable item of a plan: what to do, who leads, who coordinates, by when.

    The deadline is kept exactly as written. ``requires_plan`` marks a task that asks its units
    to issue their own implementing plan; such an assignment is fulfilled by linking that plan.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("document")
    )
    section = models.CharField(_("section"), max_length=40, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("task"))
    # The task's place in its document's outline; its words are the document's words there.
    part = models.OneToOneField(
        "plans.Part",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task",
        verbose_name=_("place in the text"),
    )
    lead_text = models.CharField(_("lead as written"), max_length=500, blank=True)
    support_text = models.CharField(_("coordinating as written"), max_length=500, blank=True)
    deadline_text = models.CharField(_("deadline as written"), max_length=500, blank=True)
    deadline_kind = models.CharField(
        _("kind of deadline"),
        max_length=12,
        choices=DeadlineKind.choices,
        default=DeadlineKind.NONE,
    )
    due_on = models.DateField(_("first due date"), null=True, blank=True)
    deadline_rrule = models.CharField(_("recurrence (RFC 5545)"), max_length=200, blank=True)
    deadline_on_demand = models.BooleanField(_("also on demand"), default=False)
    horizon_year = models.PositiveSmallIntegerField(_("horizon year"), null=True, blank=True)
    deadline_corrected = models.BooleanField(
        _("schedule set by a person"),
        default=False,
        help_text=_("Kept as set while the deadline words stay the same."),
    )
    requires_plan = models.BooleanField(_("asks for an implementing plan"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every service that changes what the task form edits; the form carries it so a
    # save made on an outdated copy is refused (cascade.concurrency).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = TaskQuerySet.as_manager()

    # Set on tasks read for a page (``plans.selectors.summarise_assignees``), not columns.
    lead_lines: list[Any]
    support_lines: list[Any]

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["document", "position", "id"]
        indexes = [
            models.Index(fields=["document", "status"], name="task_document_status"),
            models.Index(fields=["deadline_kind"], name="task_deadline_kind"),
            # The tasks asking for implementing plans, by document: what the coverage figures
            # start from; a few percent of all tasks, so a partial index finds them at once.
            models.Index(
                fields=["document"],
                condition=models.Q(requires_plan=True),
                name="task_requires_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def schedule(self) -> Schedule:
        """The stored schedule as the deadline parser's value object."""
        kind = self.deadline_kind if self.deadline_kind != DeadlineKind.NONE else "unparsed"
        return Schedule(
            text=self.deadline_text,
            kind=kind,  # type: ignore[arg-type]
            due=self.due_on,
            rrule=self.deadline_rrule or None,
            on_demand=self.deadline_on_demand,
            horizon_year=self.horizon_year,
        )


class TaskGroup(models.Model):
    """A group named by a task ("Các LĐLĐ huyện, thành phố"): every unit of the given blocs and
    levels under ``anchor``. The group's words are kept; each unit in it gets its own tracked
    assignment."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="groups")
    label = models.CharField(_("group as written"), max_length=255)
    anchor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    blocs = models.JSONField(_("blocs"), default=list, blank=True)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    depth = models.CharField(
        _("depth"), max_length=10, choices=GroupDepth.choices, default=GroupDepth.CHILDREN
    )

    class Meta:
        verbose_name = _("assigned group")
        verbose_name_plural = _("assigned groups")

    def __str__(self) -> str:
        return self.label


class AssignmentQuerySet(models.QuerySet):
    """Assignments, scoped through their task's document."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> AssignmentQuerySet:
        return self.filter(task__document__in=Document.objects.visible_to(user))

    def updatable_by(self, user: AbstractBaseUser | AnonymousUser) -> AssignmentQuerySet:
        """Assignments on which the user may log progress: those given to a unit where they
        are staff or administrator, or belonging to a document they may edit; never on a
        confidential plan outside the user's circle (an administrator above it included)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            scope_q(user, roles=WRITING_ROLES, prefix="unit__")
            | Q(task__document__in=Document.objects.editable_by(user)),
            confidential_q(user, prefix="task__document__"),
        )


class Assignment(models.Model):
    """One unit's share of a task, tracked on its own: its status, its completion and, for a
    task asking for an implementing plan, the plan that fulfils it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    group = models.ForeignKey(
        TaskGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fulfils",
        verbose_name=_("implementing plan"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["task", "-role", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique_task_unit")
        ]
        indexes = [models.Index(fields=["unit", "status"], name="assignment_unit_status")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.task}"


class OccurrenceQuerySet(models.QuerySet):
    """Occurrences, scoped through their task's document."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> OccurrenceQuerySet:
        return self.filter(task__document__in=Document.objects.visible_to(user))


class Occurrence(models.Model):
    """One period of a unit's share of a task: due on a day, with its own status.

    A once task has one; a recurring or continuous task one per period, generated ahead. The
    task and unit are repeated from the assignment so that due-date sweeps and dashboards
    filter and count without joins.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="occurrences")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrences")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="occurrences")
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "due_on"], name="occurrence_unique_assignment_due"
            )
        ]
        indexes = [
            models.Index(fields=["due_on", "status"], name="occurrence_due_status"),
            models.Index(fields=["unit", "due_on"], name="occurrence_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.due_on:%d/%m/%Y}"

    def is_overdue(self, today: date) -> bool:
        return self.status != TaskStatus.DONE and self.due_on < today


class ProgressUpdateQuerySet(models.QuerySet):
    """Progress logs, scoped through the assignment they belong to."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ProgressUpdateQuerySet:
        return self.filter(assignment__in=Assignment.objects.visible_to(user))


class ProgressUpdate(models.Model):
    """An entry of a task's progress log: a note and the state it leaves the unit's share in."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="updates", verbose_name=_("assignment")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    occurrence = models.ForeignKey(
        "Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("period"),
    )
    note = models.TextField(_("note"))
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.note[:80]


class ProgressAttachment(models.Model):
    """Evidence attached to a progress update; served only through a permission check."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="evidence/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
