"""How long rolling up a province takes: 100 subordinate units, each with an accepted report of
20 task lines and 5 target measurements, summed into the province's report.

    python benchmarks/bench_rollup.py [--units 100] [--tasks 20] [--targets 5] [--runs 15]
    DATABASE_URL=postgres://user@127.0.0.1:5432/cascade_bench python benchmarks/bench_rollup.py

Without DATABASE_URL it uses a temporary SQLite file. The data is built with bulk_create in
one transaction that is rolled back at the end. Prints the first roll-up (starting the report:
task lines, measurement rows and the pre-fill), then the best and median of ``--runs``
refreshes, and the number of queries each takes. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascade.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plans.models import DocType, Document, IdentifierStyle, Target  # noqa: E402
from reports import services  # noqa: E402
from reports.models import (  # noqa: E402
    ReportersMode,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
    ReportState,
    ReportTaskLine,
)
from tasks.models import Assignment, AssignmentRole, Task, TaskStatus  # noqa: E402
from units.models import Bloc, Level, Unit  # noqa: E402

PERIOD = "2025"
STARTS, ENDS, DUE = date(2024, 12, 15), date(2025, 12, 14), date(2025, 12, 19)


class Rollback(Exception):
    pass


def build(units: int, tasks: int, targets: int) -> ReportRequest:
    """A centre, a province and ``units`` districts; the directive's ``targets``; the
    province's plan with ``tasks`` tasks given to every district; every district's report
    for 2025 accepted with its lines and measurements. Returns the province's report."""
    party = {"bloc": Bloc.PARTY_COMMITTEE}
    centre = Unit.objects.add_root(
        {**party, "name": "Trung ương (bench)", "level": Level.CENTRAL, "code": "TW"}
    )
    province = Unit.objects.add_child(
        centre, {**party, "name": "Tỉnh ủy (bench)", "level": Level.PROVINCE, "code": "TU"}
    )
    districts = [
        Unit.objects.add_child(
            province,
            {**party, "name": f"Huyện ủy {i} (bench)", "level": Level.DISTRICT, "code": "HU"},
        )
        for i in range(units)
    ]
    directive = Document.objects.create(
        doc_type=DocType.DIRECTIVE,
        style=IdentifierStyle.PARTY,
        number="9021",
        issuer=centre,
        issuer_code="TW",
        identifier="9021-CT/TW",
        title="Chỉ thị (bench)",
        issued_on=date(2023, 5, 4),
    )
    plan = Document.objects.create(
        doc_type=DocType.PLAN,
        style=IdentifierStyle.PARTY,
        number="9105",
        issuer=province,
        issuer_code="TU",
        identifier="9105-KH/TU",
        title="Kế hoạch (bench)",
        issued_on=date(2023, 7, 11),
        implements=directive,
        root=directive,
        depth=1,
    )
    top_targets = Target.objects.bulk_create(
        Target(document=directive, text=f"Chỉ tiêu {i}", low=Decimal(50), position=i)
        for i in range(targets)
    )
    plan_targets = Target.objects.bulk_create(
        Target(document=plan, text=f"Chỉ tiêu tỉnh {i}", low=Decimal(45), parent=t, position=i)
        for i, t in enumerate(top_targets)
    )
    task_rows = Task.objects.bulk_create(
        Task(document=plan, text=f"Nhiệm vụ {i}", position=i) for i in range(tasks)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(task=task, unit=district, role=AssignmentRole.LEAD)
        for district in districts
        for task in task_rows
    )
    upper = ReportRequirement.objects.create(
        document=directive,
        receiver=centre,
        reporters_mode=ReportersMode.EXPLICIT,
        frequency="annual",
        starts_on=STARTS,
    )
    upper.units.set([province])
    lower = ReportRequirement.objects.create(
        document=plan,
        receiver=province,
        reporters_mode=ReportersMode.EXPLICIT,
        frequency="annual",
        starts_on=STARTS,
    )
    statuses = [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED]
    counts = [sum(1 for i in range(tasks) if i % 3 == k) for k in range(3)]
    reports = ReportRequest.objects.bulk_create(
        ReportRequest(
            requirement=lower,
            unit=district,
            receiver=province,
            cascade_root=directive,
            frequency="annual",
            period_key=PERIOD,
            period_starts_on=STARTS,
            period_ends_on=ENDS,
            due_on=DUE,
            state=ReportState.ACCEPTED,
            results="Đã triển khai.",
            tasks_done=counts[0],
            tasks_in_progress=counts[1],
            tasks_not_started=counts[2],
        )
        for district in districts
    )
    by_unit = {a.unit_id: [] for a in assignments}
    for assignment in assignments:
        by_unit[assignment.unit_id].append(assignment)
    ReportTaskLine.objects.bulk_create(
        (
            ReportTaskLine(
                report=report,
                assignment=assignment,
                task_id=assignment.task_id,
                task_text="Nhiệm vụ",
                status=statuses[i % 3],
                evidence="Biên bản",
                position=i,
            )
            for report in reports
            for i, assignment in enumerate(by_unit[report.unit_id])
        ),
        batch_size=2000,
    )
    ReportMeasurement.objects.bulk_create(
        (
            ReportMeasurement(
                report=report,
                target=target,
                root_target=target.parent,
                numerator=10 + (n * 7 + i) % 40,
                denominator=100 + (n * 13 + i) % 50,
                position=i,
            )
            for n, report in enumerate(reports)
            for i, target in enumerate(plan_targets)
        ),
        batch_size=2000,
    )
    return ReportRequest.objects.create(
        requirement=upper,
        unit=province,
        receiver=centre,
        cascade_root=directive,
        frequency="annual",
        period_key=PERIOD,
        period_starts_on=STARTS,
        period_ends_on=ENDS,
        due_on=DUE,
    )


def timed(function) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
    return elapsed, len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--targets", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor}")
    try:
        with transaction.atomic():
            started = time.perf_counter()
            province = build(args.units, args.tasks, args.targets)
            print(
                f"Built {args.units} accepted reports × {args.tasks} task lines × "
                f"{args.targets} measurements in {time.perf_counter() - started:.2f} s"
            )
            first, first_queries = timed(lambda: services.report_start(actor=None, report=province))
            refreshes = [
                timed(lambda: services.rollup_prefill(actor=None, report=province))
                for _ in range(args.runs)
            ]
            row = province.measurements.order_by("position").first()
            province.refresh_from_db()
            print(
                f"First roll-up (start the report, fill it): {first * 1000:.1f} ms, "
                f"{first_queries} queries"
            )
            times = [t for t, _q in refreshes]
            print(
                f"Roll-up refresh: best {min(times) * 1000:.1f} ms, median "
                f"{statistics.median(times) * 1000:.1f} ms over {args.runs} runs, "
                f"{refreshes[0][1]} queries each"
            )
            print(
                f"Check: {province.subordinates_accepted} reports summed; first target "
                f"{row.numerator}/{row.denominator}; tasks done/in progress/not started "
                f"{province.rolled_tasks_done}/{province.rolled_tasks_in_progress}/"
                f"{province.rolled_tasks_not_started}"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
