"""The audit trail: written by the services whoever calls them (a page, a Celery job, a
command), shown as a history on each object's page, searchable by administrators, and never
changed through the application."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditEvent
from reports import jobs as report_jobs
from reports import services as report_services
from reports.models import Frequency, ReportRequest
from tasks import services as task_services
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(district):
    document = make_document(district, title="Kế hoạch thực hiện Chỉ thị 21")
    make_task(document, lead=[district], text="Quán triệt Chỉ thị")
    return document


@pytest.fixture
def commune(district):
    return make_unit("Đảng ủy xã Thử Nghiệm", parent=district, level=Level.COMMUNE, code="ĐU")


def _requirement(plan, commune, district):
    return report_services.report_requirement_create(
        actor=None,
        document=plan,
        frequency=Frequency.ANNUAL,
        receiver=district,
        units=[commune],
        starts_on=date(2025, 1, 1),
        generate=False,
    )


def test_a_change_made_by_a_celery_job_is_recorded_with_its_source(plan, commune, district):
    requirement = _requirement(plan, commune, district)
    report_jobs.generate_report_requests.delay(
        requirement_id=requirement.pk, until="2025-12-31"
    ).get()
    report = ReportRequest.objects.filter(requirement=requirement).order_by("period_key")[0]
    event = AuditEvent.objects.get(
        object_type="reports.reportrequest", object_id=str(report.pk), action="create"
    )
    assert event.source == "job:generate_report_requests"
    assert event.actor is None and event.actor_label == "system"


def test_a_change_made_by_a_management_command_is_recorded_with_its_source(plan, commune, district):
    requirement = _requirement(plan, commune, district)
    call_command("generate_report_requests", requirement=requirement.pk, until=date(2025, 12, 31))
    report = ReportRequest.objects.filter(requirement=requirement).order_by("period_key")[0]
    event = AuditEvent.objects.get(object_type="reports.reportrequest", object_id=str(report.pk))
    assert event.source == "command:generate_report_requests"


def test_a_change_made_from_a_page_is_recorded_with_the_person_and_address(client, plan, district):
    staff = member(district, Role.STAFF)
    task = plan.tasks.get()
    client.force_login(staff)
    response = client.post(
        reverse("task_edit", args=[task.pk]),
        {
            "text": "Quán triệt Chỉ thị <script>alert(1)</script>",
            "section": "1",
            "deadline_text": "quý III/2025",
            "lead": [district.pk],
            "version": task.version,
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk)).first()
    assert event.action == "update"
    assert (event.actor, event.source, event.ip_address) == (staff, "web", "203.0.113.9")
    assert event.changes["text"] == [
        "Quán triệt Chỉ thị",
        "Quán triệt Chỉ thị <script>alert(1)</script>",
    ]

    history = client.get(reverse("audit:task_history", args=[task.pk]), HTTP_HX_REQUEST="true")
    page = history.content.decode()
    assert history.status_code == 200
    assert staff.username in page and "203.0.113.9" in page and "web" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        reverse("audit:task_history", args=[task.pk])
        in client.get(reverse("task", args=[task.pk])).content.decode()
    )


def test_history_is_only_for_those_who_may_read_the_issuers_work(client, plan, other_province):
    client.force_login(member(other_province, Role.LEADER))
    assert client.get(reverse("audit:document_history", args=[plan.pk])).status_code == 404
    task = plan.tasks.get()
    assert client.get(reverse("audit:task_history", args=[task.pk])).status_code == 404


def test_document_history_lists_its_changes(client, plan, district):
    client.force_login(member(district, Role.STAFF))
    page = client.get(reverse("audit:document_history", args=[plan.pk])).content.decode()
    assert "create" in page and "plans.document" in page
    detail = client.get(reverse("document", args=[plan.pk])).content.decode()
    assert reverse("audit:document_history", args=[plan.pk]) in detail


def test_report_history_is_shown_to_those_who_see_the_report(client, plan, commune, district):
    requirement = _requirement(plan, commune, district)
    report_services.report_requests_generate(
        requirement=requirement, until=date(2025, 12, 31), actor=None
    )
    report = ReportRequest.objects.filter(requirement=requirement).order_by("period_key")[0]
    client.force_login(member(commune, Role.STAFF))
    response = client.get(reverse("audit:report_history", args=[report.pk]))
    assert response.status_code == 200
    assert "reports.reportrequest" in response.content.decode()


def test_the_audit_search_is_for_administrators_and_scoped(client, plan, district, other_province):
    theirs = make_document(other_province, title="Kế hoạch của tỉnh bên cạnh")
    admin = member(district, Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get(reverse("audit:search"), {"object_type": "plans.document"})
    shown = {event.object_id for event, _rows in response.context["events"]}
    assert str(plan.pk) in shown and str(theirs.pk) not in shown
    by_text = client.get(reverse("audit:search"), {"text": "Chỉ thị 21", "date_from": "2020-01-01"})
    assert by_text.status_code == 200
    bad_range = client.get(
        reverse("audit:search"), {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert bad_range.status_code == 200 and not bad_range.context["events"]

    client.force_login(member(district, Role.STAFF))
    assert client.get(reverse("audit:search")).status_code == 404


def test_the_trail_cannot_be_changed_through_the_application(client, plan, district):
    """No page writes to it: every audit page answers GET only, and no service deletes rows."""
    client.force_login(member(district, Role.ADMINISTRATOR))
    before = AuditEvent.objects.count()
    for url in (
        reverse("audit:search"),
        reverse("audit:document_history", args=[plan.pk]),
    ):
        assert client.post(url, {"action": "delete"}).status_code == 405
    assert AuditEvent.objects.count() == before


def test_a_service_call_without_a_person_is_recorded_as_the_system(plan, district):
    task = plan.tasks.get()
    task_services.task_correct_deadline(
        actor=None, task=task, kind="once", due_on=date(2025, 9, 30), on_demand=False
    )
    event = AuditEvent.objects.filter(object_type="tasks.task", object_id=str(task.pk)).first()
    assert event.actor_label == "system" and event.source == "code"
