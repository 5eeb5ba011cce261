"""A synthetic national cascade of Chỉ thị 21-CT/TW, deterministic from a seed.

The default shape is the country after 1 July 2025: 34 provinces and 3,321 communes, and under
each the party committee, the People's Committee and its departments, the Fatherland Front and
the mass organisations, and the grassroots party organisations (about 60,000 units). Every unit
issues its implementing plan of the plan above it (a few never do, many late), with 10–20 tasks
whose lead units log occurrences with a realistic spread of work done on time, late, or not at
all; every unit reports each year to the unit above, and the consolidating reports hold the
sums of the accepted reports below them. The ``pre2025`` shape builds the tree before the
arrangement (63 provinces, 696 districts, 10,035 communes, closed on 30 June 2025) with the work
of those years, and the new provinces and commune party committees that succeed them.

Rows are produced as plain tuples, a province at a time, and handed to a ``Sink``: COPY on
PostgreSQL, ``bulk_create`` in batches elsewhere, or only a digest (``DigestSink``) to check
that the same seed gives the same rows. Materialized paths are computed here (treebeard's
four base-36 characters a level), not by adding nodes one at a time. The dashboard's roll-up
tables are rebuilt at the end through their own service.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import connection, models

from national.reporting import ReportWriter
from national.shapes import SHAPES, STEP, Node, Summary
from national.sinks import BulkSink, CopySink, DigestSink, Sink
from national.tree import TreeBuilder
from national.work import WorkWriter

# --- the generator ---------------------------------------------------------------------------


@dataclass
class Ids:
    """The next id of each table (rows are written with their ids, so that the cascade's
    links are known before anything is read back)."""

    sink: Sink
    next: dict[str, int] = field(default_factory=dict)

    def take(self, model: type[models.Model]) -> int:
        label = model._meta.label
        if label not in self.next:
            self.next[label] = self.sink.first_id(model)
        value = self.next[label]
        self.next[label] = value + 1
        return value


class Nation(TreeBuilder, WorkWriter, ReportWriter):
    """One run of the generator; ``run()`` writes everything into ``sink``."""

    def __init__(
        self,
        *,
        seed: int,
        shape: str = "2025",
        scale: float = 1.0,
        years: int = 3,
        today: date,
        sink: Sink,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
        if not 0 < scale <= 1.0:
            raise ValueError("scale must be in (0, 1]")
        if not 1 <= years <= 10:
            raise ValueError("years must be between 1 and 10")
        # Synthetic data, reproducible from the seed: not a security use of randomness.
        self.rng = random.Random(seed)  # noqa: S311
        self.shape, self.scale, self.years, self.today = shape, scale, years, today
        self.sink = sink
        self.ids = Ids(sink)
        self.first_year = today.year - years
        self.report_years = list(range(self.first_year, today.year))
        self.stamp = datetime(self.first_year, 5, 4, 8, 0, tzinfo=UTC)
        self.nodes: list[Node] = []
        self.units_by_id: dict[int, Node] = {}
        self.task_counts: dict[int, list[int]] = {}

    # the whole run --------------------------------------------------------------------------

    def run(self) -> Summary:
        import time

        seconds: dict[str, float] = {}
        started = time.perf_counter()
        root = self.build_units()
        self.write_units()
        self.write_people()
        seconds["units"] = time.perf_counter() - started
        started = time.perf_counter()
        self.write_plans()
        self.write_requirements()
        seconds["plans"] = time.perf_counter() - started
        started = time.perf_counter()
        self.province_figures: dict[int, list] = {}
        # The top of the tree, then one province (top-level branch) at a time: a bounded
        # number of rows in memory whatever the scale.
        branches: dict[str, list[Node]] = {}
        for node in self.nodes[1:]:
            branches.setdefault(node.path[: 2 * STEP], []).append(node)
        self.write_tasks([root])
        for path in sorted(branches):
            self.write_tasks(branches[path])
        seconds["tasks"] = time.perf_counter() - started
        started = time.perf_counter()
        for path in sorted(branches):
            self.write_reports(branches[path])
        self.write_reports([root], national=True)
        seconds["reports"] = time.perf_counter() - started
        self.sink.finish()
        return Summary(counts=self.sink.counts, digest=self.sink.hash.hexdigest(), seconds=seconds)


def generate(
    *,
    seed: int,
    shape: str = "2025",
    scale: float = 1.0,
    years: int = 3,
    today: date,
    dry_run: bool = False,
) -> Summary:
    """Generate the national cascade into the default database (or, with ``dry_run``, only
    compute its digest). The database must hold no units yet. Roll-up tables are rebuilt
    afterwards by the caller (``national.services``)."""
    if dry_run:
        sink: Sink = DigestSink()
    elif connection.vendor == "postgresql":
        sink = CopySink(datetime(today.year - years, 5, 4, 8, tzinfo=UTC))
    else:
        sink = BulkSink()
    nation = Nation(seed=seed, shape=shape, scale=scale, years=years, today=today, sink=sink)
    return nation.run()
