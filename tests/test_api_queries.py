"""Every list endpoint costs the same number of queries however many rows it returns: the
views fetch related rows with joins and prefetches, never one query per row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationKind
from reports import services as report_services
from reports.models import ReportRequest, ReportState
from tasks.models import Assignment
from tests.api_support import token_client
from tests.factories import make_document, make_task, make_unit, member
from tests.test_reports_support import GENERATE_UNTIL, build_chain
from units.models import Level, Role

LISTS = [
    "/api/units/",
    "/api/documents/",
    "/api/targets/",
    "/api/measurements/",
    "/api/tasks/",
    "/api/assignments/",
    "/api/occurrences/",
    "/api/progress-updates/",
    "/api/reports/",
    "/api/notifications/",
    "/api/tokens/",
]


def _grow(chain, user, count: int) -> None:
    """``count`` more communes under the district, each with a task, a plan, a report with
    its measurement, a progress update and a notification for ``user``."""
    from plans import services as plan_services
    from tasks import services as task_services

    for i in range(count):
        commune = make_unit(
            f"Đảng ủy xã Thêm {make_unit.counter}",
            parent=chain.district,
            level=Level.COMMUNE,
            code="ĐU",
        )
        task = make_task(
            chain.district_plan,
            lead=[commune],
            text=f"Nhiệm vụ thêm {i}",
            deadline_text="trước ngày 10/12 hằng năm",
        )
        plan = make_document(commune, implements=chain.district_plan)
        plan_services.target_create(
            actor=None,
            document=plan,
            text="Thu hút học sinh vào giáo dục nghề nghiệp",
            low=Decimal(10),
            high=Decimal(15),
            parent=chain.district_target,
        )
        assignment = task.assignments.get()
        task_services.progress_add(
            actor=member(commune, Role.STAFF),
            assignment=assignment,
            note="Đang làm",
            status="in_progress",
        )
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.ASSIGNED,
            assignment=assignment,
            task=task,
            document=chain.district_plan,
            unit=commune,
        )
    report_services.report_requests_generate(requirement=chain.bottom, until=GENERATE_UNTIL)
    for report in ReportRequest.objects.filter(state=ReportState.NOT_STARTED):
        report_services.report_start(actor=None, report=report)


def _measure(client) -> dict[str, tuple[int, int]]:
    """(queries, rows) per list endpoint."""
    # The first request with a token notes when it was used (once a minute): not counted.
    client.get("/api/")
    figures = {}
    for path in LISTS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, {"page_size": 200})
        assert response.status_code == 200, (path, response.content)
        figures[path] = (len(captured), response.json()["count"])
    return figures


@pytest.fixture
def chain(db):
    return build_chain(communes=1)


def test_list_endpoints_cost_the_same_queries_for_few_and_many_rows(chain, capsys):
    leader = member(chain.centre, Role.LEADER)
    client = token_client(leader)
    _grow(chain, leader, 1)
    small = _measure(client)
    _grow(chain, leader, 8)
    token_client(leader, name="second")
    large = _measure(client)
    with capsys.disabled():
        print("\nAPI list queries (rows small → large):")
        for path in LISTS:
            print(
                f"  {path:28} {small[path][0]:3} queries ({small[path][1]} → {large[path][1]} rows)"
            )
    for path in LISTS:
        if path not in ("/api/tokens/",):
            assert large[path][1] > small[path][1], path
        assert large[path][0] == small[path][0], (path, small[path], large[path])
        assert small[path][0] <= 8, path


def test_the_dashboard_and_a_cascade_export_do_not_grow_with_the_tree(chain):
    leader = member(chain.centre, Role.LEADER)
    client = token_client(leader)
    _grow(chain, leader, 1)

    def queries(path: str) -> int:
        client.get("/api/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, response.content
        return len(captured)

    dashboard = f"/api/dashboard/?directive={chain.directive.pk}"
    cascade = f"/api/documents/{chain.directive.pk}/cascade/"
    before = (queries(dashboard), queries(cascade))
    _grow(chain, leader, 6)
    assert (queries(dashboard), queries(cascade)) == before
    assert Assignment.objects.count() > 6
