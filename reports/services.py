"""Writes of the report chain: requirements, the requests generated from them (and ad hoc
ones), writing, submitting and reviewing reports, and rolling figures up from the level below.

Every service is keyword-only, validates its input and the actor's right to act, runs in one
transaction and writes the audit trail. ``actor=None`` is the system itself (jobs, the demo).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_batch, audit_record, diff, snapshot
from background import services as background
from cascade.concurrency import check_version
from plans.models import Document
from reports import rollup, selectors
from reports.models import (
    EDITABLE_STATES,
    LEVEL_ORDER,
    Frequency,
    ReportAttachment,
    ReportersMode,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
    ReportState,
    ReportStateChange,
    ReportTaskLine,
    level_lead_defaults,
    level_rank,
)
from reports.periods import Period, period, period_containing
from reports.scheduling import frequency_from_schedule, periods_between, shifted
from tasks.models import AssignmentRole, Task, TaskStatus
from units.models import Level, Unit

logger = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_LEAD_DAYS = 120
REQUIREMENT_FIELDS = [
    "title",
    "receiver",
    "reporters_mode",
    "frequency",
    "also_on_demand",
    "due_offset_days",
    "level_lead_days",
    "cutoff_shift_days",
    "starts_on",
    "ends_on",
    "active",
]
NARRATIVE_FIELDS = ["results", "limitations", "proposals"]
TRANSITIONS = {
    ReportState.NOT_STARTED: {ReportState.DRAFT},
    ReportState.DRAFT: {ReportState.SUBMITTED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.SUBMITTED: {ReportState.RETURNED, ReportState.ACCEPTED},
    ReportState.ACCEPTED: {ReportState.RETURNED},
}


def lookahead_days() -> int:
    return int(getattr(settings, "REPORTS_LOOKAHEAD_DAYS", 45))


GENERATE_LOCK = "reports.generate"


# --- queueing ----------------------------------------------------------------------------------


def enqueue_generation(requirement_id: int | None = None) -> None:
    """Generate the requests of ``requirement_id`` (all when None) once the transaction
    commits. Without Redis the job runs in-process then; when the broker cannot be reached the
    request still succeeds and the job is kept until the broker is back (the daily job would
    catch up anyway)."""
    background.enqueue_on_commit("reports.jobs.generate_report_requests", requirement_id)


# --- requirements ------------------------------------------------------------------------------


def _check_may_manage(actor: AbstractBaseUser | None, document: Document, receiver: Unit) -> None:
    if actor is None or actor.is_superuser:
        return
    if Document.objects.editable_by(actor).filter(pk=document.pk).exists():
        return
    if Unit.objects.actionable_by(actor).filter(pk=receiver.pk).exists():
        return
    raise PermissionDenied(_("You may not set reporting duties for this plan."))


def _clean_lead_days(value: Mapping[str, Any] | None) -> dict[str, int]:
    if value is None:
        return level_lead_defaults()
    cleaned: dict[str, int] = {}
    for level, days in value.items():
        if level not in Level.values:
            raise ValidationError(
                {"level_lead_days": _("Unknown level: %(level)s.") % {"level": level}}
            )
        try:
            number = int(days)
        except (TypeError, ValueError):
            raise ValidationError({"level_lead_days": _("Lead times are whole days.")}) from None
        if not 0 <= number <= MAX_LEAD_DAYS:
            raise ValidationError(
                {"level_lead_days": _("A lead time lies between 0 and 120 days.")}
            )
        cleaned[level] = number
    return cleaned


def _derived_offset(receiver: Unit, *, cascade_root_id: int, frequency: str) -> int | None:
    """The base due offset that makes this level due before the level it reports to: the
    receiver's own due date under the requirement above, minus the lead time of the level
    just below the receiver."""
    above = selectors.upper_requirement(
        receiver, cascade_root_id=cascade_root_id, frequency=frequency
    )
    if above is None:
        return None
    receiver_offset = above.due_offset_days - above.lead_days_for(receiver.level)
    rank = level_rank(receiver.level) + 1
    lead = level_lead_defaults() | (above.level_lead_days or {})
    below = int(lead.get(LEVEL_ORDER[rank].value, 0)) if rank < len(LEVEL_ORDER) else 0
    return receiver_offset - below


@transaction.atomic
def report_requirement_create(
    *,
    actor: AbstractBaseUser | None,
    document: Document,
    frequency: str,
    receiver: Unit | None = None,
    units: Iterable[Unit] | None = None,
    also_on_demand: bool = False,
    due_offset_days: int | None = None,
    level_lead_days: Mapping[str, Any] | None = None,
    cutoff_shift_days: int = 0,
    starts_on: date | None = None,
    ends_on: date | None = None,
    title: str = "",
    source_task: Task | None = None,
    generate: bool = True,
) -> ReportRequirement:
    """Attach a duty to report to a plan.

    Who reports: ``units`` when given, otherwise the units that carry out the plan. To whom:
    ``receiver``, by default the plan's issuing unit. ``due_offset_days`` (days after the data
    cut-off, for the units one level below the receiver) defaults to a date before the
    receiver's own due date to the level above, when there is one, else five days after the
    cut-off. The requests of the periods that have begun are generated after the commit.
    """
    receiver = receiver or document.issuer
    if receiver is None:
        raise ValidationError({"receiver": _("Choose the unit the reports go to.")})
    _check_may_manage(actor, document, receiver)
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how often the units report.")})
    units = list(units) if units is not None else None
    if units is not None and not units:
        raise ValidationError({"units": _("Choose at least one reporting unit.")})
    if units and any(u.pk == receiver.pk for u in units):
        raise ValidationError({"units": _("The receiving unit does not report to itself.")})
    if units and any(not u.path.startswith(receiver.path) for u in units):
        raise ValidationError({"units": _("Only units below the receiving unit report to it.")})
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last period cannot come before the first.")})
    if not -366 <= cutoff_shift_days <= 366:
        raise ValidationError({"cutoff_shift_days": _("Shift the cut-off by at most a year.")})
    root_id = selectors.cascade_root_of(document)
    if due_offset_days is None:
        due_offset_days = _derived_offset(receiver, cascade_root_id=root_id, frequency=frequency)
    if due_offset_days is None:
        due_offset_days = ReportRequirement._meta.get_field("due_offset_days").default
    if not -366 <= due_offset_days <= 366:
        raise ValidationError(
            {"due_offset_days": _("The due date lies within a year of the cut-off.")}
        )
    requirement = ReportRequirement.objects.create(
        document=document,
        title=title.strip()[:255],
        receiver=receiver,
        reporters_mode=ReportersMode.EXPLICIT if units else ReportersMode.CARRY_OUT,
        frequency=frequency,
        also_on_demand=also_on_demand or frequency == Frequency.ON_DEMAND,
        due_offset_days=due_offset_days,
        level_lead_days=_clean_lead_days(level_lead_days),
        cutoff_shift_days=cutoff_shift_days,
        starts_on=starts_on,
        ends_on=ends_on,
        source_task=source_task,
    )
    if units:
        requirement.units.set(units)
    audit_record(
        actor=actor,
        action="create",
        instance=requirement,
        changes={
            **snapshot(requirement, REQUIREMENT_FIELDS),
            "document": document.pk,
            "units": sorted(u.pk for u in units or ()),
            "source_task": source_task.pk if source_task else None,
        },
    )
    if generate and frequency != Frequency.ON_DEMAND:
        enqueue_generation(requirement.pk)
    return requirement


def report_requirement_create_from_task(
    *,
    actor: AbstractBaseUser | None,
    task: Task,
    receiver: Unit | None = None,
    frequency: str | None = None,
    starts_on: date | None = None,
    generate: bool = True,
) -> ReportRequirement:
    """A requirement from a plan's reporting task ("định kỳ trước ngày 10/12 hằng năm hoặc
    khi có yêu cầu đột xuất gửi báo cáo về…"): its lead units report, as often as the words
    say (annual, due 9 December, also on demand). When the words do not say how often,
    ``frequency`` must be given: nothing is guessed."""
    if ReportRequirement.objects.filter(source_task=task, active=True).exists():
        raise ValidationError({"source_task": _("This task already has a reporting duty.")})
    derived = frequency_from_schedule(
        kind=task.deadline_kind,
        rrule=task.deadline_rrule,
        due=task.due_on,
        on_demand=task.deadline_on_demand,
    )
    if frequency is None and derived is None:
        raise ValidationError(
            {"frequency": _("The deadline words do not say how often to report: choose it.")}
        )
    chosen = frequency or derived.frequency  # type: ignore[union-attr]
    offset = derived.due_offset_days if derived and derived.frequency == chosen else None
    leads = [
        a.unit
        for a in task.assignments.filter(role=AssignmentRole.LEAD)
        .select_related("unit")
        .order_by("unit__path")
    ]
    receiver = receiver or task.document.issuer
    return report_requirement_create(
        actor=actor,
        document=task.document,
        frequency=chosen,
        receiver=receiver,
        units=[u for u in leads if receiver is None or u.pk != receiver.pk] or None,
        also_on_demand=bool(derived and derived.also_on_demand),
        due_offset_days=offset,
        starts_on=starts_on,
        source_task=task,
        generate=generate,
    )


@transaction.atomic
def report_requirement_update(
    *,
    actor: AbstractBaseUser | None,
    requirement: ReportRequirement,
    due_offset_days: int,
    level_lead_days: Mapping[str, Any] | None,
    cutoff_shift_days: int,
    ends_on: date | None,
    active: bool,
    title: str = "",
) -> ReportRequirement:
    """Change when a requirement's reports are due and until when it runs. The new dates
    apply to the requests generated from now on and to those not started yet."""
    requirement = ReportRequirement.objects.select_for_update().get(pk=requirement.pk)
    _check_may_manage(actor, requirement.document, requirement.receiver)
    before = snapshot(requirement, REQUIREMENT_FIELDS)
    if ends_on is not None and ends_on < requirement.starts_on:
        raise ValidationError({"ends_on": _("The last period cannot come before the first.")})
    if not -366 <= due_offset_days <= 366:
        raise ValidationError(
            {"due_offset_days": _("The due date lies within a year of the cut-off.")}
        )
    if not -366 <= cutoff_shift_days <= 366:
        raise ValidationError({"cutoff_shift_days": _("Shift the cut-off by at most a year.")})
    requirement.title = title.strip()[:255]
    requirement.due_offset_days = due_offset_days
    requirement.level_lead_days = _clean_lead_days(level_lead_days)
    requirement.cutoff_shift_days = cutoff_shift_days
    requirement.ends_on = ends_on
    requirement.active = active
    requirement.save()
    moved = list(
        requirement.requests.filter(state=ReportState.NOT_STARTED, is_ad_hoc=False).select_related(
            "unit"
        )
    )
    _redate(requirement, moved)
    audit_record(
        actor=actor,
        action="update",
        instance=requirement,
        changes=diff(before, snapshot(requirement, REQUIREMENT_FIELDS)),
    )
    return requirement


def _redate(requirement: ReportRequirement, requests: list[ReportRequest]) -> None:
    for request in requests:
        base = _standard_period(request)
        if base is None:
            continue
        window = shifted(base, requirement.cutoff_shift_days)
        request.period_starts_on, request.period_ends_on = window.starts_on, window.ends_on
        request.due_on = requirement.due_on_for(base, request.unit.level)
    ReportRequest.objects.bulk_update(requests, ["period_starts_on", "period_ends_on", "due_on"])


def _standard_period(request: ReportRequest) -> Period | None:
    """The Nghị định 09/2019 period a generated request stands for, from its key."""
    key = request.period_key
    try:
        year = int(key[:4])
        match request.frequency:
            case Frequency.ANNUAL:
                return period("annual", year)
            case Frequency.HALF_YEARLY:
                return period("half_yearly", year, int(key[-1]))
            case Frequency.QUARTERLY:
                return period("quarterly", year, int(key[-1]))
            case Frequency.MONTHLY:
                return period("monthly", year, int(key[-2:]))
    except ValueError:
        return None
    return None


# --- requests ----------------------------------------------------------------------------------


@transaction.atomic
def report_requests_generate(
    *, requirement: ReportRequirement, until: date, actor: AbstractBaseUser | None = None
) -> int:
    """Create the missing requests of every period of ``requirement`` that has begun by
    ``until``: one per reporting unit existing at some point of the period (and while the
    receiving unit exists). Running it again creates nothing more: the database's unique key
    (requirement, unit, period) stands behind it. Returns how many were created."""
    requirement = ReportRequirement.objects.select_related("receiver", "document").get(
        pk=requirement.pk
    )
    if not requirement.active or requirement.frequency == Frequency.ON_DEMAND:
        return 0
    reporters = selectors.reporters_of(requirement)
    existing = dict(
        ((unit_id, key), pk)
        for unit_id, key, pk in requirement.requests.values_list("unit_id", "period_key", "pk")
    )
    root_id = selectors.cascade_root_of(requirement.document)
    new: list[ReportRequest] = []
    for base in periods_between(
        requirement.frequency, requirement.starts_on, until, last=requirement.ends_on
    ):
        window = shifted(base, requirement.cutoff_shift_days)
        if not selectors.active_during(requirement.receiver, window.starts_on, window.ends_on):
            continue
        for unit in reporters:
            if (unit.pk, base.key) in existing:
                continue
            if not selectors.active_during(unit, window.starts_on, window.ends_on):
                continue
            new.append(
                ReportRequest(
                    requirement=requirement,
                    unit=unit,
                    receiver=requirement.receiver,
                    cascade_root_id=root_id,
                    frequency=requirement.frequency,
                    period_key=base.key,
                    period_starts_on=window.starts_on,
                    period_ends_on=window.ends_on,
                    due_on=requirement.due_on_for(base, unit.level),
                )
            )
    if not new:
        return 0
    ReportRequest.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    created = list(
        requirement.requests.exclude(pk__in=list(existing.values())).select_related("unit")
    )
    with audit_batch():
        for request in created:
            audit_record(
                actor=actor,
                action="create",
                instance=request,
                changes=snapshot(request, ["unit", "receiver", "period_key", "due_on"]),
            )
    return len(created)


def report_requests_generate_due(
    *, until: date | None = None, requirement_id: int | None = None
) -> int:
    """The daily job: generate ahead (by ``REPORTS_LOOKAHEAD_DAYS``) for every active
    periodic requirement, or only ``requirement_id``. Each requirement commits on its own.

    One run at a time: a run for every requirement started while another runs returns 0 and
    says so in the log; a run for one requirement (after it was created) waits for the
    running one (up to a minute), then goes on either way: the unique key (requirement,
    unit, period) keeps it from creating anything twice."""
    with background.run_alone(GENERATE_LOCK, wait=60 if requirement_id else 0) as alone:
        if not alone and requirement_id is None:
            logger.warning("Report requests are being generated already; this run does nothing.")
            return 0
        return _generate_due(until=until, requirement_id=requirement_id)


def _generate_due(*, until: date | None, requirement_id: int | None) -> int:
    until = until or timezone.localdate() + timedelta(days=lookahead_days())
    requirements = ReportRequirement.objects.filter(active=True).exclude(
        frequency=Frequency.ON_DEMAND
    )
    if requirement_id is not None:
        requirements = requirements.filter(pk=requirement_id)
    return sum(
        report_requests_generate(requirement=requirement, until=until)
        for requirement in requirements.order_by("pk")
    )


@transaction.atomic
def report_request_create_ad_hoc(
    *,
    actor: AbstractBaseUser | None,
    requirement: ReportRequirement,
    subject: str,
    due_on: date,
    units: Iterable[Unit] | None = None,
    period_starts_on: date | None = None,
    period_ends_on: date | None = None,
    answers: ReportRequest | None = None,
) -> list[ReportRequest]:
    """Ask the reporting units for a report now ("khi có yêu cầu đột xuất"), with its own
    subject, data cut-off and due date. ``answers``: the receiving unit's own request this one
    feeds (so the answers roll up into it, as periodic reports do)."""
    requirement = ReportRequirement.objects.select_related("receiver", "document").get(
        pk=requirement.pk
    )
    _check_may_manage(actor, requirement.document, requirement.receiver)
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError({"subject": _("Say what the report is about.")})
    today = timezone.localdate()
    if due_on < today:
        raise ValidationError({"due_on": _("The due date cannot be in the past.")})
    period_ends_on = period_ends_on or today
    period_starts_on = period_starts_on or period_containing("annual", period_ends_on).starts_on
    if period_starts_on > period_ends_on:
        raise ValidationError({"period_starts_on": _("The data period ends before it starts.")})
    if period_ends_on > due_on:
        raise ValidationError({"due_on": _("The due date comes before the data cut-off.")})
    allowed = {u.pk: u for u in selectors.reporters_of(requirement)}
    chosen = list(units) if units is not None else list(allowed.values())
    if not chosen:
        raise ValidationError({"units": _("No unit reports under this requirement.")})
    if any(u.pk not in allowed for u in chosen):
        raise ValidationError({"units": _("Only the requirement's reporting units can be asked.")})
    root_id = selectors.cascade_root_of(requirement.document)
    if answers is not None:
        if answers.unit_id != requirement.receiver_id or answers.cascade_root_id != root_id:
            raise ValidationError(
                {"answers": _("That report is not the receiving unit's in this cascade.")}
            )
        key = answers.period_key
    else:
        key = f"adhoc-{uuid.uuid4().hex[:12]}"
    created = []
    for unit in chosen:
        request = ReportRequest.objects.create(
            requirement=requirement,
            unit=unit,
            receiver=requirement.receiver,
            cascade_root_id=root_id,
            frequency=Frequency.ON_DEMAND,
            period_key=key,
            period_starts_on=period_starts_on,
            period_ends_on=period_ends_on,
            due_on=due_on,
            is_ad_hoc=True,
            subject=subject[:255],
            answers=answers,
        )
        audit_record(
            actor=actor,
            action="create",
            instance=request,
            changes=snapshot(request, ["unit", "receiver", "period_key", "due_on", "subject"]),
        )
        created.append(request)
    return created


@transaction.atomic
def report_request_reschedule(
    *,
    actor: AbstractBaseUser | None,
    report: ReportRequest,
    due_on: date,
    period_starts_on: date,
    period_ends_on: date,
) -> ReportRequest:
    """Change one request's data cut-off window or due date (the receiving side's call)."""
    report = ReportRequest.objects.select_for_update().get(pk=report.pk)
    if (
        actor is not None
        and not ReportRequest.objects.manageable_by(actor).filter(pk=report.pk).exists()
    ):
        raise PermissionDenied(_("You may not change this report's dates."))
    if report.state == ReportState.ACCEPTED:
        raise ValidationError(_("An accepted report keeps its dates."))
    if period_starts_on > period_ends_on:
        raise ValidationError({"period_starts_on": _("The data period ends before it starts.")})
    before = snapshot(report, ["due_on", "period_starts_on", "period_ends_on"])
    report.due_on = due_on
    report.period_starts_on = period_starts_on
    report.period_ends_on = period_ends_on
    report.save(update_fields=["due_on", "period_starts_on", "period_ends_on", "updated_at"])
    audit_record(
        actor=actor,
        action="reschedule",
        instance=report,
        changes=diff(before, snapshot(report, ["due_on", "period_starts_on", "period_ends_on"])),
    )
    return report


# --- writing a report ------------------------------------------------------------------------


def _lock(report: ReportRequest) -> ReportRequest:
    return (
        ReportRequest.objects.select_for_update()
        .select_related("requirement__document", "unit", "receiver")
        .get(pk=report.pk)
    )


def _check_may_write(actor: AbstractBaseUser | None, report: ReportRequest) -> None:
    if report.state not in EDITABLE_STATES:
        raise ValidationError(
            _("A submitted or accepted report cannot be changed unless it is returned.")
        )
    if actor is None:
        return
    if not ReportRequest.objects.editable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not write this unit's report."))


def _check_may_review(actor: AbstractBaseUser | None, report: ReportRequest) -> None:
    if actor is None:
        return
    if not ReportRequest.objects.reviewable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("Only the receiving unit's leaders review this report."))


def _transition(
    report: ReportRequest, to_state: str, *, actor: AbstractBaseUser | None, comment: str = ""
) -> None:
    from_state = report.state
    if to_state not in TRANSITIONS.get(from_state, set()):
        raise ValidationError(
            _("A report cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ReportState(from_state).label, "to": ReportState(to_state).label}
        )
    now = timezone.now()
    report.state = to_state
    if to_state == ReportState.SUBMITTED:
        report.submitted_at = now
    if to_state == ReportState.ACCEPTED:
        report.accepted_at = now
    if from_state == ReportState.ACCEPTED:
        report.accepted_at = None
    report.version += 1
    report.save()
    user = actor if getattr(actor, "is_authenticated", False) else None
    ReportStateChange.objects.create(
        report=report,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_label=(user.get_username() if user else "system")[:150],
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"report_{to_state}",
        instance=report,
        changes={"state": [from_state, to_state], "comment": comment},
    )


def _recount_tasks(report: ReportRequest) -> None:
    counts = dict(
        report.task_lines.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    report.tasks_done = counts.get(TaskStatus.DONE, 0)
    report.tasks_in_progress = counts.get(TaskStatus.IN_PROGRESS, 0)
    report.tasks_not_started = counts.get(TaskStatus.NOT_STARTED, 0)


def _start(report: ReportRequest, *, actor: AbstractBaseUser | None) -> None:
    """Seed the report's task lines and measurement rows and make it a draft."""
    ReportTaskLine.objects.bulk_create(
        [
            ReportTaskLine(
                report=report,
                assignment_id=seed.assignment_id,
                occurrence_id=seed.occurrence_id,
                task_id=seed.task_id,
                task_text=seed.task_text,
                due_on=seed.due_on,
                status=seed.status,
                evidence=seed.evidence,
                position=position,
            )
            for position, seed in enumerate(selectors.line_seeds(report))
        ]
    )
    targets = selectors.targets_for(report.requirement.document)
    roots = selectors.root_targets(targets)
    ReportMeasurement.objects.bulk_create(
        [
            ReportMeasurement(
                report=report, target=target, root_target_id=roots[target.pk], position=position
            )
            for position, target in enumerate(targets)
        ]
    )
    _recount_tasks(report)
    _transition(report, ReportState.DRAFT, actor=actor)
    if selectors.is_consolidating(report):
        _prefill(report, actor=actor)


@transaction.atomic
def report_start(*, actor: AbstractBaseUser | None, report: ReportRequest) -> ReportRequest:
    """Begin writing a report: it becomes a draft holding the unit's tasks of the period, a
    row for each target and, for a consolidating unit, the figures of the accepted reports
    below."""
    report = _lock(report)
    _check_may_write(actor, report)
    if report.state != ReportState.NOT_STARTED:
        return report
    _start(report, actor=actor)
    return report


def _clean_count(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0:
        raise ValidationError({field: _("Enter a number of zero or more.")})
    return number


@transaction.atomic
def report_save_draft(
    *,
    actor: AbstractBaseUser | None,
    report: ReportRequest,
    results: str,
    limitations: str = "",
    proposals: str = "",
    lines: Mapping[int, tuple[str, str]] | None = None,
    measurements: Mapping[int, tuple[Any, Any]] | None = None,
    expected_version: int | None = None,
) -> ReportRequest:
    """Save the narrative, the task lines (status, evidence) and the measurements (numerator,
    denominator) of a report being written; starts it when it was not started. ``lines`` and
    ``measurements`` are keyed by their row's id; rows of other reports are refused.
    ``expected_version`` is the version the editor was opened at: when someone saved the
    report since, ``EditConflict`` is raised and nothing is changed."""
    report = _lock(report)
    _check_may_write(actor, report)
    check_version(report, expected_version)
    if report.state == ReportState.NOT_STARTED:
        _start(report, actor=actor)
    before = snapshot(report, NARRATIVE_FIELDS)
    report.results = results.strip()
    report.limitations = limitations.strip()
    report.proposals = proposals.strip()

    changed_lines = []
    own_lines = {line.pk: line for line in report.task_lines.all()}
    for pk, (status, evidence) in (lines or {}).items():
        line = own_lines.get(int(pk))
        if line is None:
            raise ValidationError(_("That task line belongs to another report."))
        if status not in TaskStatus.values:
            raise ValidationError({f"line-{pk}-status": _("Unknown status.")})
        if (line.status, line.evidence) != (status, evidence.strip()):
            line.status, line.evidence = status, evidence.strip()
            changed_lines.append(line)
    ReportTaskLine.objects.bulk_update(changed_lines, ["status", "evidence"])

    changed_figures: dict[str, list] = {}
    own_rows = {m.pk: m for m in report.measurements.select_related("target")}
    for pk, (numerator, denominator) in (measurements or {}).items():
        row = own_rows.get(int(pk))
        if row is None:
            raise ValidationError(_("That measurement belongs to another report."))
        n = _clean_count(numerator, f"m-{pk}-numerator")
        d = _clean_count(denominator, f"m-{pk}-denominator")
        if row.target.is_percentage and n is not None and d is not None and n > d:
            raise ValidationError(
                {f"m-{pk}-numerator": _("The numerator cannot exceed the denominator.")}
            )
        if (row.numerator, row.denominator) != (n, d):
            changed_figures[str(row.target_id)] = [[row.numerator, row.denominator], [n, d]]
            row.numerator, row.denominator = n, d
    ReportMeasurement.objects.bulk_update(
        [own_rows[int(pk)] for pk in (measurements or {})], ["numerator", "denominator"]
    )
    _recount_tasks(report)
    report.version += 1
    report.save()
    changes: dict[str, Any] = diff(before, snapshot(report, NARRATIVE_FIELDS))
    if changed_lines:
        changes["task_lines"] = [line.pk for line in changed_lines]
    if changed_figures:
        changes["measurements"] = changed_figures
    audit_record(actor=actor, action="save_draft", instance=report, changes=changes)
    return report


@transaction.atomic
def report_attachment_add(
    *, actor: AbstractBaseUser | None, report: ReportRequest, upload: UploadedFile
) -> ReportAttachment:
    """Attach an evidence file to a report being written."""
    report = _lock(report)
    _check_may_write(actor, report)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("%(name)s is larger than 20 MB.") % {"name": upload.name}})
    attachment = ReportAttachment.objects.create(
        report=report,
        file=upload,
        name=upload.name[:255],
        size=upload.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="attach",
        instance=report,
        changes={"attachment": attachment.pk, "name": attachment.name},
    )
    return attachment


@transaction.atomic
def report_submit(*, actor: AbstractBaseUser | None, report: ReportRequest) -> ReportRequest:
    """Send a report to the receiving unit. It needs its results written, each percentage
    measured with both its numerator and denominator (or neither), and — for a consolidating
    report — figures that are not stale. Once submitted it cannot be changed unless returned."""
    report = _lock(report)
    _check_may_write(actor, report)
    if report.state == ReportState.NOT_STARTED:
        _start(report, actor=actor)
    errors: dict[str, str] = {}
    if not report.results.strip():
        errors["results"] = _("Write the results before submitting.")
    for row in report.measurements.select_related("target"):
        if row.target.is_percentage and (row.numerator is None) != (row.denominator is None):
            errors[f"m-{row.pk}-denominator"] = _(
                "Give both the numerator and the denominator, or neither."
            )
        if row.denominator == 0 and row.numerator:
            errors[f"m-{row.pk}-denominator"] = _("The denominator cannot be zero.")
    if report.is_stale:
        errors["__all__"] = _(
            "Reports below have changed since the figures were rolled up: refresh them first."
        )
    if errors:
        raise ValidationError(errors)
    _transition(report, ReportState.SUBMITTED, actor=actor)
    return report


@transaction.atomic
def report_return(
    *, actor: AbstractBaseUser | None, report: ReportRequest, comment: str
) -> ReportRequest:
    """Send a submitted report back to its unit for revision, saying why."""
    report = _lock(report)
    _check_may_review(actor, report)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs revising.")})
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    _transition(report, ReportState.RETURNED, actor=actor, comment=comment)
    return report


@transaction.atomic
def report_accept(
    *, actor: AbstractBaseUser | None, report: ReportRequest, comment: str = ""
) -> ReportRequest:
    """Accept a submitted report: its figures now count in the consolidation above, which is
    marked stale if it had already rolled figures up."""
    report = _lock(report)
    _check_may_review(actor, report)
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted."))
    _transition(report, ReportState.ACCEPTED, actor=actor, comment=comment.strip())
    _mark_above_stale(report, actor=actor)
    return report


@transaction.atomic
def report_reopen(
    *, actor: AbstractBaseUser | None, report: ReportRequest, comment: str
) -> ReportRequest:
    """Re-open an accepted report for revision. A consolidation above that used its figures
    is marked stale and shows what changed."""
    report = _lock(report)
    _check_may_review(actor, report)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the report is re-opened.")})
    if report.state != ReportState.ACCEPTED:
        raise ValidationError(_("Only an accepted report can be re-opened."))
    _transition(report, ReportState.RETURNED, actor=actor, comment=comment)
    _mark_above_stale(report, actor=actor)
    return report


def _mark_above_stale(report: ReportRequest, *, actor: AbstractBaseUser | None) -> None:
    above = list(selectors.reports_above(report).filter(is_stale=False))
    if not above:
        return
    ReportRequest.objects.filter(pk__in=[r.pk for r in above]).update(is_stale=True)
    for upper in above:
        audit_record(
            actor=actor,
            action="stale",
            instance=upper,
            changes={"is_stale": [False, True], "because_of": report.pk},
        )


# --- roll-up -------------------------------------------------------------------------------------


def _prefill(report: ReportRequest, *, actor: AbstractBaseUser | None) -> rollup.Rollup:
    result = selectors.rollup_for(report)
    rows = list(report.measurements.all())
    for row in rows:
        numerator, denominator = result.totals.get(row.target_id, (None, None))
        row.numerator = row.rolled_numerator = numerator
        row.denominator = row.rolled_denominator = denominator
        row.rolled_reports = result.reporting.get(row.target_id, 0)
    ReportMeasurement.objects.bulk_update(
        rows,
        ["numerator", "denominator", "rolled_numerator", "rolled_denominator", "rolled_reports"],
    )
    (
        report.rolled_tasks_done,
        report.rolled_tasks_in_progress,
        report.rolled_tasks_not_started,
    ) = result.tasks
    report.subordinates_expected = result.expected
    report.subordinates_accepted = len(result.accepted)
    report.rollup_snapshot = result.snapshot()
    report.rolled_up_at = timezone.now()
    report.is_stale = False
    report.version += 1
    report.save()
    audit_record(
        actor=actor,
        action="rollup",
        instance=report,
        changes={
            "accepted": [s.report_id for s in result.accepted],
            "missing": [s.report_id for s in result.missing],
            "totals": {str(k): list(v) for k, v in result.totals.items()},
            "tasks": list(result.tasks),
        },
    )
    return result


@transaction.atomic
def rollup_prefill(*, actor: AbstractBaseUser | None, report: ReportRequest) -> rollup.Rollup:
    """Fill a consolidating report's figures from the accepted reports below it: each target's
    numerator and denominator summed (the percentage follows from the sums), the task counts
    summed, and a snapshot of what was used so later changes show. Replaces the figures it
    holds; the narrative is left as written. A fixed number of queries, however many reports
    there are below."""
    report = _lock(report)
    _check_may_write(actor, report)
    if report.state == ReportState.NOT_STARTED:
        _start(report, actor=actor)
        return selectors.rollup_for(report)
    return _prefill(report, actor=actor)
