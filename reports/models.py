"""The report chain: what a plan asks to be reported (requirements), one request per reporting
unit and period, the report written for it (narrative, task lines, target measurements), its
history, and the figures rolled up from the reports below.

The per-unit, per-period figures a dashboard needs are stored where they can be read without
recomputing anything: each ``ReportRequest`` carries its own task counts and the counts rolled
up from the accepted reports below it; each ``ReportMeasurement`` carries a numerator and a
denominator for one target together with the directive-level target it belongs to
(``root_target``), so a whole period is summed with one GROUP BY.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from plans.models import Document, Target, confidential_q
from tasks.models import Assignment, Occurrence, Task, TaskStatus
from units.models import ACTING_ROLES, LEADING_ROLES, WRITING_ROLES, Level, Unit, scope_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from reports.periods import Period


class Frequency(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")
    ON_DEMAND = "on_demand", _("On demand")


class ReportersMode(models.TextChoices):
    CARRY_OUT = "carry_out", _("The units that carry out the plan")
    EXPLICIT = "explicit", _("The units listed")


class ReportState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


EDITABLE_STATES = (ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED)
OPEN_STATES = EDITABLE_STATES  # still owed by the reporting unit
REVIEWER_ROLES = LEADING_ROLES
WRITER_ROLES = WRITING_ROLES

# Levels from the top down; a unit's due date moves earlier by the lead time of every level
# between it and the level just below the receiving unit.
LEVEL_ORDER = [Level.CENTRAL, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.GRASSROOTS]
# Days a report from a unit of this level is due before the reports of the level above it:
# a commune 10 days before the district, a district 5 days before the province.
DEFAULT_LEVEL_LEAD_DAYS = {
    Level.PROVINCE.value: 5,
    Level.DISTRICT.value: 5,
    Level.COMMUNE.value: 10,
    Level.GRASSROOTS.value: 5,
}
# Days after the data cut-off that reports are due when neither the plan's words nor the
# level above say otherwise (Nghị định 09/2019: at least one working day after the cut-off).
DEFAULT_DUE_OFFSET_DAYS = 5


def level_lead_defaults() -> dict[str, int]:
    return dict(getattr(settings, "REPORTS_LEVEL_LEAD_DAYS", DEFAULT_LEVEL_LEAD_DAYS))


def level_rank(level: str) -> int:
    try:
        return LEVEL_ORDER.index(level)  # type: ignore[arg-type]
    except ValueError:
        return len(LEVEL_ORDER)


class ReportRequirementQuerySet(models.QuerySet):
    """Requirements, scoped through their plan and their receiving unit."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequirementQuerySet:
        """Requirements of plans the user may read.

        Everyone may read a document known only by reference, but not the reporting duties
        units attached to it: those only for the units involved (the issuer, the receiver,
        the reporting units, and the leaders above them).
        """
        visible = self.filter(document__in=Document.objects.visible_to(user))
        if not user.is_authenticated or user.is_superuser:
            return visible
        involved = (
            scope_q(user, roles=None, prefix="document__issuer__")
            | scope_q(user, roles=None, prefix="receiver__")
            | Q(
                pk__in=ReportRequirement.units.through.objects.filter(
                    unit__in=Unit.objects.readable_by(user)
                ).values("reportrequirement")
            )
        )
        return visible.filter(~Q(document__status="reference") | involved)

    def manageable_by(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequirementQuerySet:
        """Requirements the user may change or issue ad hoc requests under: those of plans
        they may edit, and those received by their units (leaders and administrators: also
        by units below them)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(document__in=Document.objects.editable_by(user))
            # Observers read requirements; they do not manage them.
            | scope_q(user, roles=ACTING_ROLES, prefix="receiver__")
        )


class ReportRequirement(models.Model):
    """A plan's duty to report: who reports, to whom, how often, and by when.

    Due dates: a period's reports from the units one level below the receiving unit are due
    ``due_offset_days`` after the period's data cut-off (Nghị định 09/2019, shifted by
    ``cutoff_shift_days`` when the plan sets its own); each level further down is due earlier
    by its lead time in ``level_lead_days`` (a commune 10 days before a district…), so the
    lower levels report before the level that consolidates them.
    """

    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="report_requirements",
        verbose_name=_("plan"),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    receiver = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="received_report_requirements",
        verbose_name=_("reports go to"),
    )
    reporters_mode = models.CharField(
        _("who reports"),
        max_length=10,
        choices=ReportersMode.choices,
        default=ReportersMode.CARRY_OUT,
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="report_requirements", verbose_name=_("reporting units")
    )
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    also_on_demand = models.BooleanField(_("also when asked (đột xuất)"), default=False)
    due_offset_days = models.SmallIntegerField(
        _("due, days after the cut-off"),
        default=DEFAULT_DUE_OFFSET_DAYS,
        help_text=_("For the units one level below the receiving unit; negative: before it."),
    )
    level_lead_days = models.JSONField(
        _("lead time per level (days)"),
        default=level_lead_defaults,
        blank=True,
        help_text=_("How many days earlier each level further down must report."),
    )
    cutoff_shift_days = models.SmallIntegerField(
        _("cut-off shift (days)"),
        default=0,
        help_text=_("Moves the Decree 09/2019 data cut-off window; 0 keeps it."),
    )
    starts_on = models.DateField(_("first period contains"))
    ends_on = models.DateField(_("last period contains"), null=True, blank=True)
    source_task = models.ForeignKey(
        Task,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_requirements",
        verbose_name=_("from the task"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("report requirement")
        verbose_name_plural = _("report requirements")
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return self.title or f"{self.document.identifier} — {self.get_frequency_display()}"

    @property
    def due_rule(self) -> str:
        """When the units one level below the receiver are due, in words."""
        days = self.due_offset_days
        if days < 0:
            return ngettext(
                "%(days)s day before the data cut-off",
                "%(days)s days before the data cut-off",
                -days,
            ) % {"days": -days}
        if days == 0:
            return gettext("on the day of the data cut-off")
        return ngettext(
            "%(days)s day after the data cut-off", "%(days)s days after the data cut-off", days
        ) % {"days": days}

    @property
    def lead_days_display(self) -> list[tuple[str, int]]:
        """(level, days) for each level further down, in the reader's language."""
        lead = self.level_lead_days or {}
        return [(level.label, int(lead[level.value])) for level in LEVEL_ORDER if level in lead]

    def lead_days_for(self, level: str) -> int:
        """Days earlier than the base due date a unit of ``level`` must report."""
        lead = self.level_lead_days or {}
        first = level_rank(self.receiver.level) + 2
        return sum(
            int(lead.get(LEVEL_ORDER[rank].value, 0))
            for rank in range(first, min(level_rank(level), len(LEVEL_ORDER) - 1) + 1)
        )

    def due_on_for(self, period: Period, level: str) -> date:
        """The due date of ``period`` for a unit of ``level``."""
        return period.ends_on + timedelta(days=self.due_offset_days - self.lead_days_for(level))


class ReportRequestQuerySet(models.QuerySet):
    """Report requests (and the reports written for them), with the one scoping rule."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequestQuerySet:
        """Reports the user may read: their reporting unit's members and the receiving unit's
        members (leaders and administrators of a unit above either also see them)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            scope_q(user, roles=None, prefix="unit__")
            | scope_q(user, roles=None, prefix="receiver__"),
            # Reports on a confidential plan stay inside the plan's circle.
            confidential_q(user, prefix="requirement__document__"),
        )

    def editable_by(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequestQuerySet:
        """Reports the user may write and submit: staff and administrators of the reporting
        unit, only while the report is not started, a draft, or returned for revision."""
        if not user.is_authenticated:
            return self.none()
        editable = self.filter(state__in=EDITABLE_STATES)
        if user.is_superuser:
            return editable
        return editable.filter(scope_q(user, roles=WRITER_ROLES, prefix="unit__"))

    def reviewable_by(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequestQuerySet:
        """Reports the user may accept, return or re-open: leaders and administrators of the
        receiving unit or of a unit above it."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(scope_q(user, roles=REVIEWER_ROLES, prefix="receiver__"))

    def manageable_by(self, user: AbstractBaseUser | AnonymousUser) -> ReportRequestQuerySet:
        """Requests whose dates the user may change: those of requirements they manage."""
        return self.filter(requirement__in=ReportRequirement.objects.manageable_by(user))


class ReportRequest(models.Model):
    """One reporting unit's report for one period (or one ad hoc request), and its state.

    not started → draft → submitted → accepted, or → returned for revision → submitted… The
    report's own task counts and the counts rolled up from the accepted reports below are kept
    here; ``rollup_snapshot`` keeps the figures a consolidation used, so that a change below
    (a report re-opened or accepted later) marks this one stale and shows what changed.
    """

    requirement = models.ForeignKey(
        ReportRequirement,
        on_delete=models.CASCADE,
        related_name="requests",
        verbose_name=_("requirement"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="report_requests", verbose_name=_("unit")
    )
    receiver = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="received_report_requests",
        verbose_name=_("reports to"),
    )
    # The cascade's root document, repeated so that a consolidation finds the reports below
    # it with one indexed filter.
    cascade_root = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", editable=False
    )
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    period_key = models.CharField(_("period"), max_length=40)
    period_starts_on = models.DateField(_("data from"))
    period_ends_on = models.DateField(_("data cut-off"))
    due_on = models.DateField(_("due on"))
    is_ad_hoc = models.BooleanField(_("ad hoc"), default=False)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    answers = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="asked_below",
        verbose_name=_("feeds the report"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.NOT_STARTED
    )
    results = models.TextField(_("results"), blank=True)
    limitations = models.TextField(_("limitations and causes"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    tasks_done = models.PositiveIntegerField(default=0)
    tasks_in_progress = models.PositiveIntegerField(default=0)
    tasks_not_started = models.PositiveIntegerField(default=0)
    rolled_tasks_done = models.PositiveIntegerField(default=0)
    rolled_tasks_in_progress = models.PositiveIntegerField(default=0)
    rolled_tasks_not_started = models.PositiveIntegerField(default=0)
    subordinates_expected = models.PositiveIntegerField(default=0)
    subordinates_accepted = models.PositiveIntegerField(default=0)
    rolled_up_at = models.DateTimeField(_("figures rolled up at"), null=True, blank=True)
    rollup_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    is_stale = models.BooleanField(_("stale"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every service that changes what the report editor shows; the editor carries it
    # so a save made on an outdated copy is refused (cascade.concurrency).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ReportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["due_on", "unit__path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "unit", "period_key"],
                name="reportrequest_once_per_unit_period",
            )
        ]
        indexes = [
            models.Index(
                fields=["receiver", "period_key", "cascade_root"], name="reportrequest_received"
            ),
            models.Index(fields=["unit", "period_key"], name="reportrequest_unit_period"),
            models.Index(fields=["state", "due_on"], name="reportrequest_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.receiver} · {self.period_label}"

    @property
    def period_label(self) -> str:
        """The period in words: "Year 2025", "First half of 2025", "Quarter 3/2025"…"""
        if self.is_ad_hoc:
            return self.subject or gettext("Ad hoc report")
        return period_words(self.frequency, self.period_key)

    @property
    def is_editable_state(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def chain_tasks(self) -> tuple[int, int, int]:
        """Done, in progress, not started: this unit's own and those rolled up from below."""
        return (
            self.tasks_done + self.rolled_tasks_done,
            self.tasks_in_progress + self.rolled_tasks_in_progress,
            self.tasks_not_started + self.rolled_tasks_not_started,
        )

    def is_overdue(self, today: date) -> bool:
        return self.state in OPEN_STATES and self.due_on < today


class ReportTaskLine(models.Model):
    """The state of one of the unit's task assignments (or one period of it) in the report,
    with the evidence the unit gives."""

    report = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="task_lines")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task_text = models.TextField(_("task"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    evidence = models.TextField(_("evidence"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("task in a report")
        verbose_name_plural = _("tasks in reports")
        ordering = ["report", "position", "pk"]
        indexes = [models.Index(fields=["report", "status"], name="reporttaskline_status")]

    def __str__(self) -> str:
        return self.task_text[:80]


class ReportMeasurementQuerySet(models.QuerySet):
    """Measurements, scoped through the report they are part of."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> ReportMeasurementQuerySet:
        return self.filter(report__in=ReportRequest.objects.visible_to(user))


class ReportMeasurement(models.Model):
    """A target's figure in a report, as a numerator and a denominator (132 of 410), so that it
    rolls up by summing both; the percentage is always computed from the sums."""

    report = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="measurements")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="measurements")
    root_target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="+", editable=False
    )
    numerator = models.PositiveBigIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveBigIntegerField(_("denominator"), null=True, blank=True)
    rolled_numerator = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    rolled_denominator = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    rolled_reports = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ReportMeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["report", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "target"], name="reportmeasurement_once_per_target"
            )
        ]
        indexes = [models.Index(fields=["root_target"], name="reportmeasurement_root")]

    def __str__(self) -> str:
        return f"{self.target}: {self.numerator}/{self.denominator}"

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)

    @property
    def rolled_percent(self) -> float | None:
        return percent(self.rolled_numerator, self.rolled_denominator)


def period_words(frequency: str, key: str) -> str:
    """A period key (``2025``, ``2025-H1``, ``2025-Q3``, ``2025-M07``) in words."""
    year = key[:4]
    try:
        match frequency:
            case Frequency.ANNUAL:
                return gettext("Year %(year)s") % {"year": year}
            case Frequency.HALF_YEARLY if key.endswith("H1"):
                return gettext("First half of %(year)s") % {"year": year}
            case Frequency.HALF_YEARLY:
                return gettext("Second half of %(year)s") % {"year": year}
            case Frequency.QUARTERLY:
                return gettext("Quarter %(quarter)s/%(year)s") % {
                    "quarter": int(key[-1]),
                    "year": year,
                }
            case Frequency.MONTHLY:
                return gettext("Month %(month)s/%(year)s") % {"month": int(key[-2:]), "year": year}
    except ValueError:
        pass
    return key


def percent(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator as a percentage, or None when it cannot be computed."""
    if numerator is None or not denominator:
        return None
    return 100.0 * numerator / denominator


class ReportStateChange(models.Model):
    """One line of a report's history: who moved it from which state to which, when, and
    what they said."""

    report = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(_("from"), max_length=12, choices=ReportState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=ReportState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report state change")
        verbose_name_plural = _("report state changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state} → {self.to_state}"


class ReportAttachment(models.Model):
    """Evidence attached to a report; served only through a permission check."""

    report = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class RenderState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class AnnualReportFileQuerySet(models.QuerySet):
    """Rendered annual reports, scoped like the reports they are made from."""

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> AnnualReportFileQuerySet:
        """Files of units the user may read (their own unit; a leader's or administrator's
        subtree) and files of reports the user may read (those sent to their unit)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            scope_q(user, roles=None, prefix="unit__")
            | Q(report__in=ReportRequest.objects.visible_to(user))
        )


class AnnualReportFile(models.Model):
    """The annual report of a unit on a directive for a year, rendered to PDF by a background
    job and kept, so that it is downloaded rather than rendered again each time. A file made
    before the report was accepted carries the draft mark (``draft``)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="annual_report_files", verbose_name=_("unit")
    )
    cascade_root = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="+", verbose_name=_("directive")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    report = models.ForeignKey(
        ReportRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("report"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RenderState.choices, default=RenderState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    draft = models.BooleanField(_("draft"), default=True)
    file = models.FileField(_("file"), upload_to="annual-reports/%Y/", max_length=255, blank=True)
    name = models.CharField(_("file name"), max_length=255, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written when the render starts and at each step: a render whose last sign of life is
    # older than REPORTS_RENDER_TIMEOUT died with its worker and is taken over.
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)

    objects = AnnualReportFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual report file")
        verbose_name_plural = _("annual report files")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "year", "cascade_root"], name="annualfile_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.year}"

    @property
    def is_finished(self) -> bool:
        return self.state in (RenderState.DONE, RenderState.FAILED)
