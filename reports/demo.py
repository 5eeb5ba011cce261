"""The report chain of the demo: Kon Rẫy's communes report to Huyện ủy Kon Rẫy under its plan,
Huyện ủy Kon Rẫy to Tỉnh ủy Kon Tum under 105-KH/TU, the provinces to the Central Committee
under 21-CT/TW; and Quận ủy Kiến An's reporting task ("định kỳ trước ngày 10/12 hằng năm hoặc
khi có yêu cầu đột xuất…") read into an annual requirement.

For the 2024 period the communes' reports are written: two accepted, one waiting for review;
Huyện ủy Kon Rẫy's report to the province is a draft filled from the accepted ones, ready for
the demo logins ``canbo.konray`` (writes it) and ``lanhdao.kontum`` (reviews it).

Everything goes through the services, as people would do it. Loading twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from plans.models import Document
from reports import services
from reports.models import Frequency, ReportRequest, ReportRequirement, ReportState
from tasks.models import Task
from units.models import Unit

DEMO_YEAR = "2024"
FIRST_PERIOD_DAY = date(2023, 12, 15)  # the 2024 annual period's first day (Nghị định 09)
# Students finishing lower secondary school in 2024 and, of them, those entering vocational
# education, by commune: (numerator, denominator).
COMMUNE_FIGURES = {
    "Đảng ủy thị trấn Đăk Rve": (30, 50, "accept"),
    "Đảng ủy xã Đăk Ruồng": (10, 100, "accept"),
    "Đảng ủy xã Tân Lập": (20, 30, "submit"),
}
COMMUNE_RESULTS = (
    "Đã quán triệt Chỉ thị số 21-CT/TW đến toàn thể cán bộ, đảng viên; phối hợp với nhà trường "
    "tư vấn hướng nghiệp, phân luồng học sinh sau tốt nghiệp trung học cơ sở."
)


@dataclass
class DemoReports:
    """What the loader did."""

    created: bool
    requirements: list[ReportRequirement] = field(default_factory=list)
    requests: int = 0


def _unit(name: str) -> Unit | None:
    return Unit.objects.filter(name=name).order_by("depth").first()


@transaction.atomic
def load_demo_reports(*, fill: bool = True, until: date | None = None) -> DemoReports:
    """Create the demo's reporting duties and their requests (and, with ``fill``, the 2024
    reports of the Kon Rẫy chain). Needs the demo cascade (``load_demo``) first."""
    directive = Document.objects.filter(identifier="21-CT/TW", issuer__code="TW").first()
    if directive is None:
        raise LookupError("Load the demo cascade first (manage.py load_demo).")
    existing = list(
        ReportRequirement.objects.filter(document__root=directive)
        | (ReportRequirement.objects.filter(document=directive))
    )
    if existing:
        return DemoReports(created=False, requirements=existing)
    until = until or timezone.localdate() + timedelta(days=services.lookahead_days())
    centre = directive.issuer
    kon_tum = _unit("Tỉnh ủy Kon Tum")
    provinces = [
        u
        for u in (kon_tum, _unit("Tỉnh ủy Lâm Đồng"), _unit("Thành ủy Hải Phòng"))
        if u is not None
    ]
    made: list[ReportRequirement] = []
    made.append(
        services.report_requirement_create(
            actor=None,
            document=directive,
            frequency=Frequency.ANNUAL,
            receiver=centre,
            units=provinces,
            also_on_demand=True,
            title="Báo cáo kết quả thực hiện Chỉ thị số 21-CT/TW",
            starts_on=FIRST_PERIOD_DAY,
            generate=False,
        )
    )
    plan_105 = Document.objects.filter(identifier="105-KH/TU").first()
    kon_ray = _unit("Huyện ủy Kon Rẫy")
    if plan_105 is not None and kon_tum is not None and kon_ray is not None:
        made.append(
            services.report_requirement_create(
                actor=None,
                document=plan_105,
                frequency=Frequency.ANNUAL,
                receiver=kon_tum,
                units=[kon_ray],
                title="Báo cáo kết quả thực hiện Kế hoạch số 105-KH/TU",
                starts_on=FIRST_PERIOD_DAY,
                generate=False,
            )
        )
    kon_ray_plan = Document.objects.filter(issuer=kon_ray, root=directive).first()
    if kon_ray_plan is not None:
        made.append(
            services.report_requirement_create(
                actor=None,
                document=kon_ray_plan,
                frequency=Frequency.ANNUAL,
                title="Báo cáo kết quả thực hiện Kế hoạch của Ban Thường vụ Huyện ủy Kon Rẫy",
                starts_on=FIRST_PERIOD_DAY,
                generate=False,
            )
        )
    reporting_task = (
        Task.objects.filter(document__root=directive, deadline_text__contains="10/12 hằng năm")
        .select_related("document")
        .first()
    )
    if reporting_task is not None:
        made.append(
            services.report_requirement_create_from_task(
                actor=None, task=reporting_task, starts_on=FIRST_PERIOD_DAY, generate=False
            )
        )
    created = sum(
        services.report_requests_generate(requirement=requirement, until=until)
        for requirement in made
    )
    if fill and kon_ray_plan is not None:
        _fill_kon_ray(kon_ray_plan)
    return DemoReports(created=True, requirements=made, requests=created)


def _fill_kon_ray(plan: Document) -> None:
    for name, (numerator, denominator, outcome) in COMMUNE_FIGURES.items():
        report = ReportRequest.objects.filter(
            requirement__document=plan, unit__name=name, period_key=DEMO_YEAR
        ).first()
        if report is None:
            continue
        report = services.report_start(actor=None, report=report)
        first = report.measurements.order_by("position").first()
        services.report_save_draft(
            actor=None,
            report=report,
            results=COMMUNE_RESULTS,
            limitations="Một số gia đình chưa quan tâm cho con em học nghề.",
            proposals="Đề nghị hỗ trợ kinh phí tư vấn hướng nghiệp tại trường.",
            measurements={first.pk: (numerator, denominator)} if first else {},
        )
        services.report_submit(actor=None, report=report)
        if outcome == "accept":
            services.report_accept(actor=None, report=report, comment="Đạt yêu cầu.")
    district = ReportRequest.objects.filter(
        unit=plan.issuer_id, period_key=DEMO_YEAR, cascade_root=plan.root_id
    ).first()
    if district is not None and district.state == ReportState.NOT_STARTED:
        services.report_start(actor=None, report=district)
