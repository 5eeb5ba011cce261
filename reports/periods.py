"""Reporting periods and their data cut-offs (Nghị định 09/2019/NĐ-CP).

Monthly: 15th of the previous month → 14th. Quarterly: 15th of the month before the quarter →
14th of its last month. First half-year: 15/12 of the previous year → 14/6; second: 15/6 →
14/12. Nine months: 15/12 → 14/9. Annual: 15/12 of the previous year → 14/12.
The rules: docs/reporting.md, "Data cut-off".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Frequency = Literal["monthly", "quarterly", "half_yearly", "nine_months", "annual"]


@dataclass(frozen=True, slots=True)
class Period:
    """One reporting period: what it is called and the days its figures cover."""

    frequency: Frequency
    year: int
    index: int  # month 1–12, quarter 1–4, half 1–2; 1 for nine months and annual
    starts_on: date
    ends_on: date

    @property
    def key(self) -> str:
        """A stable, sortable key: ``2025``, ``2025-H1``, ``2025-Q3``, ``2025-M07``, ``2025-9M``."""
        match self.frequency:
            case "annual":
                return f"{self.year}"
            case "half_yearly":
                return f"{self.year}-H{self.index}"
            case "quarterly":
                return f"{self.year}-Q{self.index}"
            case "nine_months":
                return f"{self.year}-9M"
            case _:
                return f"{self.year}-M{self.index:02d}"


def _the_15th_before(year: int, month: int) -> date:
    """The 15th of the month before ``month`` of ``year``."""
    return date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)


def period(frequency: Frequency, year: int, index: int = 1) -> Period:
    """The period ``index`` of ``year`` for ``frequency``, with its cut-off dates."""
    match frequency:
        case "annual":
            return Period(frequency, year, 1, date(year - 1, 12, 15), date(year, 12, 14))
        case "nine_months":
            return Period(frequency, year, 1, date(year - 1, 12, 15), date(year, 9, 14))
        case "half_yearly":
            if index == 1:
                return Period(frequency, year, 1, date(year - 1, 12, 15), date(year, 6, 14))
            if index == 2:
                return Period(frequency, year, 2, date(year, 6, 15), date(year, 12, 14))
        case "quarterly" if 1 <= index <= 4:
            first_month = 3 * index - 2
            return Period(
                frequency,
                year,
                index,
                _the_15th_before(year, first_month),
                date(year, 3 * index, 14),
            )
        case "monthly" if 1 <= index <= 12:
            return Period(
                frequency, year, index, _the_15th_before(year, index), date(year, index, 14)
            )
    raise ValueError(f"No {frequency} period {index} in {year}.")


def period_containing(frequency: Frequency, day: date) -> Period:
    """The period of ``frequency`` whose cut-off window contains ``day``."""
    year = day.year + 1 if (day.month, day.day) >= (12, 15) else day.year
    match frequency:
        case "annual" | "nine_months":
            return period(frequency, year)
        case "half_yearly":
            half = 2 if (6, 15) <= (day.month, day.day) < (12, 15) else 1
            return period(frequency, year, half)
        case "quarterly":
            month = day.month + 1 if day.day >= 15 else day.month
            month = 1 if month == 13 else month
            return period(frequency, year, (month - 1) // 3 + 1)
        case _:
            month = day.month + 1 if day.day >= 15 else day.month
            return period(frequency, year, 1 if month == 13 else month)
