"""Filling a consolidating report from the accepted reports below (``rollup_prefill`` in
``writing`` checks the writer and calls this)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from audit.services import audit_record
from reports import rollup, selectors
from reports.models import (
    ReportMeasurement,
    ReportRequest,
)

# --- roll-up -------------------------------------------------------------------------------------


def _prefill(report: ReportRequest, *, actor: User | None) -> rollup.Rollup:
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
