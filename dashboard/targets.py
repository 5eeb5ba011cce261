"""Targets of a directive (or plan) with their latest rolled-up figures, and each lower
plan's own target beside them ("45–50% in Kon Rẫy against 50–55% in Chỉ thị 21").

``target_figures(directive, unit, period)`` is the small interface the rest of the dashboard
uses; the measurements come from the report chain when it is there (``dashboard.reporting``),
otherwise every figure is "no measurement yet".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from dashboard import reporting
from dashboard.filters import Filters, Scope, parse_period
from plans.models import Document, Target
from units.models import Unit

AMBER_SHARE = Decimal("0.8")  # within 80% of the low end of the range: amber


@dataclass
class TargetFigure:
    """A target, its rolled-up figure (``numerator`` / ``denominator``; None when nothing
    was measured) and, for a target of the directive, its lower plans' targets."""

    target: Target
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    children: list[TargetFigure] = field(default_factory=list)
    reporters: int = 0
    period_key: str = ""

    @property
    def measured(self) -> bool:
        return self.numerator is not None

    @property
    def value(self) -> Decimal | None:
        """The figure in the target's own unit: a percentage worked out from the sums, or
        the summed count."""
        if self.numerator is None:
            return None
        if self.target.is_percentage:
            if not self.denominator:
                return None
            return (100 * self.numerator / self.denominator).quantize(Decimal("0.1"))
        return self.numerator

    @property
    def status(self) -> str:
        """Traffic light: green when the range is reached, amber when within 80% of its low
        end, red below; "none" without a measurement."""
        value = self.value
        low, high = self.target.low, self.target.high
        if value is None:
            return "none"
        if low is None:
            if high is None:
                return "none"
            return "green" if value <= high else "red"
        if value >= low:
            return "green"
        return "amber" if value >= low * AMBER_SHARE else "red"

    @property
    def differs_from_parent(self) -> bool:
        parent = self.target.parent
        return parent is not None and (parent.low, parent.high) != (
            self.target.low,
            self.target.high,
        )


def figures(filters: Filters) -> list[TargetFigure]:
    """The targets of the counted document with their figures for the unit looked at, and
    under each the targets of lower plans issued in scope that carry it down (two queries,
    plus one for the measurements when the report chain is there)."""
    targets = list(Target.objects.filter(document=filters.document).select_related("document"))
    if not targets:
        return []
    children = list(
        Target.objects.filter(parent__in=[t.pk for t in targets])
        .filter(Q(document__root_id=filters.directive.pk))
        .filter(filters.scope.q("document__issuer__"))
        .select_related("document", "document__issuer", "parent")
        .order_by("document__depth", "document__issuer__path", "position", "pk")
    )
    # The directive's targets are measured at the unit looked at (through the directive-level
    # target every lower target carries); a plan's and each lower plan's at its issuer.
    document = filters.document
    at = filters.scope.unit.pk
    if document.pk != filters.directive.pk and document.issuer_id:
        at = document.issuer_id
    asks = {
        t.pk: reporting.Ask(t.pk, at, root=document.pk == filters.directive.pk) for t in targets
    }
    for child in children:
        asks[child.pk] = reporting.Ask(child.pk, child.document.issuer_id or at, root=False)
    measures = reporting.measurements(list(asks.values()), filters.period.key)

    def figure(target: Target) -> TargetFigure:
        measure = measures.get(asks[target.pk])
        if measure is None:
            return TargetFigure(target=target)
        return TargetFigure(
            target=target,
            numerator=measure.numerator,
            denominator=measure.denominator,
            reporters=measure.reports,
            period_key=measure.period_key,
        )

    result = []
    for target in targets:
        item = figure(target)
        item.children = [figure(child) for child in children if child.parent_id == target.pk]
        result.append(item)
    return result


def target_figures(
    directive: Document,
    unit: Unit,
    period: str = "",
    *,
    subtree: bool = True,
    plan: Document | None = None,
    today: date | None = None,
) -> list[TargetFigure]:
    """The interface for other code: each target of ``directive`` (or of ``plan``) with its
    latest rolled-up numerator and denominator over ``unit``'s subtree (or the unit alone),
    for ``period`` (a key such as ``2025`` or ``2025-H1``; the latest when empty), and its
    lower plans' figures as ``children``. The caller is responsible for having checked that
    the unit may be read."""
    filters = Filters(
        user=AnonymousUser(),
        directive=directive.root or directive,
        plan=plan or (directive if directive.root_id else None),
        scope=Scope(unit=unit, subtree=subtree),
        today=today or timezone.localdate(),
        period=parse_period(period),
    )
    return figures(filters)
