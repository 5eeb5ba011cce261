"""Reporting duties: created from a plan or a reporting task, changed, ended; the job that
generates their requests queued by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, diff, snapshot
from background import services as background
from plans.models import Document
from reports import selectors
from reports.models import (
    LEVEL_ORDER,
    Frequency,
    ReportersMode,
    ReportRequest,
    ReportRequirement,
    ReportState,
    level_lead_defaults,
    level_rank,
)
from reports.periods import Period, period
from reports.scheduling import frequency_from_schedule, shifted
from reports.services.common import MAX_LEAD_DAYS, REQUIREMENT_FIELDS
from tasks.models import AssignmentRole, Task
from units.models import Level, Unit

# --- queueing ----------------------------------------------------------------------------------


def enqueue_generation(requirement_id: int | None = None) -> None:
    """Generate the requests of ``requirement_id`` (all when None) once the transaction
    commits. Without Redis the job runs in-process then; when the broker cannot be reached the
    request still succeeds and the job is kept until the broker is back (the daily job would
    catch up anyway)."""
    background.enqueue_on_commit("reports.jobs.generate_report_requests", requirement_id)


# --- requirements ------------------------------------------------------------------------------


def _check_may_manage(actor: User | None, document: Document, receiver: Unit) -> None:
    if actor is None or actor.is_superuser:
        return
    if Document.objects.editable_by(actor).filter(pk=document.pk).exists():
        return
    if Unit.objects.actionable_by(actor).filter(pk=receiver.pk).exists():
        return
    raise PermissionDenied(_("You may not set reporting duties for this plan."))


def may_set_requirements(user: User, document: Document) -> bool:
    """Whether ``user`` may attach a reporting duty to ``document`` (reports going to its
    issuer): the rule ``report_requirement_create`` applies, for pages to ask."""
    if document.issuer is None:
        return Document.objects.editable_by(user).filter(pk=document.pk).exists()
    try:
        _check_may_manage(user, document, document.issuer)
    except PermissionDenied:
        return False
    return True


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
    actor: User | None,
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
    actor: User | None,
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
    actor: User | None,
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
