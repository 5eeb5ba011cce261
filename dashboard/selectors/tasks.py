"""The task figures of the dashboard: state counts from the roll-ups, per plan and per
branch, the overdue list and the monthly trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, Substr

from dashboard.filters import Filters, add_months
from dashboard.selectors.common import STATES, percent
from plans.models import Document
from rollups.models import (
    Bucket,
    CompletionRollup,
    OccurrenceRollup,
    SubtreeCompletion,
    SubtreeRollup,
)
from rollups.services import done_condition
from tasks.models import Occurrence, Task, TaskStatus

# --- Tasks ----------------------------------------------------------------------------------
from units.models import Unit


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

    def rows(self) -> list[tuple[str, Any, int, float | None]]:
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
    rows: QuerySet[Any]
    if _by_subtree(filters):
        rows = _subtree_rollups(filters).filter(unit_id=filters.scope.unit.pk)
    else:
        rows = _rollups(filters)
    sums = rows.aggregate(**_state_sums(filters.current_month))
    live = _overdue_this_month(filters).aggregate(**_LIVE_SUMS)
    return _combine(sums, live)


def _grouped_states(
    filters: Filters, rollup_key, live_key, *, rollup_q: Q | None = None, live_q: Q | None = None
) -> dict[Any, StateCounts]:
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
    live: dict[Any, dict[str, Any]] = {
        row["group"]: dict(row)
        for row in _overdue_this_month(filters)
        .filter(live_q)
        .annotate(group=live_key)
        .order_by()
        .values("group")
        .annotate(**_LIVE_SUMS)
    }
    return {row["group"]: _combine(dict(row), live.get(row["group"])) for row in rows}


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
    rows: dict[Any, dict[str, Any]] = {
        (row := dict(values)).pop("unit__path"): row
        for values in _subtree_rollups(filters)
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
    live: dict[Any, dict[str, Any]] = {
        (row := dict(values)).pop("group"): row
        for values in _overdue_this_month(filters)
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
    due_rows: QuerySet[Any]
    done_rows: QuerySet[Any]
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
