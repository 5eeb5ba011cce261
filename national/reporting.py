"""The reporting duties and the yearly reports of the synthetic nation (a part of
``Nation``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from national.shapes import Node
from reports.models import (
    DEFAULT_LEVEL_LEAD_DAYS,
    LEVEL_ORDER,
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
)


class ReportWriter:
    """Writes the reporting duties and three years of reports, summed level by level."""

    # reports --------------------------------------------------------------------------------

    def write_requirements(self) -> None:
        rows = []
        for node in self.nodes:
            if node.plan_id is None or not any(c.plan_id for c in node.children):
                continue
            node.requirement_id = self.ids.take(ReportRequirement)
            rows.append(
                (
                    node.requirement_id,
                    node.plan_id,
                    "Báo cáo kết quả hằng năm",
                    node.id,
                    "carry_out",
                    "annual",
                    node.plan_issued,
                    self.stamp,
                    self.stamp,
                )
            )
        root = self.nodes[0]
        self.sink.write(
            ReportRequirement,
            [
                "id",
                "document_id",
                "title",
                "receiver_id",
                "reporters_mode",
                "frequency",
                "starts_on",
                "created_at",
                "updated_at",
            ],
            rows,
        )
        self.root_requirement = root.requirement_id

    def write_reports(self, nodes: Sequence[Node], *, national: bool = False) -> None:
        """Each unit's annual reports to the unit above for the years past, bottom-up, so
        that a consolidating report holds the sums of the accepted reports below it."""
        rng = self.rng
        requests, measurements = [], []
        # (unit id, year) -> (state, {slot: (numerator, denominator)}, task counts) of
        # accepted reports, for the unit above to sum.
        for year in self.report_years:
            figures: dict[int, tuple[dict[int, tuple[int, int]], list[int]]] = {}
            ends = date(year, 12, 14)
            for node in sorted(nodes, key=lambda n: -n.depth):
                parent = node.parent if not national else node
                if node.plan_id is None or parent is None or parent.requirement_id is None:
                    continue
                if node.plan_issued > ends or (node.active_until and node.active_until < ends):
                    continue
                last = year == self.report_years[-1]
                roll = rng.random() * (0.85 + 0.15 * node.diligence)
                if national:
                    state = "draft" if last else "accepted"
                elif roll < (0.12 if last else 0.03):
                    state = "not_started"
                elif roll < (0.2 if last else 0.05):
                    state = "draft"
                elif roll < (0.3 if last else 0.07):
                    state = "submitted"
                else:
                    state = "accepted"
                below = [figures[c.id] for c in node.children if c.id in figures]
                if national:
                    below = [
                        figures_national for figures_national in self.province_figures.get(year, [])
                    ]
                own_tasks = self.task_counts.get(node.id, [0, 0, 0])
                rolled_tasks = [sum(b[1][i] for b in below) for i in range(3)]
                slots = len(parent.plan_targets)
                values: dict[int, tuple[int, int]] = {}
                rolled: dict[int, tuple[int, int]] = {}
                for slot in range(slots):
                    sums = [b[0][slot] for b in below if slot in b[0]]
                    if sums:
                        rolled[slot] = (sum(s[0] for s in sums), sum(s[1] for s in sums))
                        values[slot] = rolled[slot]
                    else:
                        denominator = rng.randint(150, 2500)
                        share = min(0.95, max(0.05, rng.gauss(0.42, 0.12)))
                        if slot >= 2:
                            values[slot] = (rng.randint(0, 3), 0)
                        else:
                            values[slot] = (round(denominator * share), denominator)
                request_id = self.ids.take(ReportRequest)
                lead = sum(
                    DEFAULT_LEVEL_LEAD_DAYS.get(LEVEL_ORDER[r].value, 0)
                    for r in range(
                        LEVEL_ORDER.index(parent.level) + 2,
                        min(LEVEL_ORDER.index(node.level), 4) + 1,
                    )
                )
                due = ends + timedelta(days=5 - lead)
                reported = state in ("submitted", "accepted")
                at = datetime(year, 12, 1, 8, tzinfo=UTC) + timedelta(days=rng.randint(0, 30))
                requests.append(
                    (
                        request_id,
                        parent.requirement_id,
                        node.id,
                        parent.id,
                        self.directive_id,
                        "annual",
                        str(year),
                        date(year - 1, 12, 15),
                        ends,
                        due,
                        state,
                        "Kết quả thực hiện trong năm" if state != "not_started" else "",
                        *own_tasks,
                        *(rolled_tasks if below else [0, 0, 0]),
                        len([c for c in node.children if c.plan_id]),
                        len(below),
                        at if below else None,
                        at if reported else None,
                        at if state == "accepted" else None,
                        self.stamp,
                        self.stamp,
                    )
                )
                if state != "not_started":
                    for slot in range(slots):
                        numerator, denominator = values[slot]
                        target = parent.plan_targets[slot]
                        r_num, r_den = rolled.get(slot, (None, None))
                        measurements.append(
                            (
                                self.ids.take(ReportMeasurement),
                                request_id,
                                target,
                                self.target_root[target],
                                numerator,
                                denominator or None,
                                r_num,
                                r_den or None,
                                len(below) if slot in rolled else 0,
                                slot,
                            )
                        )
                if state == "accepted":
                    figures[node.id] = (values, [own_tasks[i] + rolled_tasks[i] for i in range(3)])
                    if node.parent is self.nodes[0] and not national:
                        self.province_figures.setdefault(year, []).append(figures[node.id])
        self.sink.write(
            ReportRequest,
            [
                "id",
                "requirement_id",
                "unit_id",
                "receiver_id",
                "cascade_root_id",
                "frequency",
                "period_key",
                "period_starts_on",
                "period_ends_on",
                "due_on",
                "state",
                "results",
                "tasks_done",
                "tasks_in_progress",
                "tasks_not_started",
                "rolled_tasks_done",
                "rolled_tasks_in_progress",
                "rolled_tasks_not_started",
                "subordinates_expected",
                "subordinates_accepted",
                "rolled_up_at",
                "submitted_at",
                "accepted_at",
                "created_at",
                "updated_at",
            ],
            requests,
        )
        self.sink.write(
            ReportMeasurement,
            [
                "id",
                "report_id",
                "target_id",
                "root_target_id",
                "numerator",
                "denominator",
                "rolled_numerator",
                "rolled_denominator",
                "rolled_reports",
                "position",
            ],
            measurements,
        )
