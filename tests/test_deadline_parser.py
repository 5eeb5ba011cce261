"""Reading Vietnamese deadline words into schedules (tasks.deadlines).

Plain tests: no database and no Django import, so they run with or without pytest-django.
"""

from __future__ import annotations

import ast
import calendar
import csv
import dataclasses
import itertools
import json
import sys
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.deadlines import MAX_TEXT_CHARS, Schedule, parse_deadline
from tests.fuzzing import PARSER_EXAMPLES

EXAMPLES = Path(__file__).parent / "data" / "deadline_examples.tsv"
MODULE = Path(__file__).resolve().parent.parent / "tasks" / "deadlines.py"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# No timed assertions: hypothesis must not fail a slow example on a busy machine.
FUZZ = settings(
    deadline=None, max_examples=PARSER_EXAMPLES, suppress_health_check=[HealthCheck.too_slow]
)
PROPERTY = settings(deadline=None, max_examples=200)


def _read_examples() -> list[tuple[str, date, str, str | None, list[str]]]:
    with EXAMPLES.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            (
                row["phrase"],
                date.fromisoformat(row["issued_on"]),
                row["kind"],
                row["due"] or None,
                [d for d in row["next"].split(",") if d],
            )
            for row in rows
        ]


def _reading(schedule: Schedule) -> Schedule:
    """The schedule without its text, to compare two spellings of the same deadline."""
    return dataclasses.replace(schedule, text="")


def _quarter_end(year: int, quarter: int) -> date:
    return date(year, 3 * quarter, calendar.monthrange(year, 3 * quarter)[1])


# --------------------------------------------------------------------------------------------
# The worked examples
# --------------------------------------------------------------------------------------------

EXAMPLE_ROWS = _read_examples()


def test_the_worked_examples_file_is_not_empty() -> None:
    assert len(EXAMPLE_ROWS) >= 25


@pytest.mark.parametrize(
    ("phrase", "issued_on", "kind", "due", "upcoming"),
    EXAMPLE_ROWS,
    ids=[row[0] for row in EXAMPLE_ROWS],
)
def test_every_worked_example_is_reproduced(
    phrase: str, issued_on: date, kind: str, due: str | None, upcoming: list[str]
) -> None:
    result = parse_deadline(phrase, issued_on).as_json(issued_on)
    assert result == {
        "text": phrase,
        "kind": kind,
        "due": due,
        "next": upcoming,
        "on_demand": "yêu cầu" in phrase or "đột xuất" in phrase,
    }


# --------------------------------------------------------------------------------------------
# Real text, as plans write it
# --------------------------------------------------------------------------------------------

AUG_23 = date(2023, 8, 23)

VARIANTS: list[tuple[str, date, str, date | None]] = [
    # quarters
    ("Hoàn thành trong quý III/2023", AUG_23, "once", date(2023, 9, 30)),
    ("HOÀN THÀNH TRONG QUÝ III/2023", AUG_23, "once", date(2023, 9, 30)),
    ("hoan thanh trong quy III/2023", AUG_23, "once", date(2023, 9, 30)),
    ("quí 3/2023", AUG_23, "once", date(2023, 9, 30)),
    ("Quý III năm 2023", AUG_23, "once", date(2023, 9, 30)),
    ("quý III, năm 2023", AUG_23, "once", date(2023, 9, 30)),
    ("quý 3 - 2023", AUG_23, "once", date(2023, 9, 30)),
    ("quý III – 2023", AUG_23, "once", date(2023, 9, 30)),
    ("quý III.2023", AUG_23, "once", date(2023, 9, 30)),
    ("quý hai năm 2024", AUG_23, "once", date(2024, 6, 30)),
    ("quý I/2024", AUG_23, "once", date(2024, 3, 31)),
    ("trước quý IV/2023", AUG_23, "once", date(2023, 9, 30)),
    (
        "Giao Ban Tuyên giáo Huyện ủy chủ trì, phối hợp Ủy ban nhân dân huyện; "
        "hoàn thành trong quý III-2023.",
        AUG_23,
        "once",
        date(2023, 9, 30),
    ),
    ("Thời gian hoàn thành: Quý IV/2023.", AUG_23, "once", date(2023, 12, 31)),
    # months, years, parts of a year
    ("Thời gian hoàn thành: Trong tháng 7/2024.", AUG_23, "once", date(2024, 7, 31)),
    ("tháng 02/2024", AUG_23, "once", date(2024, 2, 29)),
    ("tháng 2-2023", AUG_23, "once", date(2023, 2, 28)),
    ("trước tháng 7/2024", AUG_23, "once", date(2024, 6, 30)),
    ("cuối năm 2024", AUG_23, "once", date(2024, 12, 31)),
    ("trước năm 2025", AUG_23, "once", date(2024, 12, 31)),
    ("6 tháng cuối năm 2024", AUG_23, "once", date(2024, 12, 31)),
    ("06 tháng đầu năm 2024", AUG_23, "once", date(2024, 6, 30)),
    ("9 tháng đầu năm 2024", AUG_23, "once", date(2024, 9, 30)),
    ("nửa cuối năm 2024", AUG_23, "once", date(2024, 12, 31)),
    ("6 tháng cuối năm", AUG_23, "once", date(2023, 12, 31)),
    ("6 tháng đầu năm", AUG_23, "once", date(2024, 6, 30)),
    # days
    ("ngày 30 tháng 9 năm 2023", AUG_23, "once", date(2023, 9, 30)),
    ("Ngày 30-9-2023", AUG_23, "once", date(2023, 9, 30)),
    ("đến ngày 30.9.2023", AUG_23, "once", date(2023, 9, 30)),
    ("đến hết ngày 30/9/2023", AUG_23, "once", date(2023, 9, 30)),
    ("trước ngày 01/01/2024", AUG_23, "once", date(2023, 12, 31)),
    ("trước ngày 1/3/2024", AUG_23, "once", date(2024, 2, 29)),
    ("chậm nhất là ngày 05 tháng 3 năm 2024", AUG_23, "once", date(2024, 3, 5)),
    ("trước 30/6", AUG_23, "once", date(2024, 6, 29)),
    ("trước ngày 15 tháng 9", AUG_23, "once", date(2023, 9, 14)),
    ("trước ngày 24/8", AUG_23, "once", date(2023, 8, 23)),
    ("trước ngày 23/8", AUG_23, "once", date(2024, 8, 22)),
    ("ngày 29/2", AUG_23, "once", date(2024, 2, 29)),
    ("từ ngày 01/10/2023 đến ngày 31/12/2023", AUG_23, "once", date(2023, 12, 31)),
    ("từ tháng 9 đến tháng 10/2023", AUG_23, "once", date(2023, 10, 31)),
    # relative to the issue date
    ("trong vòng 30 ngày kể từ ngày ban hành", AUG_23, "once", date(2023, 9, 22)),
    ("sau 30 ngày kể từ ngày ký", AUG_23, "once", date(2023, 9, 22)),
    ("trong thời hạn 15 ngày, kể từ ngày ký ban hành", AUG_23, "once", date(2023, 9, 7)),
    ("trong vòng 02 tuần kể từ ngày ký", AUG_23, "once", date(2023, 9, 6)),
    (
        "trong vòng 3 tháng kể từ ngày Kế hoạch này được ban hành",
        AUG_23,
        "once",
        date(2023, 11, 23),
    ),
    # recurring
    ("trước ngày 10/12 hàng năm", AUG_23, "recurring", date(2023, 12, 9)),
    ("trước 15/12 hằng năm", AUG_23, "recurring", date(2023, 12, 14)),
    ("ngày 15/6 và ngày 15/12 hằng năm", AUG_23, "recurring", date(2023, 12, 15)),
    ("quý II và quý IV hằng năm", AUG_23, "recurring", date(2023, 12, 31)),
    ("tháng 12 hằng năm", AUG_23, "recurring", date(2023, 12, 31)),
    ("tháng 2 hằng năm", AUG_23, "recurring", date(2024, 2, 29)),
    ("trước ngày 1/3 hằng năm", AUG_23, "recurring", date(2024, 2, 29)),
    ("HẰNG NĂM", AUG_23, "recurring", date(2023, 12, 31)),
    ("mỗi năm", AUG_23, "recurring", date(2023, 12, 31)),
    ("báo cáo thường niên", AUG_23, "recurring", date(2023, 12, 31)),
    ("Hàng Quý", AUG_23, "recurring", date(2023, 9, 30)),
    ("mỗi quý một lần", AUG_23, "recurring", date(2023, 9, 30)),
    ("6 tháng một lần", AUG_23, "recurring", date(2023, 12, 31)),
    ("06 tháng/lần", AUG_23, "recurring", date(2023, 12, 31)),
    ("định kỳ 3 tháng", AUG_23, "recurring", date(2023, 9, 30)),
    ("định kỳ 6 tháng, hằng năm", AUG_23, "recurring", date(2023, 12, 31)),
    ("hàng tháng", AUG_23, "recurring", date(2023, 8, 31)),
    ("trước ngày 25 hằng tháng", AUG_23, "recurring", date(2023, 8, 24)),
    ("ngày 20 hằng tháng", AUG_23, "recurring", date(2023, 9, 20)),
    ("trước ngày 15 tháng cuối hằng quý", AUG_23, "recurring", date(2023, 9, 14)),
    ("hằng ngày", AUG_23, "recurring", AUG_23),
    ("hằng năm định kỳ tổ chức sơ kết", AUG_23, "recurring", date(2023, 12, 31)),
    ("hằng năm đến năm 2030", AUG_23, "recurring", date(2023, 12, 31)),
    # continuous, horizon, on demand
    ("thuong xuyen", AUG_23, "continuous", None),
    ("thường xuyên, liên tục", AUG_23, "continuous", None),
    ("thường xuyên, định kỳ báo cáo", AUG_23, "continuous", None),
    ("thường xuyên đến năm 2030", AUG_23, "continuous", None),
    ("thường xuyên; khi có yêu cầu", AUG_23, "continuous", None),
    ("Đến năm 2030, tầm nhìn đến năm 2045", AUG_23, "horizon", date(2030, 12, 31)),
    ("từ năm 2026 đến năm 2030", AUG_23, "horizon", date(2030, 12, 31)),
    ("giai đoạn 2026 – 2030", AUG_23, "horizon", date(2030, 12, 31)),
    ("tầm nhìn 2045", AUG_23, "horizon", date(2045, 12, 31)),
    ("Đến hết năm 2025", AUG_23, "horizon", date(2025, 12, 31)),
    ("đột xuất", AUG_23, "on_demand", None),
    ("theo yêu cầu của cấp trên", AUG_23, "on_demand", None),
    ("khi được yêu cầu", AUG_23, "on_demand", None),
    # cited documents are not deadlines
    (
        "Thực hiện Kế hoạch số 275-KH/TU, ngày 26/7/2023 của Ban Thường vụ Thành ủy; "
        "hoàn thành trong quý IV/2023",
        AUG_23,
        "once",
        date(2023, 12, 31),
    ),
    ("Chỉ thị số 21- CT/TW, ngày 04/5/2023; thường xuyên", AUG_23, "continuous", None),
    ("Nghị định 15/2019/NĐ-CP; trong năm 2025", AUG_23, "once", date(2025, 12, 31)),
    ("Luật số 74/2014/QH13; trong năm 2025", AUG_23, "once", date(2025, 12, 31)),
    (
        "Luật số 74/2014/QH13, ngày 27/11/2014 của Quốc hội; trong năm 2025",
        AUG_23,
        "once",
        date(2025, 12, 31),
    ),
    ("Nghị định 15/2019/NĐ-CP ngày 01/02/2019; thường xuyên", AUG_23, "continuous", None),
    # cannot be read: kept for a person
    ("", AUG_23, "unparsed", None),
    ("   ", AUG_23, "unparsed", None),
    ("quý V/2024", AUG_23, "unparsed", None),
    ("quý 0/2024", AUG_23, "unparsed", None),
    ("ngày 31/2/2024", AUG_23, "unparsed", None),
    ("trước ngày 31/4", AUG_23, "unparsed", None),
    ("tháng 13/2024", AUG_23, "unparsed", None),
    ("năm 20233", AUG_23, "unparsed", None),
    ("ngày 30/9/23", AUG_23, "unparsed", None),
    ("ngày 15", AUG_23, "unparsed", None),
    ("10/12 hằng năm", AUG_23, "unparsed", None),
    ("sau ngày 30/9/2023", AUG_23, "unparsed", None),
    ("Kể từ ngày 1/10/2023", AUG_23, "unparsed", None),
    ("đầu năm 2024", AUG_23, "unparsed", None),
    ("giữa quý III/2023", AUG_23, "unparsed", None),
    ("năm học 2023-2024", AUG_23, "unparsed", None),
    ("giai đoạn 2030-2026", AUG_23, "unparsed", None),
    ("quý I, II/2024", AUG_23, "unparsed", None),
    ("quý III và quý IV năm 2023", AUG_23, "unparsed", None),
    ("tháng sáu hằng năm", AUG_23, "unparsed", None),
    ("hằng tuần", AUG_23, "unparsed", None),
    ("định kỳ 5 tháng", AUG_23, "unparsed", None),
    ("định kỳ báo cáo", AUG_23, "unparsed", None),
    ("định kỳ trước ngày 10/12", AUG_23, "unparsed", None),
    ("sơ kết 6 tháng, tổng kết năm", AUG_23, "unparsed", None),
    ("hằng năm đến năm 2020", AUG_23, "unparsed", None),
    ("trong vòng 15 ngày làm việc kể từ ngày ban hành", AUG_23, "unparsed", None),
    ("trong 15 ngày kể từ khi nhận được văn bản", AUG_23, "unparsed", None),
    ("Hoàn thành trước ngày 30/9/2023 hoặc tùy tình hình", AUG_23, "unparsed", None),
    ("Khi có điều kiện", AUG_23, "unparsed", None),
    ("Thanh Thủy, ngày tháng năm 2026", AUG_23, "unparsed", None),
    ("ngày ... tháng ... năm 2026", AUG_23, "unparsed", None),
    ("30 tháng 3", AUG_23, "unparsed", None),
    ("Hoàn thành 3 quý 1", AUG_23, "unparsed", None),
    ("29/2 tháng một lần", AUG_23, "unparsed", None),
]


@pytest.mark.parametrize(
    ("phrase", "issued_on", "kind", "due"), VARIANTS, ids=[v[0] or "<empty>" for v in VARIANTS]
)
def test_real_text_variants_are_read_as_the_domain_rules_say(
    phrase: str, issued_on: date, kind: str, due: date | None
) -> None:
    schedule = parse_deadline(phrase, issued_on)
    assert (schedule.kind, schedule.due) == (kind, due)
    assert schedule.text == phrase


def test_before_a_day_means_the_day_before() -> None:
    assert parse_deadline("trước ngày 30/9/2023").due == date(2023, 9, 29)
    assert parse_deadline("ngày 30/9/2023").due == date(2023, 9, 30)
    assert parse_deadline("trước ngày 10/12 hằng năm", AUG_23).rrule == (
        "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9"
    )


def test_a_quarter_is_due_on_its_last_day() -> None:
    dues = [parse_deadline(f"quý {ROMAN[q]}/2024").due for q in range(1, 5)]
    assert dues == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]


def test_a_date_without_a_year_takes_the_first_such_day_on_or_after_the_issue_date() -> None:
    assert parse_deadline("ngày 30/6", date(2024, 6, 30)).due == date(2024, 6, 30)
    assert parse_deadline("ngày 30/6", date(2024, 7, 1)).due == date(2025, 6, 30)
    # The due day is what must not lie before the issue date: 29/6/2024 has passed on 30/6.
    assert parse_deadline("trước ngày 30/6", date(2024, 6, 30)).due == date(2025, 6, 29)


def test_a_date_without_a_year_and_no_issue_date_is_unparsed() -> None:
    for phrase in ("trước 30/6", "tháng 7", "quý III", "6 tháng đầu năm"):
        assert parse_deadline(phrase).kind == "unparsed", phrase


def test_a_relative_deadline_without_an_issue_date_is_unparsed() -> None:
    assert parse_deadline("trong vòng 30 ngày kể từ ngày ban hành").kind == "unparsed"


def test_relative_days_are_counted_from_the_issue_date() -> None:
    schedule = parse_deadline("trong vòng 30 ngày kể từ ngày ban hành", date(2023, 8, 23))
    assert (schedule.kind, schedule.due, schedule.relative_days) == (
        "once",
        date(2023, 9, 22),
        30,
    )


def test_two_different_due_dates_are_unparsed_rather_than_one_picked() -> None:
    phrase = "hoàn thành trước ngày 30/9/2023; báo cáo kết quả trước ngày 15/10/2023"
    assert parse_deadline(phrase).kind == "unparsed"
    assert parse_deadline("Quý III/2023 (trước ngày 30/9/2023)").kind == "unparsed"


def test_the_same_date_written_twice_is_one_deadline() -> None:
    assert parse_deadline("quý III/2023, chậm nhất ngày 30/9/2023").due == date(2023, 9, 30)


def test_a_one_off_and_a_repeating_deadline_together_are_unparsed() -> None:
    phrase = "Hoàn thành trong quý III/2023; định kỳ hằng năm báo cáo"
    assert parse_deadline(phrase, AUG_23).kind == "unparsed"


def test_recurring_and_on_demand_stays_recurring_with_the_flag_set() -> None:
    phrase = "định kỳ trước ngày 10/12 hằng năm hoặc khi có yêu cầu đột xuất"
    schedule = parse_deadline(phrase, date(2023, 8, 10))
    assert (schedule.kind, schedule.on_demand) == ("recurring", True)
    assert schedule.as_json(date(2023, 8, 10))["on_demand"] is True


def test_only_on_demand_is_its_own_kind() -> None:
    schedule = parse_deadline("khi có yêu cầu")
    assert (schedule.kind, schedule.on_demand, schedule.due) == ("on_demand", True, None)


def test_recurring_rules_are_written_without_depending_on_dtstart() -> None:
    rules = {
        phrase: parse_deadline(phrase, AUG_23).rrule
        for phrase in (
            "hằng năm",
            "quý IV hằng năm",
            "hằng quý",
            "định kỳ 6 tháng",
            "hằng tháng",
            "trước ngày 25 hằng tháng",
            "hằng ngày",
        )
    }
    assert rules == {
        "hằng năm": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1",
        "quý IV hằng năm": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1",
        "hằng quý": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
        "định kỳ 6 tháng": "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1",
        "hằng tháng": "FREQ=MONTHLY;BYMONTHDAY=-1",
        "trước ngày 25 hằng tháng": "FREQ=MONTHLY;BYMONTHDAY=24",
        "hằng ngày": "FREQ=DAILY",
    }


def test_a_horizon_ends_a_recurring_schedule() -> None:
    schedule = parse_deadline("hằng năm đến năm 2025", AUG_23)
    assert schedule.rrule == "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=-1;UNTIL=20251231"
    assert schedule.horizon_year == 2025
    assert schedule.occurrences(AUG_23, count=10) == [
        date(2023, 12, 31),
        date(2024, 12, 31),
        date(2025, 12, 31),
    ]


def test_a_horizon_is_a_target_date_not_a_task_deadline() -> None:
    schedule = parse_deadline("giai đoạn 2026-2030", date(2026, 5, 4))
    assert (schedule.kind, schedule.due, schedule.horizon_year) == (
        "horizon",
        date(2030, 12, 31),
        2030,
    )
    assert schedule.occurrences(date(2026, 1, 1), count=3) == []


def test_a_continuous_task_keeps_its_horizon_year() -> None:
    schedule = parse_deadline("thường xuyên đến năm 2030")
    assert (schedule.kind, schedule.due, schedule.horizon_year) == ("continuous", None, 2030)


def test_the_words_are_kept_exactly_as_given() -> None:
    phrase = "  Hoa\u0300n tha\u0300nh trong QUÝ III/2023 \x00\n"
    assert parse_deadline(phrase).text == phrase
    assert parse_deadline(phrase).due == date(2023, 9, 30)


def test_text_longer_than_the_limit_is_unparsed_and_kept() -> None:
    phrase = "quý III/2023 " + "x" * 10_000
    schedule = parse_deadline(phrase)
    assert (schedule.kind, schedule.text) == ("unparsed", phrase)


def test_a_long_task_paragraph_under_the_limit_is_still_read() -> None:
    filler = "Giao Ban Tuyên giáo Quận ủy chủ trì, phối hợp Ủy ban nhân dân quận thực hiện. "
    phrase = filler * ((MAX_TEXT_CHARS - 40) // len(filler)) + "Hoàn thành trong quý III/2023."
    assert len(phrase) <= MAX_TEXT_CHARS
    assert parse_deadline(phrase).due == date(2023, 9, 30)


def test_a_text_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError):
        parse_deadline(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Occurrences and the JSON summary
# --------------------------------------------------------------------------------------------


def test_quarter_ends_fall_on_the_last_day_of_each_quarter_month() -> None:
    schedule = parse_deadline("hằng quý", date(2023, 11, 15))
    assert schedule.occurrences(date(2023, 11, 15), count=5) == [
        date(2023, 12, 31),
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
    ]


def test_month_ends_follow_february_and_leap_years() -> None:
    schedule = parse_deadline("hằng tháng", date(2024, 1, 31))
    assert schedule.occurrences(date(2024, 1, 31), until=date(2024, 4, 30)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]
    assert parse_deadline("hằng tháng").occurrences(date(2023, 2, 1), count=1) == [
        date(2023, 2, 28)
    ]


def test_the_twenty_ninth_of_february_waits_for_a_leap_year() -> None:
    schedule = parse_deadline("ngày 29/2 hằng năm", date(2025, 1, 1))
    assert schedule.due == date(2028, 2, 29)
    assert schedule.occurrences(date(2025, 1, 1), count=2) == [
        date(2028, 2, 29),
        date(2032, 2, 29),
    ]


def test_occurrences_are_bounded_by_until_and_count() -> None:
    schedule = parse_deadline("hằng năm")
    start = date(2024, 1, 1)
    assert schedule.occurrences(start, until=date(2025, 12, 30)) == [date(2024, 12, 31)]
    assert schedule.occurrences(start, until=date(2030, 1, 1), count=2) == [
        date(2024, 12, 31),
        date(2025, 12, 31),
    ]
    assert schedule.occurrences(start, count=0) == []


def test_open_ended_occurrences_need_a_bound() -> None:
    with pytest.raises(ValueError, match="until or count"):
        parse_deadline("hằng năm").occurrences(date(2024, 1, 1))


def test_a_once_schedule_occurs_once_if_in_range() -> None:
    schedule = parse_deadline("quý III/2023")
    assert schedule.occurrences(date(2023, 1, 1)) == [date(2023, 9, 30)]
    assert schedule.occurrences(date(2023, 10, 1)) == []
    assert schedule.occurrences(date(2023, 1, 1), until=date(2023, 9, 29)) == []


def test_other_kinds_have_no_occurrences() -> None:
    for phrase in ("thường xuyên", "đến năm 2030", "khi có yêu cầu", "tùy tình hình"):
        assert parse_deadline(phrase).occurrences(date(2023, 1, 1), count=3) == [], phrase


def test_a_hand_written_rule_falls_back_to_dateutil() -> None:
    schedule = Schedule("mỗi thứ hai", "recurring", None, "FREQ=WEEKLY;BYDAY=MO")
    assert schedule.occurrences(date(2024, 1, 3), count=2) == [date(2024, 1, 8), date(2024, 1, 15)]


def test_as_json_gives_iso_dates_and_the_next_three_occurrences() -> None:
    issued = date(2023, 8, 23)
    assert parse_deadline("hằng quý", issued).as_json(issued) == {
        "text": "hằng quý",
        "kind": "recurring",
        "due": "2023-09-30",
        "next": ["2023-09-30", "2023-12-31", "2024-03-31"],
        "on_demand": False,
    }
    assert parse_deadline("tầm nhìn đến năm 2045").as_json(None) == {
        "text": "tầm nhìn đến năm 2045",
        "kind": "horizon",
        "due": "2045-12-31",
        "next": [],
        "on_demand": False,
    }


def test_as_json_anchors_a_recurring_schedule_on_the_date_it_is_given() -> None:
    schedule = parse_deadline("hằng năm")
    assert schedule.due is None
    assert schedule.as_json(None)["next"] == []
    assert schedule.as_json(date(2024, 1, 1))["next"] == ["2024-12-31", "2025-12-31", "2026-12-31"]
    assert schedule.as_json(date(2024, 1, 1))["due"] == "2024-12-31"


def test_the_parser_imports_nothing_but_the_standard_library_and_dateutil() -> None:
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    }
    assert imported <= set(sys.stdlib_module_names) | {"dateutil"}, imported


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

VOCABULARY = (
    "quý", "III", "IV", "V", "3", "/", "-", ".", ",", ";", "năm", "tháng", "ngày", "trước",
    "sau", "từ", "đến", "hết", "hằng", "hàng", "mỗi", "định kỳ", "thường xuyên", "khi có yêu cầu",
    "đột xuất", "giai đoạn", "tầm nhìn", "6 tháng", "đầu", "cuối", "một lần", "kể từ ngày ban hành",
    "trong vòng", "30", "12", "31", "2", "29", "2023", "2024", "2030", "20233", "Kế hoạch số",
    "275-KH/TU", "%", "Hoàn thành", "tùy tình hình", "\u0300", "\x00", "–",
)  # fmt: skip
ISSUE_DATES = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date.max))
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=200),
    st.lists(st.sampled_from(VOCABULARY), max_size=25).map(" ".join),
    st.lists(st.sampled_from(VOCABULARY), max_size=25).map("".join),
    st.binary(max_size=200).map(lambda raw: raw.decode("utf-8", "surrogateescape")),
)


@FUZZ
@given(text=ANY_TEXT, issued_on=ISSUE_DATES)
def test_no_text_crashes_the_parser_and_every_result_is_coherent(
    text: str, issued_on: date | None
) -> None:
    schedule = parse_deadline(text, issued_on)
    assert schedule.text == text
    assert schedule.kind in {"once", "recurring", "continuous", "horizon", "on_demand", "unparsed"}
    if schedule.kind == "once":
        assert isinstance(schedule.due, date)
    if schedule.kind == "horizon":
        assert schedule.due == date(schedule.horizon_year or 0, 12, 31)
    if schedule.kind == "recurring":
        assert schedule.rrule
        if issued_on is not None:
            assert schedule.occurrences(issued_on, count=1) == [schedule.due]
    if schedule.kind in ("continuous", "on_demand", "unparsed"):
        assert schedule.due is None
    json.dumps(schedule.as_json(issued_on))


@FUZZ
@given(
    text=st.text(st.sampled_from("0123456789/-. quýnămtháng"), min_size=0, max_size=200)
    | st.just("ngày 1/1/" + "1" * 5000),
    issued_on=ISSUE_DATES,
)
def test_digit_heavy_text_never_crashes_the_parser(text: str, issued_on: date | None) -> None:
    assert parse_deadline(text, issued_on).text == text


LEADS = st.sampled_from(["", "Hoàn thành ", "chậm nhất ", "Thời gian hoàn thành: ", "đến "])
SEPARATORS = st.sampled_from(["/", "-", ".", " / ", " - "])
DATES = st.dates(min_value=date(1900, 1, 2), max_value=date(2199, 12, 31))


@PROPERTY
@given(day=DATES, sep=SEPARATORS, lead=LEADS, zero_pad=st.booleans())
def test_a_written_date_is_due_that_day_and_before_it_means_the_day_before(
    day: date, sep: str, lead: str, zero_pad: bool
) -> None:
    width = 2 if zero_pad else 1
    written = f"{day.day:0{width}d}{sep}{day.month:0{width}d}{sep}{day.year}"
    on_the_day = parse_deadline(f"{lead}ngày {written}")
    assert (on_the_day.kind, on_the_day.due) == ("once", day)
    assert isinstance(on_the_day.due, date)
    assert parse_deadline(f"trước ngày {written}").due == day - timedelta(days=1)
    in_words = parse_deadline(f"ngày {day.day} tháng {day.month} năm {day.year}")
    assert _reading(in_words) == _reading(on_the_day)


@PROPERTY
@given(day=DATES, seps=st.tuples(SEPARATORS, SEPARATORS))
def test_the_date_separator_does_not_change_the_reading(day: date, seps: tuple[str, str]) -> None:
    first, second = (
        parse_deadline(f"trước ngày {day.day}{sep}{day.month}{sep}{day.year}") for sep in seps
    )
    assert _reading(first) == _reading(second)


@PROPERTY
@given(
    quarter=st.integers(1, 4),
    year=st.integers(1900, 2199),
    sep=st.sampled_from(["/", "-", ".", " năm ", " - ", ", năm "]),
    lead=LEADS,
)
def test_roman_and_arabic_quarters_read_the_same(
    quarter: int, year: int, sep: str, lead: str
) -> None:
    roman = parse_deadline(f"{lead}quý {ROMAN[quarter]}{sep}{year}")
    arabic = parse_deadline(f"{lead}Quý {quarter}{sep}{year}")
    assert _reading(roman) == _reading(arabic)
    assert (roman.kind, roman.due) == ("once", _quarter_end(year, quarter))


@PROPERTY
@given(month=st.integers(1, 12), year=st.integers(1900, 2199), sep=SEPARATORS)
def test_a_month_is_due_on_its_last_day(month: int, year: int, sep: str) -> None:
    schedule = parse_deadline(f"Trong tháng {month}{sep}{year}")
    assert schedule.due == date(year, month, calendar.monthrange(year, month)[1])


PHRASES = st.sampled_from(
    [row[0] for row in EXAMPLE_ROWS] + [v[0] for v in VARIANTS if v[2] != "unparsed"]
)


@PROPERTY
@given(phrase=PHRASES, issued_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_case_spacing_and_unicode_form_do_not_change_the_reading(
    phrase: str, issued_on: date
) -> None:
    reading = _reading(parse_deadline(phrase, issued_on))
    for variant in (
        phrase.upper(),
        phrase.lower(),
        phrase.title(),
        unicodedata.normalize("NFD", phrase),
        unicodedata.normalize("NFC", phrase),
        unicodedata.normalize("NFD", phrase.upper()),
        phrase.replace(" ", "  "),
        phrase.replace(" ", "\u00a0"),
        phrase.replace(" ", "\n\t"),
    ):
        assert _reading(parse_deadline(variant, issued_on)) == reading, variant


@PROPERTY
@given(
    days=st.integers(0, 3650),
    unit=st.sampled_from(["ngày", "tuần"]),
    issued_on=st.dates(min_value=date(1900, 1, 1), max_value=date(2150, 1, 1)),
)
def test_a_relative_deadline_counts_from_the_issue_date(
    days: int, unit: str, issued_on: date
) -> None:
    schedule = parse_deadline(f"trong vòng {days} {unit} kể từ ngày ban hành", issued_on)
    expected_days = days * 7 if unit == "tuần" else days
    assert (schedule.kind, schedule.due, schedule.relative_days) == (
        "once",
        issued_on + timedelta(days=expected_days),
        expected_days,
    )


RECURRING = st.one_of(
    st.sampled_from(
        ["hằng năm", "hằng quý", "hằng tháng", "định kỳ 6 tháng", "hằng ngày", "6 tháng một lần"]
    ),
    st.builds("trước ngày {}/{} hằng năm".format, st.integers(1, 28), st.integers(1, 12)),
    st.builds("ngày {}/{} hằng năm".format, st.integers(1, 31), st.sampled_from([1, 3, 12])),
    st.builds("quý {} hằng năm".format, st.sampled_from(list(ROMAN.values()))),
    st.builds("tháng {} hằng năm".format, st.integers(1, 12)),
    st.builds("trước ngày {} hằng tháng".format, st.integers(1, 31)),
    st.builds("ngày {} hằng tháng".format, st.integers(1, 31)),
)


@PROPERTY
@given(
    phrase=RECURRING,
    issued_on=st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 1, 1)),
)
def test_recurring_occurrences_strictly_increase_and_agree_with_dateutil(
    phrase: str, issued_on: date
) -> None:
    schedule = parse_deadline(phrase, issued_on)
    assert schedule.kind == "recurring"
    assert schedule.rrule is not None
    occurrences = schedule.occurrences(issued_on, count=30)
    assert len(occurrences) == 30
    assert all(a < b for a, b in itertools.pairwise(occurrences))
    assert occurrences[0] >= issued_on
    assert occurrences[0] == schedule.due
    rule = rrulestr(schedule.rrule, dtstart=datetime.combine(issued_on, time()))
    assert [moment.date() for moment in rule[:30]] == occurrences
