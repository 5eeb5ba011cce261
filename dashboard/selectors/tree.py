"""The unit tree of the dashboard: one level of branches with their figures, and the
ancestors in the reader's reach."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.filters import Filters
from dashboard.selectors.coverage import CoverageCounts, coverage, coverage_by_branch
from dashboard.selectors.tasks import StateCounts, states_by_branch, task_states

# --- The unit tree --------------------------------------------------------------------------
from units.models import Unit


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
