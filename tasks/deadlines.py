"""Read the deadline words of a plan ("thời hạn") into a schedule.

Plans write deadlines in words: "Hoàn thành trong quý III/2023", "trước ngày 10/12 hằng năm",
"thường xuyên", "giai đoạn 2026-2030", "khi có yêu cầu". The product keeps those words exactly and
derives a schedule from them; :func:`parse_deadline` does the deriving. The rule for a derived due
date is the last day on which the work is still on time, so "trước ngày 30/9/2023" is due on
29/9/2023 and "quý III/2023" on 30/9/2023 (docs/deadlines.md, "The due date").

What cannot be read is returned as kind ``"unparsed"`` with the words kept, for a person to read:
the parser never guesses. In particular a text that names two different due dates, a date that
does not exist (31/2/2024, quý V), a date-like fragment it cannot place ("ngày 30/9/23", "15 ngày
kể từ khi nhận"), a yearless date with no issue date to anchor it, or a text longer than
:data:`MAX_TEXT_CHARS` all come back unparsed.

How: the text is folded to lower-case ASCII (NFKD, diacritics dropped), then a table of small
patterns (``_RULES``) runs over it in order; each match becomes a finding and is masked so no
later pattern reads it again. Patterns at the end reject whatever still looks like a date.
``_resolve`` then combines the findings, or gives up when they disagree.

This module is pure Python (stdlib and python-dateutil) so it can run anywhere: in a migration, a
Celery worker, a management command or a benchmark.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, Literal, NamedTuple

__all__ = [
    "CONTINUOUS_RULE",
    "MAX_TEXT_CHARS",
    "PERIOD_END_RULES",
    "Kind",
    "Recurrence",
    "Schedule",
    "parse_deadline",
    "read_rule",
    "reporting_dates",
    "yearly_rule",
]

Kind = Literal["once", "recurring", "continuous", "horizon", "on_demand", "unparsed"]

# Task.deadline_text holds 500 characters; a whole task paragraph pasted in is still well under
# this. Longer input is not read at all: reading only part of it could miss a second, conflicting
# date, and that would be a guess.
MAX_TEXT_CHARS: Final = 2000

# Years outside this window are typos ("năm 20233") or not deadlines at all.
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2199

_ONE_DAY: Final = timedelta(days=1)
_ALL_MONTHS: Final = frozenset(range(1, 13))
_MASK: Final = "\x1f"  # marks consumed text; never in folded input, never matched by \s or \w


# --------------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """A deadline as written, and the schedule derived from it.

    Attributes:
        text: the words exactly as given (not normalised).
        kind: ``once``, ``recurring``, ``continuous``, ``horizon``, ``on_demand`` or ``unparsed``.
        due: once: the due date; horizon: the target date (31/12 of its year); recurring: the
            first occurrence on or after the issue date (None without one); otherwise None.
        rrule: recurring only: an RFC 5545 RRULE value such as
            ``"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9"``. Periods are written with BYMONTH lists
            (``"FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"`` for each quarter) rather than
            INTERVAL, so the rule means the same whatever DTSTART a consumer picks. A horizon
            ("hằng năm đến năm 2030") becomes ``UNTIL``.
        on_demand: the words also (or only) ask for work on request ("khi có yêu cầu",
            "đột xuất").
        relative_days: for "trong vòng 30 ngày kể từ ngày ban hành": 30 (weeks count as 7 days;
            a relative month count leaves this None although ``due`` is set).
        horizon_year: "đến năm 2030", "giai đoạn 2026-2030": 2030. Kept beside another kind
            when the words have both ("thường xuyên đến năm 2030" is continuous, horizon 2030).
    """

    text: str
    kind: Kind
    due: date | None = None
    rrule: str | None = None
    on_demand: bool = False
    relative_days: int | None = None
    horizon_year: int | None = None

    def occurrences(
        self, start: date, until: date | None = None, count: int | None = None
    ) -> list[date]:
        """Due dates on or after ``start``, at most ``until`` and at most ``count`` of them.

        A recurring schedule lists its occurrences (its own ``UNTIL`` also bounds them); a
        once schedule gives ``[due]`` when that falls in range; every other kind gives ``[]``.

        Raises:
            ValueError: a recurring schedule without UNTIL was asked for with neither ``until``
                nor ``count``, which would never end.
        """
        if count is not None and count <= 0:
            return []
        if self.kind == "once":
            due = self.due
            if due is not None and due >= start and (until is None or due <= until):
                return [due]
            return []
        if self.kind != "recurring" or not self.rrule:
            return []
        rule = _parse_rrule(self.rrule)
        if rule is None:
            return _dateutil_occurrences(self.rrule, start, until, count)
        if rule.until is not None:
            until = rule.until if until is None else min(until, rule.until)
        if until is None and count is None:
            raise ValueError("an open-ended recurring schedule needs until or count")
        found: list[date] = []
        for day in _iter_rule(rule, start):
            if until is not None and day > until:
                break
            found.append(day)
            if count is not None and len(found) >= count:
                break
        return found

    def as_json(self, issued_on: date | None) -> dict[str, object]:
        """A JSON-ready summary: ``text``, ``kind``, ``due``, ``next`` and ``on_demand``.

        ``next`` holds the first three occurrences on or after ``issued_on`` for a recurring
        schedule (and ``due`` is the first of them); it is empty for every other kind. ``due``
        is an ISO date or None; it is None for continuous, on-demand and unparsed schedules.
        """
        due = self.due
        upcoming: list[date] = []
        if self.kind == "recurring":
            anchor = issued_on if issued_on is not None else self.due
            if anchor is not None:
                upcoming = self.occurrences(anchor, count=3)
            if issued_on is not None:
                due = upcoming[0] if upcoming else None
        elif self.kind not in ("once", "horizon"):
            due = None
        return {
            "text": self.text,
            "kind": self.kind,
            "due": due.isoformat() if due is not None else None,
            "next": [d.isoformat() for d in upcoming],
            "on_demand": self.on_demand,
        }


# --------------------------------------------------------------------------------------------
# What the patterns find
# --------------------------------------------------------------------------------------------


class _Invalid(NamedTuple):
    """Words that look like a deadline but cannot be read; the whole text becomes unparsed."""

    reason: str


class _Dated(NamedTuple):
    due: date


class _Yearless(NamedTuple):
    """A due day without a year; ``day`` -1 is the last day of the month."""

    month: int
    day: int


class _Relative(NamedTuple):
    days: int
    months: int


class _Horizon(NamedTuple):
    year: int


class _Every(NamedTuple):
    """A repeating due day: each month in ``months`` on ``day`` (-1: its last day).

    ``explicit`` is set when the words name the day ("ngày 25 hằng tháng"); it then replaces
    the period's default end-of-period day.
    """

    period: Literal["day", "month", "year", "periodic"]
    months: frozenset[int]
    day: int
    explicit: bool = False


class _Flag(NamedTuple):
    name: Literal["continuous", "on_demand", "periodic", "start"]


_Found = _Invalid | _Dated | _Yearless | _Relative | _Horizon | _Every | _Flag


# --------------------------------------------------------------------------------------------
# Normalising the text
# --------------------------------------------------------------------------------------------

# Anything that is neither printable ASCII nor a combining mark; rare in real deadlines.
_ODD_CHAR: Final = re.compile(r"[^\x20-\x7e\u0300-\u036f]")
_ODD_REPLACEMENTS: Final = {
    **{chr(c): "-" for c in [*range(0x2010, 0x2016), 0x2212]},  # hyphens, dashes, minus
    **{chr(c): "/" for c in [0x2044, 0x2215]},  # fraction and division slashes
    **{chr(c): "" for c in [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xAD]},  # inside words
}


_SPACES: Final = re.compile(" {2,}")


def _odd_char(match: re.Match[str]) -> str:
    # Other scripts, symbols, controls and lone surrogates separate words, as a space would.
    return _ODD_REPLACEMENTS.get(match[0], " ")


def _fold(text: str) -> str:
    """Lower-case ASCII text with single spaces: tone marks, hooks and the bar of "đ" removed.

    NFKD decomposes composed and decomposed input alike (so NFC and NFD fold the same) and
    also turns full-width digits and exotic spaces into plain ones. Dropping the diacritics
    makes "hằng"/"hàng", "quý"/"quí"/"qúy" and unaccented typing all read the same; the
    patterns below are written against this folded form. Lower-casing comes first so that
    letters like "İ" shed their marks too.
    """
    folded = text.lower()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded.replace("đ", "d"))
    if _ODD_CHAR.search(folded):
        folded = _ODD_CHAR.sub(_odd_char, folded)
    if not folded.isascii():  # only combining marks are left to drop
        folded = folded.encode("ascii", "ignore").decode("ascii")
    if "  " in folded:  # the rules' trigger words are matched with single spaces
        folded = _SPACES.sub(" ", folded)
    return folded


# --------------------------------------------------------------------------------------------
# Calendar helpers
# --------------------------------------------------------------------------------------------


def _year(token: str) -> int | None:
    year = int(token)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


_DAYS_IN_MONTH: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _last_day(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month]


def _month_end(year: int, month: int) -> date:
    return date(year, month, _last_day(year, month))


def _max_day(month: int) -> int:
    """Longest the month ever gets (29 for February)."""
    return _last_day(2000, month)


def _day_month_ok(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _max_day(month)


def _day_before(month: int, day: int) -> tuple[int, int]:
    """The day before (month, day) in a year-agnostic calendar; -1 means the month's last day."""
    if day > 1:
        return month, day - 1
    return (month - 2) % 12 + 1, -1


def _canonical_day(month: int, day: int) -> int:
    # "31/12" and "quý IV" must come out the same; February's last day moves, so it keeps 28.
    if month != 2 and day == _max_day(month):
        return -1
    return day


_QUARTER_WORDS: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "mot": 1, "hai": 2, "ba": 3, "bon": 4}


def _quarter(token: str) -> int | None:
    """Quarter number from "III", "3" or "ba"; None for anything else (quý V, quý 0)."""
    if token.isdigit():
        number = int(token)
        return number if 1 <= number <= 4 else None
    return _QUARTER_WORDS.get(token)


def _resolve_yearless(month: int, day: int, issued_on: date) -> date | None:
    """The first such day on or after ``issued_on`` (29/2 waits for a leap year)."""
    for year in range(issued_on.year, min(issued_on.year + 9, 10000)):
        last = _last_day(year, month)
        if day > last:
            continue
        candidate = date(year, month, last if day == -1 else day)
        if candidate >= issued_on:
            return candidate
    return None


def _add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, _last_day(year, month)))


# --------------------------------------------------------------------------------------------
# Pattern handlers: one regex match in, one finding out
# --------------------------------------------------------------------------------------------

# The word just before a match qualifies it: "trước ngày 30/9", "từ tháng 9", "đến năm 2030".
# It is read here rather than inside each pattern because a pattern that starts with a literal
# keyword lets the regex engine skip straight to it, several times faster than trying an
# optional prefix at every position.
_QUALIFIER: Final = re.compile(
    r"(?<!\w)(?P<q>truoc|sau|tu|den|toi|dau|giua)\s*(?:het\s*)?(?:ngay\s*)?\Z", re.ASCII
)
# A bare "30/6" is a date only after one of these words.
_DATE_WORD_BEFORE: Final = re.compile(
    r"(?<!\w)(?:truoc|sau|tu|den|toi|het|ngay|nhat)\s*(?:ngay\s*)?\Z", re.ASCII
)
_LOOK_BACK: Final = 20
# "sau" (after), "đầu" (early in), "giữa" (in the middle of) name no last day on time.
_NO_LAST_DAY: Final = frozenset({"sau", "dau", "giua"})


def _qualifier(m: re.Match[str]) -> str | None:
    start = m.start()
    before = _QUALIFIER.search(m.string, max(0, start - _LOOK_BACK), start)
    return before["q"] if before else None


def _period(qualifier: str | None, first: date, last: date) -> _Found:
    """A dated period read through its qualifier.

    Plain, "đến" or "chậm nhất": due on its last day. "trước": before the period starts, so
    due the day before its first day. "sau", "đầu" and "giữa" name no last day at all. "từ"
    starts the work.
    """
    if qualifier == "truoc":
        return _Dated(first - _ONE_DAY)
    if qualifier in _NO_LAST_DAY:
        return _Invalid("no last day named")
    if qualifier == "tu":
        return _Flag("start")
    return _Dated(last)


def _yearless_period(
    qualifier: str | None, first: tuple[int, int], last: tuple[int, int]
) -> _Found:
    """:func:`_period` for a period named without its year."""
    if qualifier == "truoc":
        return _Yearless(*_day_before(*first))
    if qualifier in _NO_LAST_DAY:
        return _Invalid("no last day named")
    if qualifier == "tu":
        return _Flag("start")
    return _Yearless(*last)


def _ignore(_: re.Match[str]) -> None:
    return None


def _const(found: _Found) -> Callable[[re.Match[str]], _Found]:
    def handler(_: re.Match[str]) -> _Found:
        return found

    return handler


def _on_relative(m: re.Match[str]) -> _Found:
    count, unit = int(m["n"]), m["unit"]
    if unit == "thang":
        return _Relative(0, count)
    return _Relative(count * 7 if unit == "tuan" else count, 0)


def _on_horizon(m: re.Match[str]) -> _Found:
    end = _year(m["b"])
    begin = _year(m["a"]) if "a" in m.re.groupindex else end
    if end is None or begin is None or begin > end:
        return _Invalid("horizon year out of range")
    return _Horizon(end)


def _on_part_of_year(m: re.Match[str]) -> _Found:
    """ "6 tháng đầu năm 2024", "9 tháng đầu năm", "nửa cuối năm 2024"."""
    word = m["n"] if "n" in m.re.groupindex else "6"
    months = {"sau": 6, "chin": 9, "ba": 3}.get(word) or int(word)
    if not 1 <= months <= 12:
        return _Invalid("not a part of a year")
    first_month, last_month = (1, months) if m["part"] == "dau" else (13 - months, 12)
    qualifier = _qualifier(m)
    if m["y"] is None:
        return _yearless_period(qualifier, (first_month, 1), (last_month, -1))
    year = _year(m["y"])
    if year is None:
        return _Invalid("year out of range")
    return _period(qualifier, date(year, first_month, 1), _month_end(year, last_month))


def _every_n_months(word: str) -> _Found:
    """Ends of the periods of ``word`` months, for periods that divide the year."""
    step = {"sau": 6, "ba": 3}.get(word) or int(word)
    if step not in (1, 2, 3, 4, 6, 12):
        return _Invalid("period does not divide the year")
    return _Every("periodic", frozenset(range(step, 13, step)), -1)


def _on_n_months_a_time(m: re.Match[str]) -> _Found:
    """ "6 tháng một lần", "06 tháng/lần", "nửa năm một lần"."""
    return _every_n_months(m["n"] if "n" in m.re.groupindex else "6")


_EVERY_UNIT: Final[dict[str, _Found]] = {  # keyed by the folded unit word
    "nam": _Every("year", frozenset({12}), -1),
    "quy": _Every("periodic", frozenset({3, 6, 9, 12}), -1),
    "qui": _Every("periodic", frozenset({3, 6, 9, 12}), -1),
    "thang": _Every("month", _ALL_MONTHS, -1),
    "ngay": _Every("day", _ALL_MONTHS, 0),
    "tuan": _Invalid("the last day of a week is not agreed"),
}


def _on_every(m: re.Match[str]) -> _Found:
    """ "hằng năm", "hàng quý", "mỗi tháng", "định kỳ 6 tháng", "hằng ngày", "quý một lần"."""
    if "n" in m.re.groupindex and m["n"] is not None:
        if m["unit"] != "thang":
            return _Invalid("a count of units other than months")
        return _every_n_months(m["n"])
    return _EVERY_UNIT[m["unit"]]


def _on_date(m: re.Match[str]) -> _Found:
    day, month, year = int(m["d"]), int(m["m"]), _year(m["y"])
    if year is None or not 1 <= month <= 12 or not 1 <= day <= _last_day(year, month):
        return _Invalid("no such date")
    named = date(year, month, day)
    return _period(_qualifier(m), named, named)


def _on_month(m: re.Match[str]) -> _Found:
    month, year = int(m["m"]), _year(m["y"])
    if year is None or not 1 <= month <= 12:
        return _Invalid("no such month")
    return _period(_qualifier(m), date(year, month, 1), _month_end(year, month))


def _on_quarter(m: re.Match[str]) -> _Found:
    quarter, year = _quarter(m["qn"]), _year(m["y"])
    if quarter is None or year is None:
        return _Invalid("no such quarter")
    first, last = date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter)
    return _period(_qualifier(m), first, last)


def _on_year(m: re.Match[str]) -> _Found:
    """ "năm 2025", "trong năm 2025", "trước năm 2025"; "đến năm 2030" is a horizon."""
    year = _year(m["y"])
    if year is None:
        return _Invalid("year out of range")
    qualifier = _qualifier(m)
    if qualifier in ("den", "toi"):
        return _Horizon(year)
    return _period(qualifier, date(year, 1, 1), date(year, 12, 31))


def _on_yearless_date(m: re.Match[str]) -> _Found:
    day, month = int(m["d"]), int(m["m"])
    if not _day_month_ok(day, month):
        return _Invalid("no such date")
    return _yearless_period(_qualifier(m), (month, day), (month, day))


def _on_bare_day_month(m: re.Match[str]) -> _Found | None:
    """ "trước 30/6", "đến 30/6": a yearless date only after a date word."""
    start = m.start()
    if _DATE_WORD_BEFORE.search(m.string, max(0, start - _LOOK_BACK), start):
        return _on_yearless_date(m)
    # "45-50%", "2.1." are not dates; a lone "15/12" might be, so it is not read past.
    return _Invalid("a day/month without a date word") if m["sep"] == "/" else None


def _on_yearless_month(m: re.Match[str]) -> _Found:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return _Invalid("no such month")
    return _yearless_period(_qualifier(m), (month, 1), (month, -1))


def _on_yearless_quarter(m: re.Match[str]) -> _Found:
    quarter = _quarter(m["qn"])
    if quarter is None:
        return _Invalid("no such quarter")
    return _yearless_period(_qualifier(m), (3 * quarter - 2, 1), (3 * quarter, -1))


def _on_day_of_month(m: re.Match[str]) -> _Found:
    """ "trước ngày 25 hằng tháng": the same day each month."""
    day = int(m["d"])
    if not 1 <= day <= 31:
        return _Invalid("no such day of month")
    if _qualifier(m) == "truoc":
        day = day - 1 if day > 1 else -1
    return _Every("month", _ALL_MONTHS, day, explicit=True)


def _on_day_of_quarter_month(m: re.Match[str]) -> _Found:
    """ "trước ngày 15 tháng cuối hằng quý": a day in the first or last month of each quarter."""
    day = int(m["d"])
    months = (3, 6, 9, 12) if m["part"] == "cuoi" else (1, 4, 7, 10)
    if not all(_day_month_ok(day, month) for month in months):
        return _Invalid("no such day in every quarter")
    if _qualifier(m) == "truoc":
        pairs = [_day_before(month, day) for month in months]
        return _Every("periodic", frozenset(p[0] for p in pairs), pairs[0][1], explicit=True)
    return _Every("periodic", frozenset(months), _canonical_day(months[0], day), explicit=True)


# --------------------------------------------------------------------------------------------
# The pattern table
# --------------------------------------------------------------------------------------------


class _Rule(NamedTuple):
    name: str
    pattern: re.Pattern[str]
    # None for a rejecting rule: any match makes the whole text unparsed.
    handler: Callable[[re.Match[str]], _Found | None] | None
    # The rule runs only when one of these substrings is present (and a digit is still
    # unread, if it needs one): a substring test costs far less than a regex scan, and most
    # texts mention only two or three of the keywords. No triggers: always run.
    triggers: tuple[str, ...]
    needs_digit: bool


def _rule(
    name: str,
    pattern: str,
    handler: Callable[[re.Match[str]], _Found | None] | None,
    triggers: tuple[str, ...],
    *,
    needs_digit: bool = False,
) -> _Rule:
    return _Rule(name, re.compile(pattern, re.ASCII), handler, triggers, needs_digit)


def _word(word: str, width: int | None = None) -> str:
    """``word`` at the start of a word, written literal-first (see _QUALIFIER for why)."""
    return word + r"(?<!\w" + "." * (width or len(word)) + ")"


# Shared fragments. Every pattern reads folded text (see _fold), starts with a literal keyword
# or a digit, and uses only bounded or single-class repetition, so matching stays linear.
_NUMBER = r"\d(?<![\d/.\-]\d)"  # first digit of a number not glued to another number
_YEAR = r"(?P<y>\d{4})(?!\d)"
_SEP = r"\s*[/.\-]\s*"
_YEAR_SEP = r"(?:\s*[/.\-]\s*|\s*,?\s*nam\s*|\s+)"  # "/2023", "-2023", " năm 2023", " 2023"
_QUARTER = _word("qu[yi]", 3) + r"\s*(?P<qn>[ivx]+|\d{1,2}|mot|hai|ba|bon)\b"
_NO_YEAR_AFTER = r"(?!\s*(?:[/.\-]|,?\s*nam)?\s*\d)"
_EVERY = r"(?:hang|moi|tung)\s*"  # "hằng", "hàng", "mỗi", "từng"
_SINCE_ISSUE = (
    r"(?:ke\s*)?tu\s*(?:ngay|khi)\s*"
    r"(?:(?:ke\s*hoach|van\s*ban|quyet\s*dinh|chi\s*thi|huong\s*dan|chuong\s*trinh)\s*"
    r"(?:nay\s*)?(?:duoc\s*)?)?(?:ky\s*(?:ban\s*hanh)?|ban\s*hanh)\b"
)
_DATE_MARKS = ("/", ".", "-")

# Order matters: each match is masked out before the next rule runs, so the more specific
# reading of a span wins ("6 tháng đầu năm 2024" before "năm 2024", "quý III/2023" before
# "quý III hằng năm", everything before the leftover checks at the end).
_RULES: Final[tuple[_Rule, ...]] = (
    # "Kế hoạch số 275-KH/TU, ngày 26/7/2023": a cited document and its date, not a deadline.
    _rule(
        "document reference",
        r"\d(?<![\w/]\d)\d{0,3}"
        r"(?:(?:/\d{4})?[-/]\s?[a-z]{1,6}\d*(?:[-/][a-z][a-z0-9]*)+|/\d{4}/[a-z]+\d*)"
        r"(?:\s*,?\s*(?:ngay\s*)?\d{1,2}\s*(?:[/.\-]\s*\d{1,2}\s*[/.\-]"
        r"|,?\s*thang\s*\d{1,2}\s*,?\s*nam)\s*\d{4}(?!\d))?",
        _ignore,
        ("/", "-"),
        needs_digit=True,
    ),
    _rule(
        "relative to issue",
        r"(?P<n>" + _NUMBER + r"\d{0,3})\s*(?P<unit>ngay|tuan|thang)\s*,?\s*" + _SINCE_ISSUE,
        _on_relative,
        ("ke tu", "tu ngay", "tu khi"),
        needs_digit=True,
    ),
    _rule("working days", _word("ngay") + r"\s*lam\s*viec\b", None, ("lam viec",)),
    _rule("conditional", _word("tuy") + r"\s*(?:theo\s*)?tinh\s*hinh\b", None, ("tuy",)),
    _rule("conditional", _word("khi") + r"\s*co\s*dieu\s*kien\b", None, ("dieu kien",)),
    _rule(
        "period range",
        _word("giai") + r"\s*doan\s*(?:tu\s*)?(?:nam\s*)?(?P<a>\d{4})\s*"
        r"(?:-|den\s*(?:nam\s*)?)\s*(?P<b>\d{4})(?!\d)",
        _on_horizon,
        ("giai",),
        needs_digit=True,
    ),
    _rule(
        "from year to year",
        _word("tu") + r"\s*nam\s*(?P<a>\d{4})\s*(?:-|den\s*(?:het\s*)?(?:nam\s*)?)\s*"
        r"(?P<b>\d{4})(?!\d)",
        _on_horizon,
        ("tu nam",),
        needs_digit=True,
    ),
    _rule(
        "vision",
        _word("tam") + r"\s*nhin\s*(?:den\s*)?(?:nam\s*)?(?P<b>\d{4})(?!\d)",
        _on_horizon,
        ("nhin",),
        needs_digit=True,
    ),
    _rule(
        "months of a year",
        r"(?<![\w/.\-])(?P<n>\d{1,2}|sau|chin|ba)\s*thang\s*(?P<part>dau|cuoi)\s*(?:cua\s*)?"
        r"nam(?:\s*,?\s*" + _YEAR + ")?",
        _on_part_of_year,
        ("dau", "cuoi"),
    ),
    _rule(
        "half of a year",
        _word("nua") + r"\s*(?P<part>dau|cuoi)\s*(?:cua\s*)?nam(?:\s*,?\s*" + _YEAR + ")?",
        _on_part_of_year,
        ("nua",),
    ),
    _rule(
        "n months a time",
        r"(?<![\w/.\-])(?P<n>\d{1,2}|sau|ba)\s*thang\s*(?:/\s*|(?:mot|1)\s*)lan\b",
        _on_n_months_a_time,
        ("lan",),
    ),
    _rule(
        "once a unit",
        r"(?<!\w)(?P<unit>nam|thang|qu[yi])\s*(?:/\s*|(?:mot|1)\s*)lan\b",
        _on_every,
        ("lan",),
    ),
    _rule(
        "half a year a time",
        _word("nua") + r"\s*nam\s*(?:/\s*|(?:mot|1)\s*)lan\b",
        _on_n_months_a_time,
        ("nua",),
    ),
    _rule(
        "date",
        r"(?P<d>" + _NUMBER + r"\d?)" + _SEP + r"(?P<m>\d{1,2})" + _SEP + _YEAR,
        _on_date,
        _DATE_MARKS,
        needs_digit=True,
    ),
    _rule(
        "date in words",
        _word("ngay") + r"\s*(?P<d>\d{1,2})\s*,?\s*thang\s*(?P<m>\d{1,2})" + _YEAR_SEP + _YEAR,
        _on_date,
        ("thang",),
        needs_digit=True,
    ),
    _rule(
        "month",
        _word("thang") + r"\s*(?P<m>\d{1,2})" + _YEAR_SEP + _YEAR,
        _on_month,
        ("thang",),
        needs_digit=True,
    ),
    _rule(
        "quarter",
        _QUARTER + r"(?:" + _YEAR_SEP + r")?" + _YEAR,
        _on_quarter,
        ("qu",),
        needs_digit=True,
    ),
    _rule(
        "vague part of a period",
        r"(?<!\w)(?:dau|giua)\s*(?:nam|qu[yi]|thang)\b",
        None,
        ("dau", "giua"),
    ),
    # "ngày ... tháng ... năm 2026": a date left blank in a draft, not the year 2026.
    _rule("blank date", _word("ngay") + r"[\s._]*thang[\s._]*nam\b", None, ("thang",)),
    _rule(
        "school year or span of years",
        _word("nam") + r"\s*(?:hoc\b|\d{4}\s*-\s*\d{4})",
        None,
        ("nam",),
    ),
    _rule(
        "year",
        _word("nam") + r"\s*" + _YEAR + r"(?!\s*[-/]\s*\d)",
        _on_year,
        ("nam",),
        needs_digit=True,
    ),
    _rule(
        "day of each month",
        _word("ngay") + r"\s*(?P<d>\d{1,2})\s*(?:cua\s*)?" + _EVERY + r"thang\b",
        _on_day_of_month,
        ("thang",),
        needs_digit=True,
    ),
    _rule(
        "day of each quarter",
        _word("ngay") + r"\s*(?P<d>\d{1,2})\s*(?:cua\s*)?thang\s*(?P<part>dau|cuoi)\s*"
        r"(?:cua\s*)?" + _EVERY + r"qu[yi]\b",
        _on_day_of_quarter_month,
        ("qu",),
        needs_digit=True,
    ),
    _rule(
        "date without year in words",
        _word("ngay") + r"\s*(?P<d>\d{1,2})\s*,?\s*thang\s*(?P<m>\d{1,2})" + _NO_YEAR_AFTER,
        _on_yearless_date,
        ("thang",),
        needs_digit=True,
    ),
    _rule(
        "date without year",
        r"(?P<d>" + _NUMBER + r"\d?)\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})"
        r"(?!\s*[/.\-]?\s*\d)(?!\s*%)",
        _on_bare_day_month,
        _DATE_MARKS,
        needs_digit=True,
    ),
    _rule(
        "month without year",
        _word("thang") + r"\s*(?P<m>\d{1,2})" + _NO_YEAR_AFTER,
        _on_yearless_month,
        ("thang",),
        needs_digit=True,
    ),
    _rule(
        "every",
        r"(?<!\w)(?:hang|moi|tung|dinh\s*ky)\s*(?:(?:hang|moi)\s*)?(?:(?P<n>\d{1,2}|sau|ba)\s*)?"
        r"(?P<unit>nam|thang|ngay|tuan|qu[yi](?!\s*(?:dinh|che|hoach|trinh|mo)\b))\b(?!\s*\d)",
        _on_every,
        ("hang", "moi", "tung", "dinh ky"),
    ),
    _rule(
        "quarter without year",
        _QUARTER + r"(?!\s*(?:[,/.\-]|,?\s*nam)?\s*(?:[ivx]+\b|\d))",
        _on_yearless_quarter,
        ("qu",),
    ),
    # "định kỳ" with no period named: repeating, but not known how often.
    _rule("periodic", _word("dinh") + r"\s*ky\b", _const(_Flag("periodic")), ("dinh ky",)),
    _rule(
        "annual",
        _word("thuong") + r"\s*nien\b",
        _const(_EVERY_UNIT["nam"]),
        ("nien",),
    ),
    _rule(
        "continuous",
        r"(?<!\w)(?:thuong\s*xuyen|lien\s*tuc)\b",
        _const(_Flag("continuous")),
        ("xuyen", "tuc"),
    ),
    _rule(
        "on demand",
        r"(?<!\w)(?:(?:khi|theo)\s*(?:co\s*|duoc\s*)?yeu\s*cau|dot\s*xuat|khi\s*co\s*chi\s*dao)\b",
        _const(_Flag("on_demand")),
        ("yeu", "xuat", "chi dao"),
    ),
    # Whatever still looks like a date was not understood; reading the rest would be a guess.
    _rule(
        "unread date word and number",
        r"(?<!\w)(?:ngay|thang|nam|truoc|den|nhat|qu[yi])\s*\d",
        None,
        ("ngay", "thang", "nam", "truoc", "den", "nhat", "qu"),
        needs_digit=True,
    ),
    _rule(
        "unread count of days",
        r"\d(?<![\d.]\d)\d{0,3}\s*(?:ngay|tuan|thang|nam)\b",
        None,
        ("ngay", "tuan", "thang", "nam"),
        needs_digit=True,
    ),
    _rule("unread day/month", r"\d\s*/\s*\d", None, ("/",), needs_digit=True),
    # "30 tháng 3" read as "tháng 3" would drop the 30; "Hoàn thành 3 quý 1" likewise.
    _rule("number beside a read date", r"\d\s*" + _MASK, None, (), needs_digit=True),
    _rule("unread quarter", _QUARTER, None, ("qu",)),
    _rule(
        "unread month name",
        _word("thang") + r"\s*(?:gieng|mot|hai|ba|bon|tu|sau|bay|tam|chin|muoi)\b",
        None,
        ("thang",),
    ),
)
_TRIGGERS: Final = frozenset(trigger for rule in _RULES for trigger in rule.triggers)
_DIGIT: Final = re.compile(r"\d", re.ASCII)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def parse_deadline(text: str, issued_on: date | None = None) -> Schedule:
    """Read deadline words into a :class:`Schedule`; never raises for a ``str``.

    ``issued_on`` is the issue date of the document the words come from. It anchors dates
    written without a year ("trước 30/6" is the first 29/6 on or after it), relative deadlines
    ("trong vòng 30 ngày kể từ ngày ban hành") and the first occurrence of a recurring one.
    Without it those readings are unparsed.

    >>> parse_deadline("Hoàn thành trong quý III/2023").due
    datetime.date(2023, 9, 30)
    >>> parse_deadline("trước ngày 10/12 hằng năm", date(2023, 8, 10)).rrule
    'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9'
    """
    if not isinstance(text, str):
        raise TypeError(f"deadline text must be str, not {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        return Schedule(text, "unparsed")
    return _resolve(text, _scan(_fold(text)), issued_on)


def _scan(folded: str) -> list[_Found]:
    """Run the pattern table over folded text, masking each match so no span is read twice.

    Stops at the first finding that makes the text unparsed: nothing after it can change that.
    """
    found: list[_Found] = []
    present = {trigger for trigger in _TRIGGERS if trigger in folded}
    has_digit = _DIGIT.search(folded) is not None
    for rule in _RULES:
        if rule.needs_digit and not has_digit:
            continue
        if rule.triggers and present.isdisjoint(rule.triggers):
            continue
        if rule.handler is None:
            if rule.pattern.search(folded):
                return [_Invalid(rule.name)]
            continue
        folded, hits = rule.pattern.subn(_consumer(rule.handler, found), folded)
        if hits:
            if any(isinstance(f, _Invalid) for f in found):
                return found
            has_digit = _DIGIT.search(folded) is not None
    return found


def _consumer(
    handler: Callable[[re.Match[str]], _Found | None], found: list[_Found]
) -> Callable[[re.Match[str]], str]:
    def consume(match: re.Match[str]) -> str:
        result = handler(match)
        if result is not None:
            found.append(result)
        return _MASK * (match.end() - match.start())

    return consume


def _resolve(text: str, found: list[_Found], issued_on: date | None) -> Schedule:
    """Combine the findings into one schedule, or unparsed when they disagree."""
    if not found or any(isinstance(f, _Invalid) for f in found):
        return Schedule(text, "unparsed")
    flags = {f.name for f in found if isinstance(f, _Flag)}
    on_demand = "on_demand" in flags
    horizons = [f.year for f in found if isinstance(f, _Horizon)]
    # "đến năm 2030, tầm nhìn đến năm 2045": the nearer year is the one the plan answers for.
    horizon_year = min(horizons) if horizons else None
    every = [f for f in found if isinstance(f, _Every)]
    yearless = [f for f in found if isinstance(f, _Yearless)]

    if every:
        if any(isinstance(f, (_Dated, _Relative)) for f in found):
            # A one-off and a repeating deadline in one text are two obligations.
            return Schedule(text, "unparsed")
        recurring = _recurring(text, every, yearless, issued_on, on_demand, horizon_year)
        return recurring or Schedule(text, "unparsed")

    once = _once(found, yearless, issued_on)
    if once is not None:
        due, relative_days = once
        if due is None or "periodic" in flags:  # "định kỳ trước ngày 10/12": how often?
            return Schedule(text, "unparsed")
        return Schedule(text, "once", due, None, on_demand, relative_days, horizon_year)
    if "continuous" in flags:
        return Schedule(text, "continuous", None, None, on_demand, None, horizon_year)
    if horizon_year is not None:
        return Schedule(
            text, "horizon", date(horizon_year, 12, 31), None, on_demand, None, horizon_year
        )
    if on_demand:
        return Schedule(text, "on_demand", None, None, True)
    return Schedule(text, "unparsed")


def _once(
    found: list[_Found], yearless: list[_Yearless], issued_on: date | None
) -> tuple[date | None, int | None] | None:
    """The single due date of the one-off findings, with its relative day count if any.

    None when there are no one-off findings; ``(None, None)`` when they cannot be placed (no
    issue date to anchor them) or name different days.
    """
    dues = {f.due for f in found if isinstance(f, _Dated)}
    relative = [f for f in found if isinstance(f, _Relative)]
    relative_days: int | None = None
    if relative or yearless:
        if issued_on is None:
            return None, None
        try:
            for item in yearless:
                resolved = _resolve_yearless(item.month, item.day, issued_on)
                if resolved is None:
                    return None, None
                dues.add(resolved)
            for rel in relative:
                if rel.months:
                    dues.add(_add_months(issued_on, rel.months))
                else:
                    dues.add(issued_on + timedelta(days=rel.days))
                    relative_days = rel.days
        except (OverflowError, ValueError):  # only near year 9999
            return None, None
    if not dues:
        return None
    if len(dues) != 1:
        return None, None
    return dues.pop(), relative_days


def _recurring(
    text: str,
    every: list[_Every],
    yearless: list[_Yearless],
    issued_on: date | None,
    on_demand: bool,
    horizon_year: int | None,
) -> Schedule | None:
    """A recurring schedule from the repeating findings, or None when they cannot be merged."""
    if yearless:
        # "trước ngày 10/12 hằng năm", "quý IV hằng năm": the yearless day is the yearly anchor.
        if any(e.period != "year" for e in every):
            return None
        every = [
            _Every("year", frozenset({y.month}), _canonical_day(y.month, y.day), explicit=True)
            for y in yearless
        ]
    periods_with_anchor = {e.period for e in every if e.explicit}
    every = [e for e in every if e.explicit or e.period not in periods_with_anchor]
    days = {e.day for e in every}
    if len(days) != 1 or (0 in days and len(every) > 1):
        return None  # e.g. monthly on the last day and yearly on 9/12: no single rule
    day = days.pop()
    months = frozenset().union(*(e.months for e in every))
    until = date(horizon_year, 12, 31) if horizon_year is not None else None
    first = None
    if issued_on is not None:
        first = next(_iter_rule(_RuleSpec(day == 0, months, day, until), issued_on), None)
        if first is None or (until is not None and first > until):
            return None  # e.g. "hằng năm đến năm 2020" in a 2023 plan: nothing left to schedule
    rrule = _format_rrule(months, day, until)
    return Schedule(text, "recurring", first, rrule, on_demand, None, horizon_year)


# --------------------------------------------------------------------------------------------
# Recurrence rules
# --------------------------------------------------------------------------------------------


# Only this module writes and reads recurrence rules (RFC 5545 RRULE values); the rest of the
# project asks it through the names below. The rules it writes are of one small shape (DAILY,
# or days of the month in a list of months), and those it iterates itself: python-dateutil
# gives the same dates, but building and walking its rule object costs about 270 µs for two
# rules over two years against 8 µs here (benchmarks/bench_recurrence.py), and the synthetic
# nation walks 840,000 tasks' rules. Any other rule goes to dateutil.


class _RuleSpec(NamedTuple):
    """The subset of RRULE this module writes: DAILY, or month-days by month list."""

    daily: bool
    months: frozenset[int]
    day: int
    until: date | None


class Recurrence(NamedTuple):
    """A rule this module wrote, read back: how often, in which months, on which day
    (``-1`` the last day of the month)."""

    frequency: Literal["daily", "monthly", "quarterly", "half_yearly", "yearly"]
    months: frozenset[int]
    day: int
    until: date | None


def _format_rrule(months: frozenset[int], day: int, until: date | None) -> str:
    if day == 0:
        rule = "FREQ=DAILY"
    elif months == _ALL_MONTHS:
        rule = f"FREQ=MONTHLY;BYMONTHDAY={day}"
    else:
        rule = f"FREQ=YEARLY;BYMONTH={','.join(map(str, sorted(months)))};BYMONTHDAY={day}"
    if until is not None:
        rule += f";UNTIL={until:%Y%m%d}"
    return rule


_RRULE_PART: Final = re.compile(r"([A-Z]+)=([A-Z0-9,+\-]+)\Z", re.ASCII)


@lru_cache(maxsize=256)
def _parse_rrule(rrule: str) -> _RuleSpec | None:
    """Read back a rule of the shape :func:`_format_rrule` writes; None for any other rule."""
    parts: dict[str, str] = {}
    for part in rrule.upper().split(";"):
        match = _RRULE_PART.match(part)
        if match is None:
            return None
        parts[match[1]] = match[2]
    until = None
    if "UNTIL" in parts:
        value = parts.pop("UNTIL")
        try:
            until = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            return None
    freq = parts.pop("FREQ", None)
    if freq == "DAILY" and not parts:
        return _RuleSpec(True, _ALL_MONTHS, 0, until)
    try:
        day = int(parts.pop("BYMONTHDAY"))
        months = (
            frozenset(int(m) for m in parts.pop("BYMONTH").split(","))
            if freq == "YEARLY"
            else _ALL_MONTHS
        )
    except (KeyError, ValueError):
        return None
    if parts or freq not in ("YEARLY", "MONTHLY") or not months <= _ALL_MONTHS:
        return None
    if day == 0 or not -31 <= day <= 31:
        return None
    return _RuleSpec(False, months, day, until)


def _iter_rule(rule: _RuleSpec, start: date) -> Iterator[date]:
    """Occurrences of ``rule`` on or after ``start``, in order, up to the end of year 9999."""
    if rule.daily:
        day = start
        while True:
            yield day
            if day == date.max:
                return
            day += _ONE_DAY
    year, month = start.year, start.month
    barren_years = 0
    while year <= 9999 and barren_years <= 8:  # 8 years covers 29/2 across a skipped leap year
        hit = False
        for m in range(month, 13):
            if m not in rule.months:
                continue
            last = _last_day(year, m)
            day_number = rule.day if rule.day > 0 else last + 1 + rule.day
            if 1 <= day_number <= last:
                occurrence = date(year, m, day_number)
                if occurrence >= start:
                    hit = True
                    yield occurrence
        barren_years = 0 if hit else barren_years + 1
        year, month = year + 1, 1


def _dateutil_occurrences(
    rrule: str, start: date, until: date | None, count: int | None
) -> list[date]:
    """Occurrences of a rule this module did not write (DTSTART is taken as ``start``)."""
    from dateutil.rrule import rrulestr  # only needed for hand-written rules

    bounded = "UNTIL=" in rrule.upper() or "COUNT=" in rrule.upper()
    if until is None and count is None and not bounded:
        raise ValueError("an open-ended recurring schedule needs until or count")
    rule = rrulestr(rrule, dtstart=datetime.combine(start, time()))
    found: list[date] = []
    for moment in rule:
        day = moment.date()
        if until is not None and day > until:
            break
        found.append(day)
        if count is not None and len(found) >= count:
            break
    return found


# --------------------------------------------------------------------------------------------
# Rules for the rest of the project
# --------------------------------------------------------------------------------------------


def read_rule(rrule: str) -> Recurrence | None:
    """What a stored rule says, or None for a rule of another shape (hand-written)."""
    spec = _parse_rrule(rrule)
    if spec is None:
        return None
    frequency: Literal["daily", "monthly", "quarterly", "half_yearly", "yearly"]
    if spec.daily:
        frequency = "daily"
    elif spec.months == _ALL_MONTHS:
        frequency = "monthly"
    elif spec.months == frozenset({3, 6, 9, 12}):
        frequency = "quarterly"
    elif spec.months == frozenset({6, 12}):
        frequency = "half_yearly"
    else:
        frequency = "yearly"
    return Recurrence(frequency, spec.months, spec.day, spec.until)


def yearly_rule(month: int, day: int) -> str:
    """Every year on ``day``/``month``."""
    return _format_rrule(frozenset({month}), day, None)


# The last day of each period, for a person choosing "every quarter" and the like.
PERIOD_END_RULES: Final = {
    "half_yearly": _format_rrule(frozenset({6, 12}), -1, None),
    "quarterly": _format_rrule(frozenset({3, 6, 9, 12}), -1, None),
    "monthly": _format_rrule(_ALL_MONTHS, -1, None),
}
# Continuous work ("thường xuyên") is reported every year by the annual data cut-off, 14
# December (docs/reporting.md, "Continuous work").
CONTINUOUS_RULE: Final = "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=14"


def reporting_dates(schedule: Schedule, start: date, until: date) -> list[date]:
    """The dates a schedule asks for a report between ``start`` and ``until``: its own
    occurrences, and for continuous work the annual cut-off of each year."""
    if schedule.kind == "continuous":
        return Schedule(text="", kind="recurring", rrule=CONTINUOUS_RULE).occurrences(start, until)
    return schedule.occurrences(start, until)
