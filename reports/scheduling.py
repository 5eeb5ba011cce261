"""Which periods a requirement covers, and how often a reporting duty recurs judging by its
deadline words (a task's parsed schedule)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

from reports.periods import Frequency as PeriodFrequency
from reports.periods import Period, period, period_containing
from tasks.deadlines import read_rule

PERIODIC = ("annual", "half_yearly", "quarterly", "monthly")
_PER_YEAR = {"annual": 1, "half_yearly": 2, "quarterly": 4, "monthly": 12}


def next_period(current: Period) -> Period:
    """The period after ``current`` of the same frequency."""
    count = _PER_YEAR[current.frequency]
    if current.index < count:
        return period(current.frequency, current.year, current.index + 1)
    return period(current.frequency, current.year + 1, 1)


def previous_period(current: Period) -> Period:
    count = _PER_YEAR[current.frequency]
    if current.index > 1:
        return period(current.frequency, current.year, current.index - 1)
    return period(current.frequency, current.year - 1, count)


def shifted(value: Period, days: int) -> Period:
    """``value`` with its cut-off window moved by ``days`` (a plan's own cut-off)."""
    if not days:
        return value
    delta = timedelta(days=days)
    return replace(value, starts_on=value.starts_on + delta, ends_on=value.ends_on + delta)


def periods_between(
    frequency: str, first: date, until: date, *, last: date | None = None
) -> Iterator[Period]:
    """Periods of ``frequency`` from the one containing ``first`` whose window has begun by
    ``until`` (so generating "ahead" means passing a later ``until``), ending with the one
    containing ``last`` when given."""
    if frequency not in PERIODIC:
        return
    kind: PeriodFrequency = frequency  # type: ignore[assignment]
    current = period_containing(kind, first)
    final = period_containing(kind, last) if last else None
    while current.starts_on <= until:
        yield current
        if final is not None and current.key == final.key:
            return
        current = next_period(current)


def period_for_due(frequency: str, due: date) -> Period:
    """The period a due date belongs to: the one whose cut-off is nearest to it (a report
    due 30/6 covers the first half-year, cut off on 14/6; one due 9/12 covers the year cut off
    on 14/12)."""
    kind: PeriodFrequency = frequency  # type: ignore[assignment]
    containing = period_containing(kind, due)
    before = previous_period(containing)
    return min(
        (containing, before),
        key=lambda p: abs((due - p.ends_on).days),
    )


@dataclass(frozen=True, slots=True)
class DerivedFrequency:
    """What a task's deadline words say about a reporting duty."""

    frequency: str
    due_offset_days: int | None  # None: the words give no day
    also_on_demand: bool


def frequency_from_schedule(
    *, kind: str, rrule: str, due: date | None, on_demand: bool
) -> DerivedFrequency | None:
    """Read a reporting task's stored schedule: "định kỳ trước ngày 10/12 hằng năm hoặc khi có
    yêu cầu đột xuất" (recurring, every 9 December, also on demand) is annual, due five days
    before the annual cut-off (14/12), also on demand. None when the words say nothing usable
    (the caller asks a person; nothing is guessed)."""
    if kind == "on_demand":
        return DerivedFrequency("on_demand", None, True)
    if kind == "continuous":
        return DerivedFrequency("annual", None, on_demand)
    if kind != "recurring" or not rrule:
        return DerivedFrequency("on_demand", None, True) if on_demand else None
    rule = read_rule(rrule)
    if rule is None or rule.frequency == "daily":
        return None
    if rule.frequency == "yearly" and len(rule.months) != 1:
        return None
    frequency = "annual" if rule.frequency == "yearly" else rule.frequency
    offset = None
    if due is not None:
        offset = (due - period_for_due(frequency, due).ends_on).days
    return DerivedFrequency(frequency, offset, on_demand)
