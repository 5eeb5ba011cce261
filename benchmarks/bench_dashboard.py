"""How long the leader's dashboard takes on a large synthetic cascade: about 5,000 units
(the centre, 34 provinces, their districts and communes), one plan per province and district,
tasks given to every unit below, and about 200,000 occurrences; then each dashboard selector timed
at the root, for a province and for a district, beside a live count of the same occurrences.

    DATABASE_URL=postgres://root@127.0.0.1:5432/cascade_bench_dashboard \\
        .venv/bin/python benchmarks/bench_dashboard.py

The database is created if missing, migrated, and filled once (``--rebuild`` fills it again);
without DATABASE_URL a temporary SQLite file is used. Plain figures, no assertions.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
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

import cascade.settings as project_settings  # noqa: E402

if "dashboard" not in project_settings.INSTALLED_APPS:
    project_settings.INSTALLED_APPS.append("dashboard")

RUNS = int(os.environ.get("RUNS", "7"))
PROVINCES, DISTRICTS, COMMUNES = 34, 10, 11
PROVINCE_BOARDS, DISTRICT_BOARDS = 4, 2
TASKS_PER_PLAN = int(os.environ.get("TASKS_PER_PLAN", "5"))
MARK = "BENCH"
TODAY = date(2026, 11, 22)


def ensure_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    dsn = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


ensure_database()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from dashboard import reporting, selectors  # noqa: E402
from dashboard.filters import Filters, Scope  # noqa: E402
from dashboard.targets import figures  # noqa: E402
from dashboard.views import page_context  # noqa: E402
from plans.models import DocType, Document, IdentifierStyle, Target  # noqa: E402
from rollups.services import rollups_rebuild  # noqa: E402
from tasks.models import Assignment, DeadlineKind, Occurrence, Task, TaskStatus  # noqa: E402
from units.models import Bloc, Level, Unit  # noqa: E402


def _path(parent: str, index: int) -> str:
    return Unit._get_path(parent, len(parent) // Unit.steplen + 1, index)


def build() -> None:
    """Bulk-create the synthetic cascade (a few minutes' worth of rows in seconds)."""
    rng = random.Random(21)
    Occurrence.objects.filter(task__document__identifier__startswith=MARK).delete()
    Assignment.objects.filter(task__document__identifier__startswith=MARK).delete()
    Task.objects.filter(document__identifier__startswith=MARK).delete()
    Document.objects.filter(identifier__startswith=MARK, implements__isnull=False).update(
        implements=None, root=None
    )
    Target.objects.filter(document__identifier__startswith=MARK).delete()
    Document.objects.filter(identifier__startswith=MARK).delete()
    Unit.objects.filter(name__startswith=f"{MARK} ").delete()

    last_root = Unit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
    centre_path = _path("", int((last_root.first() or "0000")[:4], 36) + 1)
    units: list[Unit] = []

    def unit(path: str, name: str, bloc: str, level: str, children: int) -> Unit:
        made = Unit(
            path=path,
            depth=len(path) // Unit.steplen,
            numchild=children,
            name=f"{MARK} {name}",
            bloc=bloc,
            level=level,
            code="X",
        )
        units.append(made)
        return made

    unit(centre_path, "Trung ương", Bloc.PARTY_COMMITTEE, Level.CENTRAL, PROVINCES)
    provinces, districts, communes = [], [], []
    for p in range(PROVINCES):
        p_path = _path(centre_path, p + 1)
        children = PROVINCE_BOARDS + DISTRICTS
        provinces.append(unit(p_path, f"Tỉnh {p}", Bloc.PARTY_COMMITTEE, Level.PROVINCE, children))
        for b in range(PROVINCE_BOARDS):
            unit(_path(p_path, b + 1), f"Ban {b} tỉnh {p}", Bloc.PARTY_BOARD, Level.PROVINCE, 0)
        for d in range(DISTRICTS):
            d_path = _path(p_path, PROVINCE_BOARDS + d + 1)
            districts.append(
                unit(
                    d_path,
                    f"Huyện {p}.{d}",
                    Bloc.PARTY_COMMITTEE,
                    Level.DISTRICT,
                    DISTRICT_BOARDS + COMMUNES,
                )
            )
            for b in range(DISTRICT_BOARDS):
                bloc = Bloc.GOVERNMENT if b else Bloc.PARTY_BOARD
                unit(_path(d_path, b + 1), f"Ban {b} huyện {p}.{d}", bloc, Level.DISTRICT, 0)
            for c in range(COMMUNES):
                communes.append(
                    unit(
                        _path(d_path, DISTRICT_BOARDS + c + 1),
                        f"Xã {p}.{d}.{c}",
                        Bloc.PARTY_COMMITTEE,
                        Level.COMMUNE,
                        0,
                    )
                )
    Unit.objects.bulk_create(units, batch_size=2000)
    by_path = dict(Unit.objects.filter(name__startswith=f"{MARK} ").values_list("path", "pk"))
    for made in units:
        made.pk = by_path[made.path]

    def document(issuer: Unit, number: int, implements: Document | None) -> Document:
        return Document(
            doc_type=DocType.PLAN if implements else DocType.DIRECTIVE,
            style=IdentifierStyle.PARTY,
            number=str(number),
            issuer=issuer,
            issuer_code="X",
            identifier=f"{MARK}-{number}",
            numbering_period="2025",
            title=f"{MARK} {number}",
            issued_on=date(2025, 1, 10),
            implements=implements,
            root=(implements.root or implements) if implements else None,
            depth=implements.depth + 1 if implements else 0,
        )

    directive = document(units[0], 1, None)
    directive.save()
    Target.objects.bulk_create(
        [Target(document=directive, text=f"{MARK} chỉ tiêu {i}", low=50, high=55) for i in range(4)]
    )
    number = 2
    province_plans = []
    for province in provinces:
        province_plans.append(document(province, number, directive))
        number += 1
    Document.objects.bulk_create(province_plans)
    plan_of = {p.issuer_id: p for p in province_plans}
    district_plans = []
    for district in districts:
        province_path = district.path[: -Unit.steplen]
        parent = plan_of[by_path[province_path]]
        district_plans.append(document(district, number, parent))
        number += 1
    Document.objects.bulk_create(district_plans)

    tasks: list[Task] = []
    children_of: dict[int, list[Unit]] = {}
    for made in units:
        parent_path = made.path[: -Unit.steplen]
        if parent_path:
            children_of.setdefault(by_path[parent_path], []).append(made)
    for plan in [directive, *province_plans, *district_plans]:
        for t in range(TASKS_PER_PLAN):
            tasks.append(
                Task(
                    document=plan,
                    position=t,
                    text=f"{MARK} nhiệm vụ {t}",
                    deadline_text="hằng tháng",
                    deadline_kind=DeadlineKind.RECURRING,
                    due_on=date(2025, 1, 31),
                    requires_plan=t == 0,
                )
            )
    Task.objects.bulk_create(tasks, batch_size=2000)
    assignments: list[Assignment] = []
    for task in tasks:
        issuer = task.document.issuer
        below = [
            u
            for u in children_of.get(issuer.pk, [])
            if u.bloc == Bloc.PARTY_COMMITTEE or task.position
        ]
        for made in below:
            assignments.append(Assignment(task=task, unit=made, role="lead"))
    Assignment.objects.bulk_create(assignments, batch_size=5000)

    # Implementing plans: most units asked for one have issued it.
    commune_plans, numbered = [], number
    district_plan_of = {p.issuer_id: p for p in district_plans}
    for commune in communes:
        if rng.random() < 0.6:
            parent = district_plan_of[by_path[commune.path[: -Unit.steplen]]]
            commune_plans.append(document(commune, numbered, parent))
            numbered += 1
    Document.objects.bulk_create(commune_plans, batch_size=2000)
    # Linked to the shares that asked for them, as assignments_fulfil_with_plan does.
    plan_by_issuer = {p.issuer_id: p for p in [*province_plans, *district_plans, *commune_plans]}
    fulfilled = []
    for assignment in assignments:
        plan = plan_by_issuer.get(assignment.unit_id)
        if assignment.task.requires_plan and plan is not None:
            assignment.fulfilled_by = plan
            assignment.status = TaskStatus.DONE
            assignment.completed_on = plan.issued_on
            fulfilled.append(assignment)
    Assignment.objects.bulk_update(
        fulfilled, ["fulfilled_by", "status", "completed_on"], batch_size=2000
    )

    # The five tasks of each plan: one asking for a plan (once), one monthly report, two
    # quarterly ones and one "thường xuyên" (reported by the annual cut-off, 14/12): every
    # unit a task is given to falls due on the same days, and gets on at its own pace.
    month_ends = [date(2025 + (m // 12), m % 12 + 1, 1) + timedelta(days=31) for m in range(24)]
    month_ends = [d.replace(day=1) - timedelta(days=1) for d in month_ends]
    schedules = {
        0: [date(2025, 3, 31)],
        1: month_ends,
        2: [d for d in month_ends if d.month in (3, 6, 9, 12)],
        3: [d for d in month_ends if d.month in (3, 6, 9, 12)],
        4: [date(2025, 12, 14), date(2026, 12, 14)],
    }
    position = {task.pk: task.position for task in tasks}
    occurrences: list[Occurrence] = []
    for assignment in assignments:
        for due in schedules[position[assignment.task_id] % 5]:
            roll = rng.random()
            status, completed = TaskStatus.NOT_STARTED, None
            if due < TODAY and roll < 0.55:
                status = TaskStatus.DONE
                completed = due + timedelta(days=rng.choice([-5, -1, 0, 3, 20]))
                completed = min(completed, TODAY)
            elif roll < 0.75:
                status = TaskStatus.IN_PROGRESS
            occurrences.append(
                Occurrence(
                    assignment=assignment,
                    task_id=assignment.task_id,
                    unit_id=assignment.unit_id,
                    due_on=due,
                    status=status,
                    completed_on=completed,
                )
            )
        if len(occurrences) >= 20000:
            Occurrence.objects.bulk_create(occurrences, batch_size=5000)
            occurrences = []
    Occurrence.objects.bulk_create(occurrences, batch_size=5000)


def timed(function) -> tuple[float, float]:
    function()  # warm
    times = sorted((_clock(function)) for _ in range(RUNS))
    return statistics.median(times), times[-1]


def _clock(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    rebuild = "--rebuild" in sys.argv
    directive = Document.objects.filter(identifier=f"{MARK}-1").first()
    if directive is None or rebuild:
        started = time.perf_counter()
        with transaction.atomic():
            build()
        print(f"built the synthetic cascade in {time.perf_counter() - started:.1f} s")
        directive = Document.objects.get(identifier=f"{MARK}-1")
        started = time.perf_counter()
        rows = rollups_rebuild()
        print(f"rebuild_rollups: {rows} roll-up rows in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        # What autovacuum does on a live database: statistics and the visibility map (which
        # index-only scans need).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    units = Unit.objects.filter(name__startswith=f"{MARK} ")
    centre = units.get(depth=directive.issuer.depth)
    province = units.filter(depth=centre.depth + 1).order_by("path").first()
    district = units.filter(depth=centre.depth + 2, level=Level.DISTRICT).order_by("path").first()
    user = get_user_model()(username="bench", is_superuser=True)
    occurrences = Occurrence.objects.filter(task__document__root=directive).count()
    print(
        f"database: {connection.vendor}; units: {units.count()}; occurrences: {occurrences}; "
        f"runs: {RUNS}; today: {TODAY:%d/%m/%Y}"
    )
    print("| selector | root ms (max) | province ms (max) | district ms (max) |")
    print("|---|---|---|---|")
    scopes = [centre, province, district]

    def filters_for(scope: Unit) -> Filters:
        return Filters(
            user=user, directive=directive, scope=Scope(scope, subtree=True), today=TODAY
        )

    def live(filters: Filters):
        condition = Q(due_on__lt=TODAY) & ~Q(status=TaskStatus.DONE)
        return Occurrence.objects.filter(
            filters.units_q("unit__"), filters.documents_q("task__document__")
        ).aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            overdue=Count("pk", filter=condition),
        )

    cases = {
        "task_states (roll-ups + live month)": selectors.task_states,
        "  live count instead, for comparison": live,
        "states_by_plan": lambda f: selectors.states_by_plan(
            f, selectors.plan_choices(f), selectors.task_states(f)
        ),
        "trend (12 months)": selectors.trend,
        "overdue_list (first 20)": selectors.overdue_list,
        "coverage": selectors.coverage,
        "coverage_list (first 30)": selectors.coverage_list,
        "tree_level (one level)": lambda f: selectors.tree_level(f, f.scope.unit),
        "laggards (top 10)": selectors.laggards,
        "targets": figures,
        "reports": reporting.report_status,
        "whole page (all sections)": page_context,
    }
    for name, function in cases.items():
        cells = []
        for scope in scopes:
            filters = filters_for(scope)
            median, worst = timed(lambda filters=filters, function=function: function(filters))
            cells.append(f"{median:.1f} ({worst:.1f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
