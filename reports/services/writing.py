"""Writing a report, submitting it, and the receiving unit's review; the allowed state
changes (``TRANSITIONS``) decide every action, pages included (``report_actions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from cascade.concurrency import check_version
from reports import rollup, selectors
from reports.models import (
    EDITABLE_STATES,
    ReportAttachment,
    ReportMeasurement,
    ReportRequest,
    ReportState,
    ReportStateChange,
    ReportTaskLine,
)
from reports.services.common import MAX_ATTACHMENT_BYTES, NARRATIVE_FIELDS, TRANSITIONS
from reports.services.consolidation import _prefill
from tasks.models import TaskStatus

# --- writing a report ------------------------------------------------------------------------


def _lock(report: ReportRequest) -> ReportRequest:
    return (
        ReportRequest.objects.select_for_update()
        .select_related("requirement__document", "unit", "receiver")
        .get(pk=report.pk)
    )


def _check_may_write(actor: User | None, report: ReportRequest) -> None:
    if report.state not in EDITABLE_STATES:
        raise ValidationError(
            _("A submitted or accepted report cannot be changed unless it is returned.")
        )
    if actor is None:
        return
    if not ReportRequest.objects.editable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not write this unit's report."))


def _check_may_review(actor: User | None, report: ReportRequest) -> None:
    if actor is None:
        return
    if not ReportRequest.objects.reviewable_by(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("Only the receiving unit's leaders review this report."))


@dataclass(frozen=True)
class ReportActions:
    """What a person may do with a report now, decided by the rules the services apply
    (the querysets that check the actor, and the table of allowed state changes), so a page
    never offers what the service would refuse."""

    editable: bool  # may write it (its unit's staff), whatever its state
    review: bool  # may accept or return it now
    reopen: bool  # may reopen it now
    manage: bool  # may change its dates now


def report_actions(*, user: User, report: ReportRequest) -> ReportActions:
    editable = ReportRequest.objects.editable_by(user).filter(pk=report.pk).exists()
    reviewer = ReportRequest.objects.reviewable_by(user).filter(pk=report.pk).exists()
    manageable = ReportRequest.objects.manageable_by(user).filter(pk=report.pk).exists()
    allowed = TRANSITIONS.get(ReportState(report.state), set())
    return ReportActions(
        editable=editable,
        # Accepting and returning are the changes out of "submitted"; reopening the change
        # out of "accepted".
        review=reviewer and report.state == ReportState.SUBMITTED and bool(allowed),
        reopen=reviewer and report.state == ReportState.ACCEPTED and bool(allowed),
        manage=manageable and report.state != ReportState.ACCEPTED,
    )


def _transition(
    report: ReportRequest, to_state: str, *, actor: User | None, comment: str = ""
) -> None:
    from_state = report.state
    if to_state not in TRANSITIONS.get(ReportState(from_state), set()):
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


def _start(report: ReportRequest, *, actor: User | None) -> None:
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
def report_start(*, actor: User | None, report: ReportRequest) -> ReportRequest:
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
    actor: User | None,
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
    *, actor: User | None, report: ReportRequest, upload: UploadedFile
) -> ReportAttachment:
    """Attach an evidence file to a report being written."""
    report = _lock(report)
    _check_may_write(actor, report)
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("%(name)s is larger than 20 MB.") % {"name": upload.name}})
    attachment = ReportAttachment.objects.create(
        report=report,
        file=upload,
        name=(upload.name or "")[:255],
        size=upload.size or 0,
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
def report_submit(*, actor: User | None, report: ReportRequest) -> ReportRequest:
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
def report_return(*, actor: User | None, report: ReportRequest, comment: str) -> ReportRequest:
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
def report_accept(*, actor: User | None, report: ReportRequest, comment: str = "") -> ReportRequest:
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
def report_reopen(*, actor: User | None, report: ReportRequest, comment: str) -> ReportRequest:
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


def _mark_above_stale(report: ReportRequest, *, actor: User | None) -> None:
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


@transaction.atomic
def rollup_prefill(*, actor: User | None, report: ReportRequest) -> rollup.Rollup:
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
