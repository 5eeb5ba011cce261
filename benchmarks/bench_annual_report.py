"""How long the annual report PDF of a large unit takes: gathering it from the database and
rendering it with WeasyPrint, for a report of about 30 pages (a long narrative, a target
table and a few hundred task lines).

    python benchmarks/bench_annual_report.py [--tasks 120] [--runs 5]

Uses a temporary SQLite file unless DATABASE_URL is set. Prints the page count and the
median and worst times of the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from plans import services as plan_services  # noqa: E402
from reports.annual import annual_outline, annual_pdf_with_pages  # noqa: E402
from tasks import services as task_services  # noqa: E402
from units import services as unit_services  # noqa: E402
from units.models import Bloc, Level, Unit  # noqa: E402

TASK_TEXT = (
    "Tiếp tục đổi mới nội dung, phương thức tuyên truyền về vị trí, vai trò của giáo dục nghề "
    "nghiệp; nâng cao nhận thức của cán bộ, đảng viên và nhân dân về học nghề, lập nghiệp; "
    "phối hợp với các trường trung học cơ sở làm tốt công tác phân luồng học sinh."
)
NARRATIVE = (
    "Ban Thường vụ đã chỉ đạo các cấp ủy, tổ chức đảng quán triệt, triển khai Chỉ thị số "
    "21-CT/TW đến toàn thể cán bộ, đảng viên; tổ chức hội nghị chuyên đề, lồng ghép nội dung "
    "giáo dục nghề nghiệp vào chương trình công tác năm. "
)


def build(tasks: int) -> Unit:
    """A province with a plan of ``tasks`` tasks under a directive, made through the services."""
    from datetime import date

    centre = unit_services.unit_create(
        actor=None,
        parent=None,
        name="Ban Chấp hành Trung ương",
        code="TW",
        bloc=Bloc.PARTY_COMMITTEE,
        level=Level.CENTRAL,
    )
    province = unit_services.unit_create(
        actor=None,
        parent=centre,
        name="Tỉnh ủy Đo Tốc Độ",
        bloc=Bloc.PARTY_COMMITTEE,
        level=Level.PROVINCE,
        code="TU",
    )
    directive = plan_services.document_create(
        actor=None,
        doc_type="CT",
        title="về tăng cường sự lãnh đạo của Đảng đối với giáo dục nghề nghiệp",
        issuer=centre,
        number="21",
        issued_on=date(2023, 5, 4),
        issuer_code="TW",
    )
    plan = plan_services.document_create(
        actor=None,
        doc_type="KH",
        title="Thực hiện Chỉ thị số 21-CT/TW",
        issuer=province,
        number="105",
        issued_on=date(2023, 8, 1),
        issuer_code="TU",
        implements=directive,
        place="Đo Tốc Độ",
    )
    for index in range(tasks):
        task_services.task_create(
            actor=None,
            document=plan,
            text=f"{index + 1}. {TASK_TEXT}",
            deadline_text="trước ngày 10/12 hằng năm",
            assignees=task_services.Assignees(lead=[province]),
        )
    return province


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=120)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    province = build(args.tasks)
    times, pages = [], 0
    for _run in range(args.runs + 1):
        started = time.perf_counter()
        outline = annual_outline(unit=province, year=2024)
        outline.results = [NARRATIVE * 6] * 12
        _pdf, pages = annual_pdf_with_pages(outline)
        times.append(time.perf_counter() - started)
    times = times[1:]  # the first run loads fonts and templates
    print(f"database: {django.db.connection.vendor}; task lines: {len(outline.tasks)}")
    print("| pages | median s | worst s | runs |")
    print("|---|---|---|---|")
    print(f"| {pages} | {statistics.median(times):.2f} | {max(times):.2f} | {args.runs} |")


if __name__ == "__main__":
    main()
