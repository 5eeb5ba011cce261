"""The units furthest behind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Sum,
    Value,
)

from dashboard import reporting
from dashboard.filters import Filters
from dashboard.selectors.coverage import _missing_assignments
from dashboard.selectors.tasks import _overdue_this_month, _rollups
from rollups.models import (
    OPEN_BUCKETS,
)

# --- Laggards -------------------------------------------------------------------------------
from units.models import Unit


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
    sqls: list[str] = []
    params: list[Any] = []
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
