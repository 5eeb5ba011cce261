"""Reporting periods and data cut-offs follow Nghị định 09/2019/NĐ-CP."""

import datetime

import pytest

from reports.periods import period, period_containing

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "year", "index", "starts", "ends"),
    [
        ("annual", 2025, 1, D(2024, 12, 15), D(2025, 12, 14)),
        ("half_yearly", 2025, 1, D(2024, 12, 15), D(2025, 6, 14)),
        ("half_yearly", 2025, 2, D(2025, 6, 15), D(2025, 12, 14)),
        ("nine_months", 2025, 1, D(2024, 12, 15), D(2025, 9, 14)),
        ("quarterly", 2025, 1, D(2024, 12, 15), D(2025, 3, 14)),
        ("quarterly", 2025, 3, D(2025, 6, 15), D(2025, 9, 14)),
        ("monthly", 2025, 1, D(2024, 12, 15), D(2025, 1, 14)),
        ("monthly", 2025, 7, D(2025, 6, 15), D(2025, 7, 14)),
    ],
)
def test_each_period_has_its_legal_cut_off(frequency, year, index, starts, ends):
    p = period(frequency, year, index)
    assert (p.starts_on, p.ends_on) == (starts, ends)


def test_the_day_after_the_annual_cut_off_belongs_to_next_year():
    assert period_containing("annual", D(2025, 12, 15)).key == "2026"
    assert period_containing("annual", D(2025, 12, 14)).key == "2025"


def test_quarters_and_halves_are_found_from_a_day():
    assert period_containing("quarterly", D(2025, 6, 15)).key == "2025-Q3"
    assert period_containing("quarterly", D(2025, 12, 20)).key == "2026-Q1"
    assert period_containing("half_yearly", D(2025, 7, 1)).key == "2025-H2"
    assert period_containing("monthly", D(2025, 12, 15)).key == "2026-M01"


def test_an_impossible_period_is_refused():
    with pytest.raises(ValueError):
        period("quarterly", 2025, 5)
