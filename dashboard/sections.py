"""The dashboard sections that read the whole subtree, by name, so a page and the job that
refreshes a cached section (``dashboard.jobs.refresh_section``) compute them the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dashboard import reporting, selectors
from dashboard.filters import Filters
from dashboard.targets import figures


@dataclass(frozen=True)
class Section:
    """A named dashboard section: how to compute it from the filters, and whether its
    figures depend on who reads them (kept apart per user in the cache)."""

    compute: Callable[[Filters], object]
    per_user: bool = False


def _plan_rows(filters: Filters) -> object:
    return selectors.plan_figures(filters, selectors.plan_choices(filters))


SECTIONS: dict[str, Section] = {
    "plans": Section(selectors.plan_choices, per_user=True),
    "plan_rows": Section(_plan_rows, per_user=True),
    "overdue": Section(lambda f: selectors.overdue_list(f, limit=20)),
    "coverage_list": Section(lambda f: selectors.coverage_list(f, limit=30)),
    # The branches directly under the unit the filters look at.
    "coverage_by_branch": Section(lambda f: selectors.coverage_by_branch(f, f.scope.unit)),
    "targets": Section(figures),
    "reports": Section(lambda f: reporting.report_status(f, limit=30)),
    "laggards": Section(lambda f: selectors.laggards(f, limit=10)),
}
