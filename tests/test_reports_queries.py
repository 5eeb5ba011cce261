"""Rolling up costs the same number of queries however many units report below."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services as plan_services
from reports import services
from reports.models import ReportRequest
from tests.factories import make_document, make_task, make_unit, member
from tests.test_reports_support import report_and_accept
from units.models import Level, Role

pytestmark = pytest.mark.urls("tests.test_reports_support")


def _consolidation(size: int) -> ReportRequest:
    """A province whose report consolidates ``size`` districts' accepted reports, each with
    two targets and a task."""
    centre = make_unit(f"Trung ương {size}", level=Level.CENTRAL, code="TW")
    province = make_unit(f"Tỉnh {size}", parent=centre, level=Level.PROVINCE)
    directive = make_document(centre, doc_type="CT")
    for text in ("Học sinh vào GDNN", "Lao động được đào tạo lại"):
        plan_services.target_create(actor=None, document=directive, text=text, low=Decimal(50))
    plan = make_document(province, implements=directive)
    districts = [
        make_unit(f"Huyện {size}-{i}", parent=province, level=Level.DISTRICT, code="HU")
        for i in range(size)
    ]
    make_task(plan, lead=districts)
    upper = services.report_requirement_create(
        actor=None, document=directive, frequency="annual", units=[province], generate=False
    )
    lower = services.report_requirement_create(
        actor=None, document=plan, frequency="annual", generate=False
    )
    for requirement in (upper, lower):
        services.report_requests_generate(requirement=requirement, until=requirement.starts_on)
    for i, district in enumerate(districts):
        report = ReportRequest.objects.get(unit=district)
        report_and_accept(report, i + 1, 10 * (i + 1))
    report = ReportRequest.objects.get(unit=province)
    return services.report_start(actor=None, report=report)


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_rolling_up_does_not_grow_with_the_number_of_units_below(db):
    small = _consolidation(2)
    large = _consolidation(25)
    assert large.subordinates_accepted == 25
    row = large.measurements.order_by("position").first()
    assert (row.numerator, row.denominator) == (sum(range(1, 26)), 10 * sum(range(1, 26)))
    small_count = _queries(lambda: services.rollup_prefill(actor=None, report=small))
    large_count = _queries(lambda: services.rollup_prefill(actor=None, report=large))
    assert small_count == large_count <= 20


def test_the_consolidating_report_page_does_not_grow_with_the_units_below(db, client):
    small = _consolidation(2)
    large = _consolidation(25)
    counts = []
    for report in (small, large):
        client.force_login(member(report.unit, Role.STAFF))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reports:detail", args=[report.pk]))
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 40
