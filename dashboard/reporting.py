"""What the dashboard reads from the report chain (the ``reports`` app), when it is there.

The models are looked up lazily and checked for the fields used here (``ReportRequest``: unit,
receiver, requirement → document, cascade_root, period_key, period_ends_on, due_on, state,
is_ad_hoc; ``ReportMeasurement``: report, target, root_target, numerator, denominator). If the
app is not installed or does not have them, reports are "not set up" and every target figure
is "no measurement yet"; the rest of the dashboard does not depend on it.

Figures are never summed across levels of the chain: a unit's figure for a target is what the
accepted reports it *received* say, summed (each consolidating report already holds its own
subtree's sums), and only when nothing was received its own accepted report's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Max, Q, QuerySet, Sum

from units.models import Unit

REPORTED_STATES = ("submitted", "accepted")
ACCEPTED_STATE = "accepted"
REQUEST_FIELDS = (
    "unit",
    "receiver",
    "requirement",
    "cascade_root",
    "period_key",
    "period_ends_on",
    "due_on",
    "state",
    "is_ad_hoc",
)
MEASUREMENT_FIELDS = ("report", "target", "root_target", "numerator", "denominator")


def _has_fields(model: type[models.Model], names: tuple[str, ...]) -> bool:
    try:
        for name in names:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def request_model() -> type[models.Model] | None:
    """The report chain's request model, or None when reports are not set up."""
    if not apps.is_installed("reports"):
        return None
    try:
        model = apps.get_model("reports", "ReportRequest")
    except LookupError:
        return None
    return model if _has_fields(model, REQUEST_FIELDS) else None


def measurement_model() -> type[models.Model] | None:
    if request_model() is None:
        return None
    try:
        model = apps.get_model("reports", "ReportMeasurement")
    except LookupError:
        return None
    return model if _has_fields(model, MEASUREMENT_FIELDS) else None


def _requests(model, filters) -> QuerySet:
    """Requests of units in scope about the counted documents."""
    if filters.plan is not None:
        about = Q(requirement__document_id=filters.plan.pk)
    else:
        about = Q(cascade_root_id=filters.directive.pk)
    return model.objects.filter(about, filters.units_q("unit__"))


def _late(filters) -> Q:
    return ~Q(state__in=REPORTED_STATES) & Q(due_on__lt=filters.today)


# --- Submission -----------------------------------------------------------------------------


@dataclass
class ReportRow:
    unit: Unit
    receiver: Unit
    due_on: date
    state: str
    late: bool


@dataclass
class ReportStatus:
    """Reporting for one period: how many were asked, how many reported, who has not."""

    available: bool
    period_key: str = ""
    requested: int = 0
    reported: int = 0
    late: int = 0
    missing: list[ReportRow] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return round(100 * self.reported / self.requested, 1) if self.requested else None

    @property
    def not_reported(self) -> int:
        return self.requested - self.reported

    @property
    def period_label(self) -> str:
        from dashboard.filters import period_label

        return period_label(self.period_key) if self.period_key else ""


def current_period_key(filters) -> str:
    """The chosen period, or else the latest period of a request in scope falling due by a
    month from now (one query)."""
    if filters.period.key:
        return filters.period.key
    model = request_model()
    if model is None:
        return ""
    return (
        _requests(model, filters)
        .filter(is_ad_hoc=False, due_on__lte=filters.today + timedelta(days=31))
        .order_by("-period_ends_on", "-due_on")
        .values_list("period_key", flat=True)
        .first()
        or ""
    )


def report_status(filters, *, limit: int | None = 30) -> ReportStatus:
    """Submission for the current period: requested, reported (submitted or accepted),
    late, and who has not reported (three queries)."""
    model = request_model()
    if model is None:
        return ReportStatus(available=False)
    key = current_period_key(filters)
    requests = _requests(model, filters).filter(is_ad_hoc=False, period_key=key)
    figures = requests.order_by().aggregate(
        requested=Count("pk"),
        reported=Count("pk", filter=Q(state__in=REPORTED_STATES)),
        late=Count("pk", filter=_late(filters)),
    )
    missing = (
        requests.exclude(state__in=REPORTED_STATES)
        .select_related("unit", "receiver")
        .order_by("due_on", "unit__path", "pk")
    )
    if limit is not None:
        missing = missing[:limit]
    rows = [
        ReportRow(
            unit=request.unit,
            receiver=request.receiver,
            due_on=request.due_on,
            state=request.get_state_display(),
            late=request.due_on < filters.today,
        )
        for request in missing
    ]
    return ReportStatus(available=True, period_key=key, missing=rows, **figures)


def late_requests(filters) -> QuerySet | None:
    """Requests in scope (any period, ad hoc too) past their due date and not reported;
    None without a report chain."""
    model = request_model()
    if model is None:
        return None
    return _requests(model, filters).filter(_late(filters))


# --- Target measurements --------------------------------------------------------------------


@dataclass
class Measure:
    numerator: Decimal
    denominator: Decimal | None
    reports: int
    period_key: str


@dataclass(frozen=True)
class Ask:
    """A figure wanted: for ``target_id`` (a directive-level target when ``root``), at
    ``unit_id``."""

    target_id: int
    unit_id: int
    root: bool


def measurements(asks: list[Ask], period_key: str = "") -> dict[Ask, Measure]:
    """For each ask, the sums of numerators and denominators of the accepted reports its
    unit received measuring that target (else of its own accepted reports), for
    ``period_key`` or else the latest period that has any (one query)."""
    model = measurement_model()
    if model is None or not asks:
        return {}
    wanted = Q(pk__in=[])
    for ask in asks:
        target = Q(root_target_id=ask.target_id) if ask.root else Q(target_id=ask.target_id)
        wanted |= target & (Q(report__receiver_id=ask.unit_id) | Q(report__unit_id=ask.unit_id))
    rows = model.objects.filter(wanted, report__state=ACCEPTED_STATE)
    if period_key:
        rows = rows.filter(report__period_key=period_key)
    grouped = (
        rows.order_by()
        .values(
            "target_id",
            "root_target_id",
            "report__receiver_id",
            "report__unit_id",
            "report__period_key",
        )
        .annotate(
            numerator=Sum("numerator"),
            denominator=Sum("denominator"),
            reports=Count("report", distinct=True),
            ends=Max("report__period_ends_on"),
        )
    )
    # (ask, received?, period) -> sums; received reports win over the unit's own.
    pooled: dict[tuple[Ask, bool, str], list] = {}
    ends: dict[tuple[Ask, bool, str], date] = {}
    for row in grouped:
        for ask in asks:
            target = row["root_target_id"] if ask.root else row["target_id"]
            if target != ask.target_id:
                continue
            if row["report__receiver_id"] == ask.unit_id:
                received = True
            elif row["report__unit_id"] == ask.unit_id:
                received = False
            else:
                continue
            key = (ask, received, row["report__period_key"])
            sums = pooled.setdefault(key, [0, None, 0])
            sums[0] += row["numerator"] or 0
            if row["denominator"] is not None:
                sums[1] = (sums[1] or 0) + row["denominator"]
            sums[2] += row["reports"]
            ends[key] = max(ends.get(key, date.min), row["ends"] or date.min)
    found: dict[Ask, Measure] = {}
    for ask in asks:
        for received in (True, False):
            keys = [k for k in pooled if k[0] == ask and k[1] is received]
            if not keys:
                continue
            latest = max(keys, key=lambda k: (ends[k], k[2]))
            numerator, denominator, reports = pooled[latest]
            found[ask] = Measure(
                numerator=Decimal(numerator),
                denominator=Decimal(denominator) if denominator is not None else None,
                reports=reports,
                period_key=latest[2],
            )
            break
    return found
