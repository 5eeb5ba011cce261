"""How long a long plan takes to print and to show: its PDF, its Word file, and its page's
server time, for a plan of about 30 pages (the five seed plans' bodies one after another, with
their tasks, imported as one plan).

    python benchmarks/bench_plan_export.py [--bodies 8] [--runs 5]

Uses a temporary SQLite file unless DATABASE_URL is set. Prints the PDF's page count and the
median and worst times of each; the issue's aims are a PDF under 3 s, a Word file under 1 s
and the page under 100 ms of server time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cascade.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.loader import load_demo  # noqa: E402
from plans.exports import plan_docx, plan_pdf  # noqa: E402
from plans.importing import extract_plan, read_source  # noqa: E402
from plans.importing.service import plan_import_preview, plan_import_save  # noqa: E402

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def long_plan(bodies_wanted: int) -> str:
    """Seed 004's head and foot around ``bodies_wanted`` seed bodies (the five seeds in turn),
    its sections renumbered in order; eight bodies make about 30 pages."""
    seeds = ROOT / "demo" / "seeds"
    head_and_foot = (seeds / "004.txt").read_text(encoding="utf-8")
    start = head_and_foot.index("I. MỤC ĐÍCH")
    end = head_and_foot.index("Trên đây là")
    bodies = []
    for seed in ("000", "001", "002", "003", "004"):
        text = read_source((seeds / f"{seed}.txt").read_text(encoding="utf-8"))
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if re.match(r"\W*I\.\s", line.strip()))
        ends = ("Trên đây", "Nơi nhận", "(Chỉ thị")
        last = next(
            (i for i, line in enumerate(lines) if line.strip().startswith(ends)), len(lines)
        )
        bodies.append("\n".join(lines[first:last]))
    body = "\n\n".join(bodies[i % len(bodies)] for i in range(bodies_wanted))
    numbered = iter(range(10_000))

    def renumber(match: re.Match[str]) -> str:
        return f"{ROMAN[next(numbered) % 10]}."

    body = re.sub(r"(?m)^\W*\b[IVX]{1,4}\.", renumber, body)
    return head_and_foot[:start] + body + "\n\n" + head_and_foot[end:]


def _pages(pdf: bytes) -> str:
    tool = shutil.which("pdfinfo")
    if tool is None:
        return "? (pdfinfo not installed)"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        # The tool is poppler's, found on PATH; its one argument is our own temporary file.
        info = subprocess.run(  # noqa: S603
            [tool, handle.name], capture_output=True, text=True
        ).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "?")


def timed(work, runs: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs + 1):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    times = times[1:]  # the first run loads fonts and templates
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    load_demo(seeds=())
    text = long_plan(args.bodies)
    extraction = extract_plan(read_source(text))
    preview = plan_import_preview(user=None, extraction=extraction)
    plan = plan_import_save(
        actor=None, extraction=extraction, issuer=preview.issuer, body=text, preview=preview
    )
    pdf_median, pdf_worst, pdf = timed(lambda: plan_pdf(plan), args.runs)
    pages = _pages(pdf)
    docx_median, docx_worst, _ = timed(lambda: plan_docx(plan), args.runs)
    # The production static storage needs ``collectstatic``'s manifest; a page's links to its
    # static files do not change its server time.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("document", args=[plan.pk])
    page_median, page_worst, response = timed(lambda: client.get(url, secure=True), args.runs)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    print(
        f"database: {django.db.connection.vendor}; parts: {plan.parts.count()}; "
        f"tasks: {plan.tasks.count()}; words: {len(text.split())}; PDF pages: {pages}"
    )
    print("| what | median s | worst s | runs |")
    print("|---|---|---|---|")
    print(f"| PDF | {pdf_median:.2f} | {pdf_worst:.2f} | {args.runs} |")
    print(f"| Word | {docx_median:.2f} | {docx_worst:.2f} | {args.runs} |")
    print(f"| plan page (test client) | {page_median:.3f} | {page_worst:.3f} | {args.runs} |")


if __name__ == "__main__":
    main()
