"""Reads the API puts together from the other apps' selectors."""

from __future__ import annotations

from typing import Any

from dashboard import selectors as dashboard_selectors
from dashboard.filters import Filters
from dashboard.targets import figures


def dashboard_figures(filters: Filters) -> dict[str, Any]:
    """The dashboard page's figures for ``filters`` (already checked by the dashboard's own
    ``resolve``), as plain values for the serializer; a fixed number of queries."""
    level = dashboard_selectors.tree_level(filters, filters.scope.unit)
    states, coverage = level.states, level.coverage
    return {
        "directive": filters.directive,
        "plan": filters.plan,
        "unit": filters.scope.unit,
        "subtree": filters.scope.subtree,
        "period": filters.period.key,
        "bloc": filters.bloc,
        "level": filters.level,
        "states": {**vars(states), "total": states.total},
        "coverage": {**vars(coverage), "pending": coverage.pending},
        "branches": [
            {
                "unit": branch.unit,
                "own": branch.own,
                "states": {**vars(branch.states), "total": branch.states.total},
                "coverage": {**vars(branch.coverage), "pending": branch.coverage.pending},
            }
            for branch in level.branches
        ],
        "trend": [vars(point) for point in dashboard_selectors.trend(filters)],
        "overdue": dashboard_selectors.overdue_list(filters, limit=50),
        "targets": figures(filters),
    }
