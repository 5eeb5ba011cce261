"""Shared pieces of the report-chain tests (no tests here): the URLs with the reports app
included, and a small chain built with the factories — a centre, a province, a district with
communes below it, and another province's branch beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.urls import include, path

from cascade.urls import urlpatterns as _project_urls

# The project's URLs, with the reports app included when the project does not include it yet.
urlpatterns = list(_project_urls)
if not any(getattr(p, "namespace", None) == "reports" for p in urlpatterns):
    urlpatterns.insert(0, path("reports/", include("reports.urls")))

PERIOD = "2025"
GENERATE_UNTIL = date(2025, 1, 31)
FIRST_DAY = date(2024, 12, 20)


@dataclass
class Chain:
    centre: object
    province: object
    district: object
    communes: list
    other_province: object
    other_district: object
    directive: object
    directive_target: object
    province_plan: object
    district_plan: object
    district_target: object
    top: object
    middle: object
    bottom: object


def build_chain(communes: int = 3) -> Chain:
    """Centre → province → district → ``communes`` communes, each level with a reporting duty
    for the annual period 2025; a district target carrying the directive's down."""
    from plans import services as plan_services
    from reports import services
    from tests.factories import make_document, make_task, make_unit
    from units.models import Level

    centre = make_unit("Trung ương Thử", level=Level.CENTRAL, code="TW")
    province = make_unit("Tỉnh ủy Một", parent=centre, level=Level.PROVINCE, code="TU")
    district = make_unit("Huyện ủy Hai", parent=province, level=Level.DISTRICT, code="HU")
    lower = [
        make_unit(f"Đảng ủy xã Số {i + 1}", parent=district, level=Level.COMMUNE, code="ĐU")
        for i in range(communes)
    ]
    other_province = make_unit("Tỉnh ủy Bên Kia", parent=centre, level=Level.PROVINCE, code="TU")
    other_district = make_unit(
        "Huyện ủy Bên Kia", parent=other_province, level=Level.DISTRICT, code="HU"
    )
    directive = make_document(centre, doc_type="CT", number="99")
    directive_target = plan_services.target_create(
        actor=None,
        document=directive,
        text="Học sinh tốt nghiệp THCS vào giáo dục nghề nghiệp",
        low=Decimal(50),
        high=Decimal(55),
        horizon_year=2030,
    )
    province_plan = make_document(province, implements=directive)
    district_plan = make_document(district, implements=province_plan)
    district_target = plan_services.target_create(
        actor=None,
        document=district_plan,
        text="Thu hút 45-50% học sinh THCS vào giáo dục nghề nghiệp",
        low=Decimal(45),
        high=Decimal(50),
        parent=directive_target,
        numerator_label="Học sinh vào GDNN",
        denominator_label="Học sinh tốt nghiệp THCS",
    )
    make_task(district_plan, lead=lower, text="Xây dựng kế hoạch thực hiện Chỉ thị")
    top = services.report_requirement_create(
        actor=None,
        document=directive,
        frequency="annual",
        units=[province, other_province],
        starts_on=FIRST_DAY,
        generate=False,
    )
    middle = services.report_requirement_create(
        actor=None,
        document=province_plan,
        frequency="annual",
        units=[district],
        starts_on=FIRST_DAY,
        generate=False,
    )
    bottom = services.report_requirement_create(
        actor=None, document=district_plan, frequency="annual", starts_on=FIRST_DAY, generate=False
    )
    for requirement in (top, middle, bottom):
        services.report_requests_generate(requirement=requirement, until=GENERATE_UNTIL)
    return Chain(
        centre=centre,
        province=province,
        district=district,
        communes=lower,
        other_province=other_province,
        other_district=other_district,
        directive=directive,
        directive_target=directive_target,
        province_plan=province_plan,
        district_plan=district_plan,
        district_target=district_target,
        top=top,
        middle=middle,
        bottom=bottom,
    )


def request_of(unit, period: str = PERIOD):
    from reports.models import ReportRequest

    return ReportRequest.objects.get(unit=unit, period_key=period)


def report_and_accept(report, numerator, denominator, *, reviewer=None, done: bool = False):
    """Write, submit and accept a report with one figure (for its first target)."""
    from reports import services

    report = services.report_start(actor=None, report=report)
    row = report.measurements.order_by("position").first()
    lines = {line.pk: ("done" if done else line.status, "") for line in report.task_lines.all()}
    services.report_save_draft(
        actor=None,
        report=report,
        results="Đã triển khai.",
        lines=lines,
        measurements={row.pk: (numerator, denominator)} if row else {},
    )
    services.report_submit(actor=None, report=report)
    services.report_accept(actor=reviewer, report=report)
    report.refresh_from_db()
    return report
