"""Every dashboard table as a download (Excel or CSV), read through the same selectors and
the same checked filters as the page, so a download never shows more than the page would.
Lists the page cuts short (overdue work, expected units, laggards…) are complete here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cascade.spreadsheets import Sheet, csv_text, download, xlsx_bytes
from dashboard import reporting, selectors
from dashboard.filters import Filters
from dashboard.targets import TargetFigure, figures
from units.models import Bloc, Level

Row = Any
Getter = Callable[[Row], Any]


@dataclass(frozen=True)
class Table:
    title: Any
    columns: list[tuple[Any, Getter]]
    rows: Callable[[Filters], Iterable[Row]]


def _range(target) -> str:
    low, high, unit = target.low, target.high, target.unit
    if low is None and high is None:
        return ""

    def num(value: Decimal) -> str:
        return f"{value.normalize():f}"

    if low is not None and high is not None and low != high:
        text = f"{num(low)}–{num(high)}"
    elif low is not None and high is None:
        text = f"> {num(low)}"
    elif low is None:
        text = f"< {num(high)}"
    else:
        text = num(low)
    return f"{text}%" if unit.strip() == "%" else f"{text} {unit}"


def _state_rows(filters: Filters) -> list:
    return selectors.task_states(filters).rows()


def _plan_rows(filters: Filters) -> list:
    total = selectors.task_states(filters)
    rows, other = selectors.states_by_plan(filters, selectors.plan_choices(filters), total)
    result = [
        (
            row.document.identifier,
            row.document.issuer_label,
            row.document.get_status_display(),
            row.states,
            row.undated,
        )
        for row in rows
    ]
    if other.total:
        result.append((str(_("Other plans further down")), "", "", other, None))
    return result


def _branch_rows(filters: Filters) -> list:
    return selectors.tree_level(filters, filters.scope.unit).branches


def _target_rows(filters: Filters) -> list[tuple[str, TargetFigure]]:
    rows: list[tuple[str, TargetFigure]] = []
    for item in figures(filters):
        rows.append(("", item))
        rows.extend(("↳", child) for child in item.children)
    return rows


def _states_columns(get: Getter) -> list[tuple[Any, Getter]]:
    return [
        (label, (lambda row, key=key: getattr(get(row), key))) for key, label in selectors.STATES
    ] + [(_("Total"), lambda row: get(row).total)]


TABLES: dict[str, Table] = {
    "states": Table(
        _("Tasks by state"),
        [
            (_("State"), lambda r: str(r[1])),
            (_("Occurrences"), lambda r: r[2]),
            (_("Share (%)"), lambda r: r[3]),
        ],
        _state_rows,
    ),
    "plans": Table(
        _("Tasks by plan"),
        [
            (_("Document"), lambda r: r[0]),
            (_("Issuer"), lambda r: r[1]),
            (_("Status"), lambda r: r[2]),
            *_states_columns(lambda r: r[3]),
            (_("Undated tasks"), lambda r: r[4]),
        ],
        _plan_rows,
    ),
    "branches": Table(
        _("Units below"),
        [
            (_("Unit"), lambda b: b.unit.name),
            (_("Expected plans"), lambda b: b.coverage.expected),
            (_("Plans issued"), lambda b: b.coverage.issued),
            (_("Plans late"), lambda b: b.coverage.late),
            (_("Coverage (%)"), lambda b: b.coverage.issued_pct),
            *_states_columns(lambda b: b.states),
        ],
        _branch_rows,
    ),
    "overdue": Table(
        _("Overdue work"),
        [
            (_("Lead unit"), lambda r: r.occurrence.unit.name),
            (_("Task"), lambda r: r.occurrence.task.text),
            (_("Document"), lambda r: r.occurrence.task.document.identifier),
            (_("Deadline as written"), lambda r: r.occurrence.task.deadline_text),
            (_("Due on"), lambda r: r.occurrence.due_on),
            (_("Days late"), lambda r: r.days_late),
            (_("Status"), lambda r: r.occurrence.get_status_display()),
        ],
        lambda filters: selectors.overdue_list(filters, limit=None),
    ),
    "trend": Table(
        _("Trend by month"),
        [
            (_("Month"), lambda p: f"{p.month:%m/%Y}"),
            (_("Due"), lambda p: p.due),
            (_("Completed"), lambda p: p.completed),
        ],
        selectors.trend,
    ),
    "coverage": Table(
        _("Implementing plans expected"),
        [
            (_("Unit"), lambda u: u.name),
            (_("Level"), lambda u: str(Level(u.level).label)),
            (_("Bloc"), lambda u: str(Bloc(u.bloc).label)),
            (_("State"), lambda u: str(dict(selectors.COVERAGE_STATES)[u.coverage])),
            (_("Missed due date"), lambda u: u.missed_due),
            (_("Plans issued"), lambda u: u.plans_issued),
        ],
        lambda filters: selectors.coverage_list(filters, limit=None),
    ),
    "targets": Table(
        _("Targets"),
        [
            (_("Level"), lambda r: r[0]),
            (_("Target"), lambda r: r[1].target.text),
            (_("Document"), lambda r: r[1].target.document.identifier),
            (_("Aimed for"), lambda r: _range(r[1].target)),
            (_("Horizon"), lambda r: r[1].target.horizon_year),
            (_("Numerator"), lambda r: r[1].numerator),
            (_("Denominator"), lambda r: r[1].denominator),
            (_("Value"), lambda r: r[1].value),
            (_("Period"), lambda r: r[1].period_key),
            (_("Status"), lambda r: r[1].status),
        ],
        _target_rows,
    ),
    "reports": Table(
        _("Reports not received"),
        [
            (_("Unit"), lambda r: r.unit.name),
            (_("Reports to"), lambda r: r.receiver.name),
            (_("Due on"), lambda r: r.due_on),
            (_("State"), lambda r: r.state),
            (_("Late"), lambda r: _("yes") if r.late else ""),
        ],
        lambda filters: reporting.report_status(filters, limit=None).missing,
    ),
    "laggards": Table(
        _("Units with the most overdue work"),
        [
            (_("Unit"), lambda r: r.unit.name),
            (_("Overdue occurrences"), lambda r: r.overdue),
            (_("Plans late"), lambda r: r.late_plans),
            (_("Reports late"), lambda r: r.late_reports),
            (_("Total"), lambda r: r.total),
        ],
        lambda filters: selectors.laggards(filters, limit=None),
    ),
}
FORMATS = ("csv", "xlsx")


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


def table_data(name: str, filters: Filters) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of a dashboard table, as plain values."""
    table = TABLES[name]
    header = [str(title) for title, _get in table.columns]
    rows = [[_plain(get(row)) for _title, get in table.columns] for row in table.rows(filters)]
    return header, rows


def filename(name: str, filters: Filters, extension: str) -> str:
    parts = ["dashboard", name, slugify(filters.document.identifier) or "document"]
    parts.append(slugify(filters.scope.unit.short_name or filters.scope.unit.name)[:40])
    if filters.period.key:
        parts.append(filters.period.key)
    return "-".join(part for part in parts if part) + f"-{filters.today:%Y%m%d}.{extension}"


def filters_lines(filters: Filters) -> list[tuple[str, str]]:
    """What the download was made of, for its second sheet."""
    lines = [
        (str(_("Directive")), str(filters.directive)),
        (str(_("Plan")), str(filters.plan) if filters.plan else str(_("All plans"))),
        (str(_("Unit")), filters.scope.unit.name),
        (
            str(_("Units counted")),
            str(_("The unit and everything under it"))
            if filters.scope.subtree
            else str(_("The unit only")),
        ),
        (str(_("Period")), filters.period.label),
        (str(_("Bloc")), str(Bloc(filters.bloc).label) if filters.bloc else str(_("All"))),
        (str(_("Level")), str(Level(filters.level).label) if filters.level else str(_("All"))),
        (str(_("As of")), f"{filters.today:%d/%m/%Y}"),
    ]
    return lines


def as_csv(name: str, filters: Filters) -> HttpResponse:
    header, rows = table_data(name, filters)
    return download(csv_text(header, rows), filename=filename(name, filters, "csv"), kind="csv")


def as_xlsx(name: str, filters: Filters) -> HttpResponse:
    header, rows = table_data(name, filters)
    content = xlsx_bytes(
        [
            Sheet(title=str(TABLES[name].title), header=header, rows=rows),
            Sheet(title=str(_("Filters")), rows=filters_lines(filters)),
        ]
    )
    return download(content, filename=filename(name, filters, "xlsx"), kind="xlsx")
