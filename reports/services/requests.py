"""Report requests: one per unit and period, generated ahead, asked ad hoc, rescheduled."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_batch, audit_record, diff, snapshot
from background import services as background
from reports import selectors
from reports.models import (
    Frequency,
    ReportRequest,
    ReportRequirement,
    ReportState,
)
from reports.periods import period_containing
from reports.scheduling import periods_between, shifted
from reports.services.common import GENERATE_LOCK, logger, lookahead_days
from reports.services.requirements import _check_may_manage
from units.models import Unit

# --- requests ----------------------------------------------------------------------------------


@transaction.atomic
def report_requests_generate(
    *, requirement: ReportRequirement, until: date, actor: User | None = None
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
    with background.run_alone(
        GENERATE_LOCK, wait=60 if requirement_id else 0, expires_after=60 * 60
    ) as alone:
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
    actor: User | None,
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
    actor: User | None,
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
