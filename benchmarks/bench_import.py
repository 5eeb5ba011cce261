"""Time the plan importer on the five seed plans: read_source + extract_plan, per seed.

Run from the project root::

    .venv/bin/python benchmarks/bench_import.py [--runs 20]

Prints the median (and best/worst) milliseconds per seed over the runs, after one warm-up run
that pays for regex compilation and imports, for the .txt seed and for a .docx built in memory
from the same lines (one paragraph per line). The goal is under 200 ms per seed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plans.importing import extract_plan, read_source  # noqa: E402

SEEDS_DIR = ROOT / "demo" / "seeds"
GOAL_MS = 200.0


def docx_bytes(text: str) -> bytes:
    """A .docx with one paragraph per line of ``text``."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def time_import(data: bytes, name: str, runs: int, today: date) -> list[float]:
    """Milliseconds of read_source + extract_plan for each run on one upload."""
    extract_plan(read_source(data, filename=name), today=today)  # warm-up
    timings: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        extract_plan(read_source(data, filename=name), today=today)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per seed (default 20)")
    args = parser.parse_args()
    today = date.today()
    print(f"{'seed':<10}{'median ms':>10}{'min ms':>10}{'max ms':>10}")
    worst_median = 0.0
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        data = path.read_bytes()
        docx_name = path.with_suffix(".docx").name
        uploads = [(path.name, data), (docx_name, docx_bytes(read_source(data)))]
        for name, upload in uploads:
            timings = time_import(upload, name, args.runs, today)
            median = statistics.median(timings)
            worst_median = max(worst_median, median)
            print(f"{name:<10}{median:>10.2f}{min(timings):>10.2f}{max(timings):>10.2f}")
    verdict = "OK" if worst_median < GOAL_MS else "OVER GOAL"
    print(f"slowest median {worst_median:.2f} ms (goal < {GOAL_MS:.0f} ms): {verdict}")
    return 0 if worst_median < GOAL_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
