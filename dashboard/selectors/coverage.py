"""Coverage of the cascade: the units expected to issue their own implementing plan, and
which have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from dashboard.filters import Filters
from dashboard.selectors.common import COVERAGE_STATES, percent
from plans.models import Document, DocumentRecipient, RecipientPurpose
from tasks.models import Assignment, AssignmentRole

# --- Coverage of the cascade ----------------------------------------------------------------
from units.models import Unit


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

    def rows(self) -> list[tuple[str, Any, int, float | None]]:
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


def _no_plan(unit_ref: str, document_ref: str) -> Any:
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
