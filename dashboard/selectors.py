"""Reads of the leader's dashboard. Every figure is counted in the database, each function
costs a fixed number of queries whatever the size of the tree, and every one takes the same
checked ``Filters`` (directive or plan, the unit and whether its subtree is readable, period,
bloc, level), so pages, fragments and downloads see exactly the same rows.

Task figures come from the roll-up tables (``dashboard.models``), except the part of
"overdue" that depends on today: open occurrences due earlier in the current month are
counted live, a small query on one month of due dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext_lazy as _

from dashboard import reporting
from dashboard.filters import Filters, add_months
from dashboard.models import (
    OPEN_BUCKETS,
    Bucket,
    CompletionRollup,
    OccurrenceRollup,
    SubtreeCompletion,
    SubtreeRollup,
)
from dashboard.services import done_condition
from plans.models import Document, DocumentRecipient, RecipientPurpose
from tasks.models import Assignment, AssignmentRole, Occurrence, Task, TaskStatus
from units.models import Unit

STATES = (
    ("done_on_time", _("Done on time")),
    ("done_late", _("Done late")),
    ("in_progress", _("In progress")),
    ("overdue", _("Overdue")),
    ("not_started", _("Not started")),
)
COVERAGE_STATES = (
    ("issued", _("Plan issued")),
    ("pending", _("Not yet, not late")),
    ("late", _("Late")),
)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- Tasks ----------------------------------------------------------------------------------


@dataclass
class StateCounts:
    """Occurrences by state; the five states do not overlap."""

    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    overdue: int = 0
    not_started: int = 0

    @property
    def total(self) -> int:
        return (
            self.done_on_time + self.done_late + self.in_progress + self.overdue + self.not_started
        )

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def open(self) -> int:
        return self.in_progress + self.overdue + self.not_started

    def __add__(self, other: StateCounts) -> StateCounts:
        return StateCounts(**{key: getattr(self, key) + getattr(other, key) for key, _ in STATES})

    def rows(self) -> list[tuple[str, str, int, float | None]]:
        """(key, label, count, percentage) for each state, in display order."""
        total = self.total
        return [
            (key, label, getattr(self, key), percent(getattr(self, key), total))
            for key, label in STATES
        ]


def _rollups(filters: Filters) -> QuerySet[OccurrenceRollup]:
    return OccurrenceRollup.objects.filter(
        filters.units_q("unit__"),
        filters.documents_in("document_id"),
        filters.months_q("due_month"),
    )


def _open_occurrences(filters: Filters) -> QuerySet[Occurrence]:
    """Open occurrences in scope: not done, of the counted documents, units and period."""
    return Occurrence.objects.filter(
        filters.units_q("unit__"),
        filters.documents_q("task__document__"),
        filters.months_q("due_on"),
    ).exclude(done_condition())


def _overdue_this_month(filters: Filters) -> QuerySet[Occurrence]:
    """The live part of "overdue": open occurrences due this month before today."""
    return _open_occurrences(filters).filter(
        due_on__gte=filters.current_month, due_on__lt=filters.today
    )


def _state_sums(current_month: date) -> dict:
    def bucket_sum(bucket: str, *, past: bool = False) -> Coalesce:
        condition = Q(bucket=bucket)
        if past:
            condition &= Q(due_month__lt=current_month)
        return Coalesce(Sum("count", filter=condition), 0)

    return {
        "on_time": bucket_sum(Bucket.DONE_ON_TIME),
        "late": bucket_sum(Bucket.DONE_LATE),
        "ns": bucket_sum(Bucket.NOT_STARTED),
        "ip": bucket_sum(Bucket.IN_PROGRESS),
        "ns_past": bucket_sum(Bucket.NOT_STARTED, past=True),
        "ip_past": bucket_sum(Bucket.IN_PROGRESS, past=True),
    }


_LIVE_SUMS = {
    "ns_now": Count("pk", filter=Q(status=TaskStatus.NOT_STARTED)),
    "ip_now": Count("pk", filter=~Q(status=TaskStatus.NOT_STARTED)),
}


def _combine(sums: dict, live: dict | None) -> StateCounts:
    live = live or {"ns_now": 0, "ip_now": 0}
    overdue_ns = sums["ns_past"] + live["ns_now"]
    overdue_ip = sums["ip_past"] + live["ip_now"]
    return StateCounts(
        done_on_time=sums["on_time"],
        done_late=sums["late"],
        in_progress=sums["ip"] - overdue_ip,
        overdue=overdue_ns + overdue_ip,
        not_started=sums["ns"] - overdue_ns,
    )


def _by_subtree(filters: Filters) -> bool:
    """Whether the figures can be read from the subtree roll-ups: a whole subtree, every
    document of the cascade, every bloc and level (the view a dashboard opens on). Not when
    the cascade holds a confidential plan outside the user's circle: the roll-ups count it."""
    return (
        filters.scope.subtree
        and filters.plan is None
        and not filters.bloc
        and not filters.level
        and not filters.hides_confidential
    )


def _subtree_rollups(filters: Filters) -> QuerySet[SubtreeRollup]:
    return SubtreeRollup.objects.filter(
        filters.months_q("due_month"), cascade_id=filters.directive.pk
    )


def task_states(filters: Filters) -> StateCounts:
    """Occurrences in scope by state (two queries)."""
    if _by_subtree(filters):
        rows = _subtree_rollups(filters).filter(unit_id=filters.scope.unit.pk)
    else:
        rows = _rollups(filters)
    sums = rows.aggregate(**_state_sums(filters.current_month))
    live = _overdue_this_month(filters).aggregate(**_LIVE_SUMS)
    return _combine(sums, live)


def _grouped_states(
    filters: Filters, rollup_key, live_key, *, rollup_q: Q | None = None, live_q: Q | None = None
) -> dict[object, StateCounts]:
    """Occurrences by state for each group (two queries)."""
    rollup_q = rollup_q or Q()
    live_q = live_q or Q()
    rows = (
        _rollups(filters)
        .filter(rollup_q)
        .annotate(group=rollup_key)
        .order_by()
        .values("group")
        .annotate(**_state_sums(filters.current_month))
    )
    live = {
        row["group"]: row
        for row in _overdue_this_month(filters)
        .filter(live_q)
        .annotate(group=live_key)
        .order_by()
        .values("group")
        .annotate(**_LIVE_SUMS)
    }
    return {row["group"]: _combine(row, live.get(row["group"])) for row in rows}


def subtract(whole: StateCounts, parts: list[StateCounts]) -> StateCounts:
    return StateCounts(
        **{
            key: getattr(whole, key) - sum(getattr(part, key) for part in parts)
            for key, _label in STATES
        }
    )


@dataclass
class PlanRow:
    document: Document
    states: StateCounts
    undated: int = 0  # tasks of the plan that fall due on no date (never counted above)


def plan_figures(
    filters: Filters, documents: list[Document]
) -> tuple[list[PlanRow], list[StateCounts]]:
    """Occurrences by state for each of ``documents`` (the plans near the unit looked at:
    a bounded list), with each plan's tasks that have no date, and the counts of every plan
    that has some (three queries). Plans without any dated occurrence in scope are listed
    with zeros; documents known only by reference are left out unless they have some."""
    ids = [document.pk for document in documents]
    undated = dict(
        Task.objects.filter(document_id__in=ids)
        .filter(~Exists(Occurrence.objects.filter(task_id=OuterRef("pk"))))
        .order_by()
        .values("document_id")
        .annotate(n=Count("pk"))
        .values_list("document_id", "n")
    )
    grouped = _grouped_states(
        filters,
        F("document_id"),
        F("task__document_id"),
        rollup_q=Q(document_id__in=ids),
        live_q=Q(task__document_id__in=ids),
    )
    rows = [
        PlanRow(
            document=document,
            states=grouped.get(document.pk, StateCounts()),
            undated=undated.get(document.pk, 0),
        )
        for document in documents
        if document.pk in grouped
        or (not document.is_reference and document.pk != filters.directive.pk)
    ]
    return rows, list(grouped.values())


def states_by_plan(
    filters: Filters,
    documents: list[Document],
    total: StateCounts,
    *,
    figures: tuple[list[PlanRow], list[StateCounts]] | None = None,
    shown: int | None = None,
) -> tuple[list[PlanRow], StateCounts]:
    """The plan rows of ``plan_figures`` (or ``figures``, when the caller has them), the
    first ``shown`` of them when given, and the occurrences of all the other documents of
    the cascade together."""
    rows, counted = figures if figures is not None else plan_figures(filters, documents)
    if shown is not None and len(rows) > shown:
        rows = rows[:shown]
        counted = [row.states for row in rows]
    return rows, subtract(total, counted)


def states_by_branch(filters: Filters, node: Unit) -> dict[str, StateCounts]:
    """Occurrences by state for each branch directly under ``node`` (keyed by the branch's
    path; ``node``'s own work is keyed by its own path)."""
    length = len(node.path) + Unit.steplen
    if not _by_subtree(filters) or filters.scope.unit.pk != node.pk:
        return _grouped_states(
            filters, Substr("unit__path", 1, length), Substr("unit__path", 1, length)
        )
    # The node's subtree and each branch's are stored whole; the node's own work is what its
    # subtree holds beyond its branches.
    sums = _state_sums(filters.current_month)
    rows = {
        row.pop("unit__path"): row
        for row in _subtree_rollups(filters)
        .filter(unit__path__startswith=node.path, unit__depth__lte=node.depth + 1)
        .order_by()
        .values("unit__path")
        .annotate(**sums)
    }
    whole = rows.pop(node.path, None)
    if whole is not None:
        own = {key: whole[key] - sum(row[key] for row in rows.values()) for key in sums}
        if any(own.values()):
            rows[node.path] = own
    live = {
        row.pop("group"): row
        for row in _overdue_this_month(filters)
        .annotate(group=Substr("unit__path", 1, length))
        .order_by()
        .values("group")
        .annotate(**_LIVE_SUMS)
    }
    for path in live.keys() - rows.keys():
        rows[path] = dict.fromkeys(sums, 0)
    return {path: _combine(row, live.get(path)) for path, row in rows.items()}


@dataclass
class OverdueRow:
    occurrence: Occurrence
    days_late: int


def overdue_list(filters: Filters, *, limit: int | None = 20) -> list[OverdueRow]:
    """Open occurrences past their due date, the longest overdue first, with their lead unit
    (one query)."""
    rows = (
        _open_occurrences(filters)
        .filter(due_on__lt=filters.today)
        .select_related("unit", "task", "task__document")
        .only(
            "due_on",
            "status",
            "unit__name",
            "unit__path",
            "task__text",
            "task__deadline_text",
            "task__document__identifier",
            "task__document__doc_type",
        )
        .order_by("due_on", "unit__path", "pk")
    )
    if limit is not None:
        rows = rows[:limit]
    return [OverdueRow(occurrence=o, days_late=(filters.today - o.due_on).days) for o in rows]


@dataclass
class TrendPoint:
    month: date
    due: int
    completed: int


def trend_months(filters: Filters) -> list[date]:
    """The months of the trend: the period's, or the twelve up to the current month."""
    months = filters.period.months()
    if months:
        return months
    return [add_months(filters.current_month, step) for step in range(-11, 1)]


def trend(filters: Filters) -> list[TrendPoint]:
    """Occurrences due and completed per month (two queries)."""
    months = trend_months(filters)
    first, end = months[0], add_months(months[-1], 1)
    if _by_subtree(filters):
        scope = {"unit_id": filters.scope.unit.pk, "cascade_id": filters.directive.pk}
        due_rows = SubtreeRollup.objects.filter(**scope)
        done_rows = SubtreeCompletion.objects.filter(**scope)
    else:
        due_rows = OccurrenceRollup.objects.filter(
            filters.units_q("unit__"), filters.documents_in("document_id")
        )
        done_rows = CompletionRollup.objects.filter(
            filters.units_q("unit__"), filters.documents_in("document_id")
        )
    due = dict(
        due_rows.filter(
            due_month__gte=first,
            due_month__lt=end,
        )
        .order_by()
        .values("due_month")
        .annotate(n=Sum("count"))
        .values_list("due_month", "n")
    )
    done = dict(
        done_rows.filter(
            done_month__gte=first,
            done_month__lt=end,
        )
        .order_by()
        .values("done_month")
        .annotate(n=Sum("count"))
        .values_list("done_month", "n")
    )
    return [TrendPoint(month, due.get(month, 0), done.get(month, 0)) for month in months]


# --- Coverage of the cascade ----------------------------------------------------------------


@dataclass
class CoverageCounts:
    """Units expected to issue an implementing plan, and where they stand."""

    expected: int = 0
    issued: int = 0
    late: int = 0

    def __add__(self, other: CoverageCounts) -> CoverageCounts:
        return CoverageCounts(
            self.expected + other.expected, self.issued + other.issued, self.late + other.late
        )

    @property
    def pending(self) -> int:
        return self.expected - self.issued - self.late

    @property
    def issued_pct(self) -> float | None:
        return percent(self.issued, self.expected)

    @property
    def state(self) -> str:
        """The colour of a branch: late if anyone is, issued if everyone has."""
        if not self.expected:
            return "none"
        if self.late:
            return "late"
        return "issued" if self.issued == self.expected else "pending"

    def rows(self) -> list[tuple[str, str, int, float | None]]:
        return [
            (key, label, getattr(self, key), percent(getattr(self, key), self.expected))
            for key, label in COVERAGE_STATES
        ]


def _carry_out(filters: Filters) -> QuerySet[DocumentRecipient]:
    return DocumentRecipient.objects.filter(
        filters.units_q("unit__"),
        purpose=RecipientPurpose.CARRY_OUT,
        document__in=filters.documents().values("pk"),
    )


def _asked_for_plan(filters: Filters) -> QuerySet[Assignment]:
    """Lead shares of tasks asking their unit for its own implementing plan."""
    return Assignment.objects.filter(
        filters.units_q("unit__"),
        role=AssignmentRole.LEAD,
        task__requires_plan=True,
        task__document__in=filters.documents().values("pk"),
    )


def _no_plan(unit_ref: str, document_ref: str) -> Exists:
    return ~Exists(
        Document.objects.filter(issuer_id=OuterRef(unit_ref), implements_id=OuterRef(document_ref))
    )


def _missing_assignments(filters: Filters) -> QuerySet[Assignment]:
    return _asked_for_plan(filters).filter(
        _no_plan("unit_id", "task__document_id"), fulfilled_by__isnull=True
    )


def _missing_recipients(filters: Filters) -> QuerySet[DocumentRecipient]:
    return _carry_out(filters).filter(_no_plan("unit_id", "document_id"))


def expected_units(filters: Filters) -> QuerySet[Unit]:
    """Units in scope expected to issue an implementing plan of a counted document —
    recipients marked "to carry out" and lead units of tasks asking for a plan — annotated
    with ``coverage``: issued (every such plan exists), late (one is missing after its
    task's due date) or pending.

    Every condition is an uncorrelated ``IN (subquery)``, which the database works out once
    (a hashed set) rather than once per unit."""
    missing = _missing_assignments(filters)
    late = Q(pk__in=missing.filter(task__due_on__lt=filters.today).values("unit_id"))
    pending = Q(pk__in=missing.values("unit_id")) | Q(
        pk__in=_missing_recipients(filters).values("unit_id")
    )
    return (
        Unit.objects.filter(filters.units_q())
        .filter(
            Q(pk__in=_carry_out(filters).values("unit_id"))
            | Q(pk__in=_asked_for_plan(filters).values("unit_id"))
        )
        .annotate(
            coverage=Case(
                When(late, then=Value("late")),
                When(pending, then=Value("pending")),
                default=Value("issued"),
                output_field=CharField(),
            )
        )
    )


_COVERAGE_SUMS = {
    "expected": Count("pk"),
    "issued": Count("pk", filter=Q(coverage="issued")),
    "late": Count("pk", filter=Q(coverage="late")),
}


def coverage(filters: Filters) -> CoverageCounts:
    """How many expected units have issued their plan, and how many are late (one query)."""
    return CoverageCounts(**expected_units(filters).order_by().aggregate(**_COVERAGE_SUMS))


def coverage_by_branch(filters: Filters, node: Unit) -> dict[str, CoverageCounts]:
    """Coverage for each branch directly under ``node`` (one query)."""
    length = len(node.path) + Unit.steplen
    rows = (
        expected_units(filters)
        .annotate(branch=Substr("path", 1, length))
        .order_by()
        .values("branch")
        .annotate(**_COVERAGE_SUMS)
    )
    return {
        row["branch"]: CoverageCounts(row["expected"], row["issued"], row["late"]) for row in rows
    }


def coverage_list(filters: Filters, *, limit: int | None = 30) -> list[Unit]:
    """The expected units, late first then not yet issued then issued (in tree order), each
    with the earliest due date it missed and how many implementing plans it has issued (one
    query; the two figures are only worked out for the rows returned)."""
    rank = Case(
        When(coverage="late", then=0),
        When(coverage="pending", then=1),
        default=2,
        output_field=IntegerField(),
    )
    missed = (
        _missing_assignments(filters)
        .filter(unit_id=OuterRef("pk"), task__due_on__lt=filters.today)
        .order_by()
        .values("unit_id")
        .annotate(first=Min("task__due_on"))
        .values("first")
    )
    plans = (
        Document.objects.filter(
            issuer_id=OuterRef("pk"), implements__in=filters.documents().values("pk")
        )
        .order_by()
        .values("issuer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        expected_units(filters)
        .annotate(
            rank=rank,
            missed_due=Subquery(missed),
            plans_issued=Coalesce(Subquery(plans, output_field=IntegerField()), 0),
        )
        .order_by("rank", "path")
    )
    return list(rows[:limit] if limit is not None else rows)


# --- The unit tree --------------------------------------------------------------------------


@dataclass
class Branch:
    """A unit under the one being looked at, with the figures of its whole subtree."""

    unit: Unit
    coverage: CoverageCounts = field(default_factory=CoverageCounts)
    states: StateCounts = field(default_factory=StateCounts)
    own: bool = False  # the node's own work, not a branch below it

    @property
    def state(self) -> str:
        if self.coverage.expected:
            return self.coverage.state
        if self.states.overdue:
            return "late"
        return "none"

    @property
    def expandable(self) -> bool:
        return not self.own and self.unit.numchild > 0


@dataclass
class TreeLevel:
    node: Unit
    branches: list[Branch]
    quiet: int  # units directly under the node with nothing counted

    @property
    def states(self) -> StateCounts:
        """Everything under the node: its branches (and its own work) together."""
        return sum((branch.states for branch in self.branches), StateCounts())

    @property
    def coverage(self) -> CoverageCounts:
        return sum((branch.coverage for branch in self.branches), CoverageCounts())


def tree_level(
    filters: Filters, node: Unit, *, branch_coverage: dict[str, CoverageCounts] | None = None
) -> TreeLevel:
    """The branches directly under ``node`` that have anything counted, with their figures
    (five queries; four when the caller gives ``branch_coverage``, e.g. from the cache)."""
    if not filters.scope.subtree:
        node_coverage = coverage(filters)
        states = task_states(filters)
        return TreeLevel(
            node=node,
            branches=[Branch(unit=node, coverage=node_coverage, states=states, own=True)],
            quiet=0,
        )
    below = filters.with_unit(node)
    if branch_coverage is None:
        branch_coverage = coverage_by_branch(below, node)
    branch_states = states_by_branch(below, node)
    paths = set(branch_coverage) | set(branch_states)
    units = Unit.objects.filter(path__in=paths).order_by("path") if paths else []
    branches = [
        Branch(
            unit=unit,
            coverage=branch_coverage.get(unit.path, CoverageCounts()),
            states=branch_states.get(unit.path, StateCounts()),
            own=unit.path == node.path,
        )
        for unit in units
    ]
    children = Unit.objects.filter(path__startswith=node.path, depth=node.depth + 1).count()
    shown = sum(1 for branch in branches if not branch.own)
    return TreeLevel(node=node, branches=branches, quiet=children - shown)


def ancestors_in_reach(filters: Filters) -> list[Unit]:
    """The units above the one looked at that the user may also look at, for the
    breadcrumb (one query)."""
    unit = filters.scope.unit
    step = Unit.steplen
    paths = [unit.path[:end] for end in range(step, len(unit.path), step)]
    if not paths:
        return []
    return list(Unit.objects.readable_by(filters.user).filter(path__in=paths).order_by("path"))


# --- Laggards -------------------------------------------------------------------------------


@dataclass
class Laggard:
    unit: Unit
    overdue: int
    late_plans: int
    late_reports: int

    @property
    def total(self) -> int:
        return self.overdue + self.late_plans + self.late_reports


def laggards(filters: Filters, *, limit: int | None = 10) -> list[Laggard]:
    """The units with the most overdue work: overdue occurrences, implementing plans late
    and reports late, each unit on its own (two queries).

    Each kind is counted per unit by its own grouped query (no per-unit subquery), the four
    are stacked with UNION ALL and summed per unit, ranked and cut in the database."""
    open_past = (
        _rollups(filters)
        .filter(bucket__in=OPEN_BUCKETS, due_month__lt=filters.current_month)
        .order_by()
        .values("unit_id")
        .annotate(overdue=Sum("count"), plans=Value(0), reports=Value(0))
    )
    open_now = (
        _overdue_this_month(filters)
        .order_by()
        .values("unit_id")
        .annotate(overdue=Count("pk"), plans=Value(0), reports=Value(0))
    )
    plans_late = (
        _missing_assignments(filters)
        .filter(filters.units_q("unit__"), task__due_on__lt=filters.today)
        .order_by()
        .values("unit_id")
        .annotate(overdue=Value(0), plans=Count("pk"), reports=Value(0))
    )
    parts = [open_past, open_now, plans_late]
    requests = reporting.late_requests(filters)
    if requests is not None:
        parts.append(
            requests.order_by()
            .values("unit_id")
            .annotate(overdue=Value(0), plans=Value(0), reports=Count("pk"))
        )
    sqls, params = [], []
    for part in parts:
        sql, part_params = part.query.sql_with_params()
        # Each part is SQL compiled by the ORM, its values kept apart as parameters.
        sqls.append(f"SELECT * FROM ({sql}) part")  # noqa: S608
        params.extend(part_params)
    quote = connection.ops.quote_name
    unit, overdue, plans, reports = (quote(n) for n in ("unit_id", "overdue", "plans", "reports"))
    total = f"SUM(stacked.{overdue}) + SUM(stacked.{plans}) + SUM(stacked.{reports})"
    sql = (
        f"SELECT stacked.{unit}, SUM(stacked.{overdue}), SUM(stacked.{plans}), "  # noqa: S608
        f"SUM(stacked.{reports}) FROM ({' UNION ALL '.join(sqls)}) stacked "
        f"GROUP BY stacked.{unit} HAVING {total} > 0 ORDER BY {total} DESC, stacked.{unit}"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    units = Unit.objects.in_bulk([row[0] for row in rows])
    found = [
        Laggard(
            unit=units[row[0]],
            overdue=int(row[1]),
            late_plans=int(row[2]),
            late_reports=int(row[3]),
        )
        for row in rows
        if row[0] in units
    ]
    return sorted(found, key=lambda lag: (-lag.total, lag.unit.path))


# --- Choices for the filters ----------------------------------------------------------------


def plan_choices(filters: Filters, *, limit: int = 200) -> list[Document]:
    """Documents of the cascade offered in the plan filter and listed by plan: those issued
    by the unit looked at, by units above it, or by units at most three levels below it (a
    central unit's communes, a province's grassroots), at most ``limit`` (one query)."""
    unit = filters.scope.unit
    step = Unit.steplen
    above = [unit.path[:end] for end in range(step, len(unit.path) + 1, step)]
    near = Q(issuer__path__in=above)
    if filters.scope.subtree:
        near |= Q(issuer__path__startswith=unit.path, issuer__depth__lte=unit.depth + 3)
    if filters.plan is not None:
        near |= Q(pk=filters.plan.pk)
    return list(
        Document.objects.visible_to(filters.user)
        .filter(root_id=filters.directive.pk)
        .filter(near)
        .select_related("issuer")
        .order_by("depth", "issued_on", "identifier")[:limit]
    )


def directive_choices(user, *, limit: int = 100) -> QuerySet[Document]:
    """The tops of the cascades the user can see — documents implementing nothing that
    have plans below them or tasks of their own — newest first (one query; unlike the home
    page's list it counts nothing, so it stays fast however large the cascades)."""
    return (
        Document.objects.visible_to(user)
        .filter(implements__isnull=True)
        .filter(
            Exists(Document.objects.filter(root_id=OuterRef("pk")))
            | Exists(Task.objects.filter(document_id=OuterRef("pk")))
        )
        .select_related("issuer")
        .order_by("-issued_on", "identifier")[:limit]
    )
