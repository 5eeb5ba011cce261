"""Why tasks.deadlines walks its own recurrence rules: the same occurrences from its iterator
and from python-dateutil, timed on one core.

Run from the project root::

    python benchmarks/bench_recurrence.py [--calls 5000]

Each call lists two years of occurrences of the two rules plans write most ("trước ngày 10/12
hằng năm" and "hằng quý"), as ``sync_occurrences`` and the synthetic nation do for every task.
Both ways must give the same dates (checked first); the figures are the best of three runs.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from datetime import date, datetime, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateutil.rrule import rrulestr  # noqa: E402

from tasks.deadlines import Schedule  # noqa: E402

RULES = ["FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=9", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"]
START, UNTIL = date(2024, 1, 1), date(2025, 12, 31)


def ours() -> list[list[date]]:
    return [
        Schedule(text="", kind="recurring", rrule=rule).occurrences(START, UNTIL) for rule in RULES
    ]


def dateutil() -> list[list[date]]:
    found = []
    for rule in RULES:
        walk = rrulestr(rule, dtstart=datetime.combine(START, time()))
        found.append(
            [
                moment.date()
                for moment in walk.between(
                    datetime.combine(START, time()), datetime.combine(UNTIL, time()), inc=True
                )
            ]
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    calls = parser.parse_args().calls
    if calls < 1:
        parser.error("--calls must be at least 1")
    assert ours() == dateutil(), "the two ways disagree"
    for name, function in (("tasks.deadlines", ours), ("python-dateutil", dateutil)):
        best = min(timeit.repeat(function, number=calls, repeat=3)) / calls
        print(f"{name:16} {best * 1e6:8.1f} µs a call (two rules, two years)")


if __name__ == "__main__":
    main()
