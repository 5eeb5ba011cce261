"""Rolling the reports of one level up into the report of the level above.

The reports below a consolidating report are those received by its unit for the same period
in the same cascade. Only accepted ones count. Their measurements are summed in the database
(numerator and denominator separately, GROUP BY target); each lower target is then matched to
the consolidating report's target it carries down (through ``Target.parent``), or failing that
to the one with the same directive-level target. Percentages are computed from the sums,
never averaged. The number of queries is fixed, whatever the number of reports below.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from plans.models import Target
from reports.models import OPEN_STATES, ReportMeasurement, ReportRequest, ReportState, percent

Pair = tuple[int | None, int | None]
TASK_STATES = ("done", "in_progress", "not_started")


def _add(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else a + b


@dataclass(frozen=True, slots=True)
class TargetRef:
    """A target of the consolidating report and the directive-level target it belongs to."""

    pk: int
    root_pk: int
    text: str = ""
    unit: str = "%"


@dataclass
class Source:
    """One report below: who, its state, and (when accepted) its figures mapped onto the
    consolidating report's targets."""

    report_id: int
    unit_id: int
    unit_name: str
    state: str
    due_on: date
    figures: dict[int, Pair] = field(default_factory=dict)
    tasks: tuple[int, int, int] = (0, 0, 0)

    @property
    def is_accepted(self) -> bool:
        return self.state == ReportState.ACCEPTED

    @property
    def is_owed(self) -> bool:
        """Still to be written or revised by its unit (not waiting for review)."""
        return self.state in OPEN_STATES

    def state_label(self) -> str:
        return str(ReportState(self.state).label)


@dataclass
class Rollup:
    """The figures of the accepted reports below, summed, and who has not reported."""

    targets: list[TargetRef]
    totals: dict[int, Pair]
    reporting: dict[int, int]
    tasks: tuple[int, int, int]
    accepted: list[Source]
    missing: list[Source]
    unmatched: int = 0

    @property
    def expected(self) -> int:
        return len(self.accepted) + len(self.missing)

    def percent(self, target_pk: int) -> float | None:
        return percent(*self.totals.get(target_pk, (None, None)))

    def rows(self) -> list[dict]:
        """One row per target for templates: the target, the sums and the percentage."""
        return [
            {
                "target": ref,
                "numerator": self.totals.get(ref.pk, (None, None))[0],
                "denominator": self.totals.get(ref.pk, (None, None))[1],
                "percent": self.percent(ref.pk),
                "reports": self.reporting.get(ref.pk, 0),
            }
            for ref in self.targets
        ]

    def table(self) -> list[dict]:
        """One row per accepted report below: its figures in the order of ``targets``."""
        return [
            {
                "source": s,
                "cells": [(t, *s.figures.get(t.pk, (None, None))) for t in self.targets],
            }
            for s in self.accepted
        ]

    def snapshot(self) -> dict:
        """What a consolidation used, kept on the report to show later what changed."""
        return {
            "at": timezone.now().isoformat(),
            "sources": {
                str(s.report_id): {
                    "unit": s.unit_name,
                    "figures": {str(k): list(v) for k, v in s.figures.items()},
                    "tasks": list(s.tasks),
                }
                for s in self.accepted
            },
            "totals": {str(k): list(v) for k, v in self.totals.items()},
            "tasks": list(self.tasks),
        }


# Reports owed to a confidential ("mật") plan stay inside its circle: a roll-up of open work
# neither counts them nor lists the units that owe them (docs/reporting.md, "What a roll-up
# counts").
OPEN_PLANS = Q(requirement__document__confidential=False)


def open_unless_confidential(report: ReportRequest) -> Q:
    """What a report consolidates: reports on open plans, and a report on a confidential plan
    also the reports on that same plan (it stays inside that plan's circle) — never those of
    another confidential plan, whose circle may not reach the report's receiver."""
    document = report.requirement.document
    return OPEN_PLANS | Q(requirement__document=document) if document.confidential else OPEN_PLANS


def below(
    *,
    receiver_id: int,
    period_key: str,
    cascade_root_id: int,
    exclude_pk: int | None,
    within: Q = OPEN_PLANS,
):
    """The requests received by ``receiver_id`` for the period in the cascade, of the plans
    ``within`` admits (open plans unless the caller says otherwise)."""
    qs = ReportRequest.objects.filter(
        within, receiver_id=receiver_id, period_key=period_key, cascade_root_id=cascade_root_id
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def compute(
    *,
    receiver_id: int,
    period_key: str,
    cascade_root_id: int,
    targets: Iterable[TargetRef],
    exclude_pk: int | None = None,
    within: Q = OPEN_PLANS,
) -> Rollup:
    """Sum the accepted reports received by ``receiver_id`` for ``period_key`` onto
    ``targets``, in five queries whatever their number."""
    targets = list(targets)
    requests = below(
        receiver_id=receiver_id,
        period_key=period_key,
        cascade_root_id=cascade_root_id,
        exclude_pk=exclude_pk,
        within=within,
    )
    accepted_qs = requests.filter(state=ReportState.ACCEPTED)
    sources = [
        Source(
            report_id=pk,
            unit_id=unit_id,
            unit_name=name,
            state=state,
            due_on=due_on,
            tasks=(done + r_done, in_progress + r_in_progress, not_started + r_not_started),
        )
        for (
            pk,
            unit_id,
            name,
            state,
            due_on,
            done,
            r_done,
            in_progress,
            r_in_progress,
            not_started,
            r_not_started,
        ) in requests.order_by("unit__path", "pk").values_list(
            "pk",
            "unit_id",
            "unit__name",
            "state",
            "due_on",
            "tasks_done",
            "rolled_tasks_done",
            "tasks_in_progress",
            "rolled_tasks_in_progress",
            "tasks_not_started",
            "rolled_tasks_not_started",
        )
    ]
    task_sums = accepted_qs.aggregate(
        **{state: Sum(F(f"tasks_{state}") + F(f"rolled_tasks_{state}")) for state in TASK_STATES}
    )
    measurements = ReportMeasurement.objects.filter(report__in=accepted_qs)
    groups = list(
        measurements.values("target_id", "root_target_id")
        .annotate(
            numerator_sum=Sum("numerator"),
            denominator_sum=Sum("denominator"),
            reports=Count("pk", filter=Q(numerator__isnull=False)),
        )
        .order_by()
    )
    per_source = list(
        measurements.values_list("report_id", "target_id", "numerator", "denominator").order_by()
    )
    mapping = _match_targets(targets, {(g["target_id"], g["root_target_id"]) for g in groups})

    totals: dict[int, Pair] = {}
    reporting: dict[int, int] = {}
    unmatched = 0
    for group in groups:
        into = mapping.get(group["target_id"])
        if into is None:
            unmatched += 1
            continue
        n, d = totals.get(into, (None, None))
        totals[into] = (_add(n, group["numerator_sum"]), _add(d, group["denominator_sum"]))
        reporting[into] = reporting.get(into, 0) + group["reports"]

    by_report = {s.report_id: s for s in sources}
    for report_id, target_id, numerator, denominator in per_source:
        into = mapping.get(target_id)
        source = by_report.get(report_id)
        if into is None or source is None:
            continue
        n, d = source.figures.get(into, (None, None))
        source.figures[into] = (_add(n, numerator), _add(d, denominator))
    accepted = [s for s in sources if s.is_accepted]
    missing = [s for s in sources if not s.is_accepted]
    return Rollup(
        targets=targets,
        totals=totals,
        reporting=reporting,
        tasks=tuple(int(task_sums[state] or 0) for state in TASK_STATES),  # type: ignore[arg-type]
        accepted=accepted,
        missing=missing,
        unmatched=unmatched,
    )


def _match_targets(targets: list[TargetRef], lower: set[tuple[int, int]]) -> dict[int, int | None]:
    """For each lower target, the consolidating target it carries down (its parent chain
    reaches it), else the first one with the same directive-level target."""
    if not lower:
        return {}
    own = {t.pk for t in targets}
    by_root: dict[int, int] = {}
    for ref in targets:
        by_root.setdefault(ref.root_pk, ref.pk)
    chains = {
        row[0]: row
        for row in Target.objects.filter(pk__in=[pk for pk, _root in lower]).values_list(
            "pk",
            "parent_id",
            "parent__parent_id",
            "parent__parent__parent_id",
            "parent__parent__parent__parent_id",
        )
    }
    mapping: dict[int, int | None] = {}
    for pk, root_pk in lower:
        chain = chains.get(pk, (pk,))
        mapping[pk] = next((t for t in chain if t in own), None) or by_root.get(root_pk)
    return mapping


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the figures a consolidation used and today's."""

    kind: str  # "withdrawn", "added", "changed", "total"
    unit: str = ""
    target: str = ""
    before: Pair | None = None
    after: Pair | None = None

    @property
    def before_percent(self) -> float | None:
        return percent(*self.before) if self.before else None

    @property
    def after_percent(self) -> float | None:
        return percent(*self.after) if self.after else None


def changes_since(snapshot: dict, current: Rollup) -> list[Change]:
    """What changed below since ``snapshot`` was taken: reports no longer accepted, reports
    accepted since, changed figures, and the resulting totals."""
    if not snapshot:
        return []
    names = {ref.pk: ref.text for ref in current.targets}
    before_sources: dict[str, dict] = snapshot.get("sources", {})
    now_sources = {str(s.report_id): s for s in current.accepted}
    found: list[Change] = []
    for key, old in before_sources.items():
        if key not in now_sources:
            found.append(Change("withdrawn", unit=old.get("unit", "")))
    for key, source in now_sources.items():
        previous = before_sources.get(key)
        if previous is None:
            found.append(Change("added", unit=source.unit_name))
            continue
        for ref in current.targets:
            was = tuple(previous.get("figures", {}).get(str(ref.pk), (None, None)))
            now = source.figures.get(ref.pk, (None, None))
            if was != now:
                found.append(
                    Change(
                        "changed",
                        unit=source.unit_name,
                        target=names[ref.pk],
                        before=was,
                        after=now,
                    )  # type: ignore[arg-type]
                )
    if found:
        for ref in current.targets:
            was = tuple(snapshot.get("totals", {}).get(str(ref.pk), (None, None)))
            now = current.totals.get(ref.pk, (None, None))
            if was != now:
                found.append(Change("total", target=names[ref.pk], before=was, after=now))  # type: ignore[arg-type]
    return found
