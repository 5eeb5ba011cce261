"""How long importing one seed plan takes end to end: reading the text, extracting it, and
saving it into the cascade (document, references, targets, tasks with their assignments and
occurrences, recipients, audit rows). Each import runs in a transaction that is rolled back,
so every run starts from the same data.

    DATABASE_URL=postgres://root@127.0.0.1:5432/cascade_bench python benchmarks/bench_import_save.py

Without DATABASE_URL it uses a temporary SQLite file. The database is migrated and given the
demo organisation (no seed plans) first.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascade.settings")
# Production-like: no query log kept in memory.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from demo.loader import SEED_DATES, SEEDS, load_demo  # noqa: E402
from plans.importing import extract_plan, read_source  # noqa: E402
from plans.importing.service import plan_import_preview, plan_import_save  # noqa: E402
from plans.models import Document  # noqa: E402

RUNS = int(os.environ.get("RUNS", "15"))


class Rollback(Exception):
    pass


def import_once(seed: str) -> float:
    source = ROOT / "demo" / "seeds" / f"{seed}.txt"
    started = time.perf_counter()
    try:
        with transaction.atomic():
            text = read_source(source)
            extraction = extract_plan(text, today=SEED_DATES[seed])
            extraction["issued_on"] = extraction.get("issued_on") or SEED_DATES[seed].isoformat()
            preview = plan_import_preview(user=None, extraction=extraction)
            plan_import_save(
                actor=None,
                extraction=extraction,
                issuer=preview.issuer,
                body=text,
                preview=preview,
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Document.objects.filter(identifier="21-CT/TW").exists():
        load_demo(seeds=())
    vendor = django.db.connection.vendor
    print(f"database: {vendor}; runs per seed: {RUNS}")
    print("| seed | median ms | p95 ms | tasks |")
    print("|---|---|---|---|")
    for seed in SEEDS:
        import_once(seed)  # warm caches and imports
        times = sorted(import_once(seed) * 1000 for _ in range(RUNS))
        tasks = len(extract_plan(read_source(ROOT / "demo/seeds" / f"{seed}.txt"))["tasks"])
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(f"| {seed} | {statistics.median(times):.1f} | {p95:.1f} | {tasks} |")


if __name__ == "__main__":
    main()
