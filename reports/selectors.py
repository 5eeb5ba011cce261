"""Reads of the report chain: who reports under a requirement, what a report covers, the
lists and pages, the roll-up a consolidating report shows, and the rows reminders need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from plans.models import Document, DocumentRecipient, RecipientPurpose, Target, confidential_q
from reports import rollup
from reports.models import (
    OPEN_STATES,
    AnnualReportFile,
    ReportersMode,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
    ReportState,
    ReportStateChange,
    ReportTaskLine,
)
from tasks.models import Assignment, AssignmentRole, Occurrence, ProgressUpdate, TaskStatus
from units.models import Unit, memberships_of, scope_q

type Reader = User | AnonymousUser


# --- requirements ----------------------------------------------------------------------------


def cascade_root_of(document: Document) -> int:
    return document.root_id or document.pk


def reporters_of(requirement: ReportRequirement) -> list[Unit]:
    """The units that report under ``requirement``: the listed ones, or the units that carry
    out the plan (its tasks' lead units and the recipients marked t/h); only units below the
    receiving unit, never the receiving unit itself."""
    if requirement.reporters_mode == ReportersMode.EXPLICIT:
        units = Unit.objects.filter(pk__in=requirement.units.values("pk"))
    else:
        leads = Assignment.objects.filter(
            task__document=requirement.document_id, role=AssignmentRole.LEAD
        ).values("unit")
        carry_out = DocumentRecipient.objects.filter(
            document=requirement.document_id,
            purpose=RecipientPurpose.CARRY_OUT,
            unit__isnull=False,
        ).values("unit")
        units = Unit.objects.filter(Q(pk__in=leads) | Q(pk__in=carry_out))
    receiver = requirement.receiver
    return list(
        units.filter(path__startswith=receiver.path).exclude(pk=receiver.pk).order_by("path")
    )


def active_during(unit: Unit, starts_on: date, ends_on: date) -> bool:
    """Whether ``unit`` existed at some point of the period."""
    if unit.active_until is not None and unit.active_until < starts_on:
        return False
    return not (unit.active_from is not None and unit.active_from > ends_on)


def targets_for(document: Document) -> list[Target]:
    """The targets a report under ``document`` measures: its own, or for a document without
    any (one known only by reference) those of the nearest document it implements."""
    current: Document | None = document
    seen: set[int] = set()
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        found = list(current.targets.order_by("position", "pk"))
        if found:
            return found
        current = current.implements
    return []


def root_targets(targets: list[Target]) -> dict[int, int]:
    """Each target's directive-level target (the top of its ``parent`` chain), one query per
    level of the cascade (never per target)."""
    tops = {t.pk: t.pk if t.parent_id is None else t.parent_id for t in targets}
    done = {t.pk for t in targets if t.parent_id is None}
    for _level in range(20):
        waiting = {tops[pk] for pk in tops if pk not in done}
        if not waiting:
            break
        parents = dict(Target.objects.filter(pk__in=waiting).values_list("pk", "parent_id"))
        for pk, top in tops.items():
            if pk in done:
                continue
            above = parents.get(top)
            if above is None:
                done.add(pk)
            else:
                tops[pk] = above
    return tops


def target_refs(report: ReportRequest) -> list[rollup.TargetRef]:
    """The consolidating report's targets (from its measurement rows)."""
    return [
        rollup.TargetRef(
            pk=m.target_id, root_pk=m.root_target_id, text=m.target.text, unit=m.target.unit
        )
        for m in report.measurements.all()
    ]


def upper_requirement(
    receiver: Unit, *, cascade_root_id: int, frequency: str
) -> ReportRequirement | None:
    """A requirement of the same cascade and frequency under which ``receiver`` itself
    reports: the level its consolidated report goes to."""
    candidates = (
        ReportRequirement.objects.filter(frequency=frequency, active=True)
        .filter(Q(document_id=cascade_root_id) | Q(document__root_id=cascade_root_id))
        .exclude(receiver=receiver)
        .select_related("receiver", "document")
    )
    for candidate in candidates:
        if receiver.path.startswith(candidate.receiver.path) and receiver in reporters_of(
            candidate
        ):
            return candidate
    return None


# --- what a report covers --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineSeed:
    """A task line a new report starts with."""

    assignment_id: int
    occurrence_id: int | None
    task_id: int
    task_text: str
    due_on: date | None
    status: str
    evidence: str


def line_seeds(report: ReportRequest) -> list[LineSeed]:
    """The unit's task assignments (or their periods) that fall in the report's period: on
    the plan's tasks and on the tasks of the unit's own plans implementing it. A period due in
    the window gives one line; a share without periods gives one line unless it was done
    before the window. The latest progress note is offered as evidence."""
    document = report.requirement.document
    own_plans = Document.objects.filter(
        issuer=report.unit_id, root_id=report.cascade_root_id, depth__gt=document.depth
    ).values("pk")
    assignments = list(
        Assignment.objects.filter(unit=report.unit_id)
        .filter(Q(task__document=document) | Q(task__document__in=own_plans))
        .annotate(has_periods=Exists(Occurrence.objects.filter(assignment=OuterRef("pk"))))
        .select_related("task")
        .order_by("task__document__depth", "task__position", "task_id")
    )
    occurrences: dict[int, list[Occurrence]] = {}
    for occurrence in Occurrence.objects.filter(
        assignment__in=[a.pk for a in assignments],
        due_on__gte=report.period_starts_on,
        due_on__lte=report.period_ends_on,
    ).order_by("due_on", "pk"):
        occurrences.setdefault(occurrence.assignment_id, []).append(occurrence)
    notes: dict[tuple[int, int | None], str] = {}
    for assignment_id, occurrence_id, note in (
        ProgressUpdate.objects.filter(assignment__in=[a.pk for a in assignments])
        .order_by("created_at", "pk")
        .values_list("assignment_id", "occurrence_id", "note")
    ):
        notes[(assignment_id, occurrence_id)] = note
        notes[(assignment_id, None)] = note
    seeds: list[LineSeed] = []
    for assignment in assignments:
        task = assignment.task
        if assignment.has_periods:
            for occurrence in occurrences.get(assignment.pk, []):
                seeds.append(
                    LineSeed(
                        assignment.pk,
                        occurrence.pk,
                        task.pk,
                        task.text,
                        occurrence.due_on,
                        occurrence.status,
                        notes.get((assignment.pk, occurrence.pk), ""),
                    )
                )
            continue
        done_before = (
            assignment.status == TaskStatus.DONE
            and assignment.completed_on is not None
            and assignment.completed_on < report.period_starts_on
        )
        if not done_before:
            seeds.append(
                LineSeed(
                    assignment.pk,
                    None,
                    task.pk,
                    task.text,
                    task.due_on,
                    assignment.status,
                    notes.get((assignment.pk, None), ""),
                )
            )
    return seeds


def is_consolidating(report: ReportRequest) -> bool:
    """Whether reports come to this report's unit for the same period in the same cascade."""
    return rollup.below(
        receiver_id=report.unit_id,
        period_key=report.period_key,
        cascade_root_id=report.cascade_root_id,
        exclude_pk=report.pk,
        within=rollup.open_unless_confidential(report),
    ).exists()


def rollup_for(report: ReportRequest) -> rollup.Rollup:
    """The accepted reports below ``report`` summed onto its targets."""
    return rollup.compute(
        receiver_id=report.unit_id,
        period_key=report.period_key,
        cascade_root_id=report.cascade_root_id,
        targets=target_refs(report),
        exclude_pk=report.pk,
        within=rollup.open_unless_confidential(report),
    )


def reports_above(report: ReportRequest) -> QuerySet[ReportRequest]:
    """The reports that consolidate ``report``: its receiver's reports of the same period in
    the same cascade that have rolled figures up."""
    return ReportRequest.objects.filter(
        unit_id=report.receiver_id,
        period_key=report.period_key,
        cascade_root_id=report.cascade_root_id,
        rolled_up_at__isnull=False,
    )


# --- pages -------------------------------------------------------------------------------------


def report_list(
    *, user: Reader, box: str = "", state: str = "", period: str = ""
) -> dict[str, list[ReportRequest]]:
    """The reports the user's units send and those they (or units below them) receive."""
    base = (
        ReportRequest.objects.visible_to(user)
        .select_related("unit", "receiver", "requirement__document")
        .order_by("due_on", "unit__path", "pk")
    )
    if state in ReportState.values:
        base = base.filter(state=state)
    if period:
        base = base.filter(period_key=period[:40])
    own_units = [m.unit_id for m in memberships_of(user)]
    if user.is_superuser and not own_units:
        return {"outgoing": [], "incoming": list(base[:200])}
    outgoing = base.filter(unit__in=own_units)
    incoming = base.filter(scope_q(user, roles=None, prefix="receiver__")).exclude(
        unit__in=own_units
    )
    return {
        "outgoing": [] if box == "incoming" else list(outgoing[:200]),
        "incoming": [] if box == "outgoing" else list(incoming[:200]),
    }


def report_for_page(*, user: Reader, pk: int) -> ReportRequest:
    """A report with everything its page shows, prefetched (raises DoesNotExist when the user
    may not see it)."""
    return (
        ReportRequest.objects.visible_to(user)
        .select_related(
            "unit", "receiver", "requirement", "requirement__document", "answers", "cascade_root"
        )
        .prefetch_related(
            Prefetch("task_lines", queryset=ReportTaskLine.objects.order_by("position", "pk")),
            Prefetch(
                "measurements",
                queryset=ReportMeasurement.objects.select_related("target").order_by(
                    "position", "pk"
                ),
            ),
            Prefetch(
                "history",
                queryset=ReportStateChange.objects.select_related("actor").order_by("at", "pk"),
            ),
            "attachments",
        )
        .get(pk=pk)
    )


def received_summary(
    *, user: Reader, unit: Unit, period_key: str, document: Document
) -> rollup.Rollup:
    """What ``unit`` has received for the period in ``document``'s cascade, summed onto the
    cascade's directive-level targets: the view from the top of the chain."""
    root_id = cascade_root_of(document)
    root = Document.objects.get(pk=root_id)
    targets = targets_for(root)
    roots = root_targets(targets)
    refs = [
        rollup.TargetRef(pk=t.pk, root_pk=roots.get(t.pk, t.pk), text=t.text, unit=t.unit)
        for t in targets
    ]
    return rollup.compute(
        receiver_id=unit.pk,
        period_key=period_key,
        cascade_root_id=root_id,
        targets=refs,
        within=confidential_q(user, prefix="requirement__document__"),
    )


def requirements_for_document(*, user: Reader, document: Document) -> list[ReportRequirement]:
    """A plan's requirements with their requests counted by state."""
    counts = {
        state: Count("requests", filter=Q(requests__state=state)) for state in ReportState.values
    }
    return list(
        ReportRequirement.objects.visible_to(user)
        .filter(document=document)
        .select_related("receiver")
        .annotate(request_total=Count("requests"), **{f"n_{k}": v for k, v in counts.items()})
        .order_by("pk")
    )


def requirement_for_page(*, user: Reader, pk: int) -> ReportRequirement:
    return (
        ReportRequirement.objects.visible_to(user)
        .select_related("document", "receiver", "source_task")
        .prefetch_related("units")
        .get(pk=pk)
    )


def requirement_requests(*, user: Reader, requirement: ReportRequirement) -> list[ReportRequest]:
    return list(
        ReportRequest.objects.visible_to(user)
        .filter(requirement=requirement)
        .select_related("unit")
        .order_by("-period_ends_on", "due_on", "unit__path")[:500]
    )


# --- reminders ---------------------------------------------------------------------------------


def open_requests_due(*, by: date) -> QuerySet:
    """Reports still owed (not started, draft or returned) due on or before ``by``, as rows
    for the reminder sweep: (pk, unit, receiver, plan, due date)."""
    return (
        ReportRequest.objects.filter(state__in=OPEN_STATES, due_on__lte=by)
        .order_by("pk")
        .values_list("pk", "unit_id", "receiver_id", "requirement__document_id", "due_on")
    )


# --- dashboards --------------------------------------------------------------------------------


def accepted_figures(*, user: Reader, period_key: str, cascade_root_id: int) -> list[dict]:
    """Per unit, the accepted report's figures for the period in a cascade, summed by
    directive-level target in one GROUP BY: rows of ``unit_id``, ``root_target_id``,
    ``numerator``, ``denominator``. Only reports the user may read."""
    return [
        dict(row)
        for row in ReportMeasurement.objects.filter(
            report__in=ReportRequest.objects.visible_to(user).filter(
                period_key=period_key,
                cascade_root_id=cascade_root_id,
                state=ReportState.ACCEPTED,
            )
        )
        .values("report__unit_id", "root_target_id")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by("report__unit_id", "root_target_id")
    ]


def annual_files(
    *, user: Reader, unit: Unit, year: int, cascade_root_id: int, limit: int = 5
) -> list[AnnualReportFile]:
    """The latest renderings of a unit's annual report that ``user`` may see."""
    return list(
        AnnualReportFile.objects.visible_to(user)
        .filter(unit=unit, year=year, cascade_root_id=cascade_root_id)
        .order_by("-created_at", "-pk")[:limit]
    )


def units_with_reports_for(user: Reader) -> QuerySet[Unit]:
    """Units whose reports ``user`` may read: their own units (and a leader's or
    administrator's subtree), and the units that send reports to theirs."""
    sending = ReportRequest.objects.visible_to(user).values("unit")
    return Unit.objects.filter(Q(pk__in=Unit.objects.readable_by(user)) | Q(pk__in=sending))


def units_with_reports_acted_on_by(user: Reader) -> QuerySet[Unit]:
    """Units whose reports ``user`` may act on (ask for the annual report PDF…): as
    ``units_with_reports_for``, through the roles that act only — an observer reads and
    changes nothing."""
    acting = Unit.objects.actionable_by(user)
    sending = ReportRequest.objects.filter(receiver__in=acting).values("unit")
    return Unit.objects.filter(Q(pk__in=acting) | Q(pk__in=sending))
