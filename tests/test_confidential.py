"""Confidential ("mật") documents and the observer role, both decided by the one scoping rule.

A confidential plan is seen only by its issuing unit and the units it names (recipients, units
given its tasks): not by the leaders above, in no page, search, dashboard figure or export of
theirs. An observer reads a whole subtree, like a leader, and changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import selectors as dashboard_selectors
from dashboard.filters import resolve
from plans.models import DocType, Document
from tasks.models import Task
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role, Unit

pytestmark = pytest.mark.django_db

SECRET = "zqxmatzqx"


@pytest.fixture
def cascade(province, district):
    """The province's directive; the district's confidential plan carrying it out, with a task
    for a commune; a sister district's open plan."""
    commune = make_unit("Đảng ủy xã Kín", parent=district, level=Level.COMMUNE, code="ĐU")
    sister = make_unit("Huyện ủy Bên Cạnh", parent=province, level=Level.DISTRICT, code="HU")
    directive = make_document(
        province,
        doc_type=DocType.DIRECTIVE,
        title="Chỉ thị của Tỉnh ủy",
        issued_on=date(2025, 1, 5),
    )
    secret = make_document(
        district,
        implements=directive,
        title=f"Kế hoạch {SECRET}",
        body=f"Nội dung {SECRET}",
        confidential=True,
        issued_on=date(2025, 2, 1),
    )
    make_task(secret, lead=[commune], text=f"Nhiệm vụ {SECRET}", deadline_text="quý I/2025")
    open_plan = make_document(sister, implements=directive, title="Kế hoạch công khai")
    make_task(open_plan, lead=[sister], text="Nhiệm vụ công khai", deadline_text="quý I/2025")
    return {"directive": directive, "secret": secret, "commune": commune, "sister": sister}


def _see(user, document: Document) -> bool:
    return Document.objects.visible_to(user).filter(pk=document.pk).exists()


def test_only_the_issuer_and_the_units_it_names_see_a_confidential_plan(
    cascade, province, district
):
    secret = cascade["secret"]
    assert _see(member(district, Role.STAFF), secret)
    assert _see(member(cascade["commune"], Role.STAFF), secret)  # given one of its tasks
    assert not _see(member(province, Role.LEADER), secret)  # the leaders above: no
    assert not _see(member(province, Role.OBSERVER), secret)
    assert not _see(member(cascade["sister"], Role.STAFF), secret)
    assert not Task.objects.visible_to(member(province, Role.LEADER)).filter(document=secret)


def test_a_confidential_plan_stays_out_of_an_outside_leaders_pages_dashboard_and_exports(
    client, cascade, province
):
    leader = member(province, Role.LEADER)
    client.force_login(leader)
    secret, directive = cascade["secret"], cascade["directive"]
    for url in (
        reverse("document", args=[secret.pk]),
        reverse("export_docx", args=[secret.pk]),
        reverse("export_xlsx", args=[secret.pk]),
        reverse("audit:document_history", args=[secret.pk]),
    ):
        assert client.get(url).status_code == 404, url
    pages = [
        client.get(reverse("home")),
        client.get(reverse("search"), {"q": SECRET[:-1]}),
        client.get(reverse("cascade", args=[directive.pk])),
        client.get(reverse("dashboard"), {"directive": directive.pk}),
        client.get(reverse("deadlines_review")),
    ]
    for table in ("plans", "overdue", "states"):
        for fmt in ("csv", "xlsx"):
            response = client.get(
                reverse("dashboard_export", args=[table, fmt]), {"directive": directive.pk}
            )
            if response.status_code == 200:
                pages.append(response)
    for response in pages:
        assert response.status_code == 200
        assert SECRET not in response.content.decode(errors="replace")

    # The figures: the leader's dashboard counts the open plan's occurrences only.
    filters = resolve(leader, {"directive": str(directive.pk)}, today=timezone.localdate())
    counted = dashboard_selectors.task_states(filters).total
    assert counted == 1

    # The district that issued it counts its own task.
    district_staff = member(secret.issuer, Role.LEADER)
    own = resolve(district_staff, {"directive": str(directive.pk)}, today=timezone.localdate())
    assert dashboard_selectors.task_states(own).total == 1


def test_the_csv_export_of_a_leader_outside_the_circle_has_no_row_of_it(client, cascade, province):
    client.force_login(member(province, Role.LEADER))
    response = client.get(
        reverse("dashboard_export", args=["plans", "csv"]),
        {"directive": cascade["directive"].pk},
    )
    if response.status_code == 200:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert not any(SECRET in cell for row in rows for cell in row)


def test_an_observer_reads_the_subtree_and_changes_nothing(client, province, district):
    plan = make_document(district, title="Kế hoạch của huyện")
    task = make_task(plan, lead=[district], text="Việc của huyện")
    observer = member(province, Role.OBSERVER)
    assert set(Unit.objects.readable_by(observer)) >= {province, district}
    assert not Unit.objects.editable_by(observer).exists()
    assert _see(observer, plan)
    assert not Document.objects.editable_by(observer).exists()
    client.force_login(observer)
    assert client.get(reverse("document", args=[plan.pk])).status_code == 200
    assert client.get(reverse("task", args=[task.pk])).status_code == 200
    assert client.get(reverse("document_edit", args=[plan.pk])).status_code == 404
    assert client.get(reverse("task_edit", args=[task.pk])).status_code == 404
    assignment = task.assignments.get()
    response = client.post(
        reverse("progress_create", args=[assignment.pk]), {"note": "x", "status": "done"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("confidential", [False, True])
def test_escalations_of_a_confidential_plan_stay_inside_its_circle(
    confidential, province, district
):
    """A late task of a district's plan given to a sister district escalates to the province's
    leaders, except when the plan is confidential: the province is outside its circle."""
    from notifications import services as notification_services
    from notifications.models import Notification, NotificationKind

    sister = make_unit("Huyện ủy Láng Giềng", parent=province, level=Level.DISTRICT, code="HU")
    member(sister, Role.STAFF)
    province_leader = member(province, Role.LEADER)
    plan = make_document(
        district,
        title=f"Kế hoạch {SECRET}",
        confidential=confidential,
        issued_on=date(2025, 1, 2),
    )
    make_task(plan, lead=[sister], text=f"Nhiệm vụ {SECRET}", deadline_text="ngày 10/1/2025")
    notification_services.reminders_sweep(today=date(2025, 3, 1))
    escalated = Notification.objects.filter(
        recipient=province_leader, kind=NotificationKind.ESCALATION
    ).exists()
    assert escalated is not confidential


def test_an_observer_does_not_manage_reporting_duties(province, district):
    from reports import services as report_services
    from reports.models import Frequency, ReportRequirement

    plan = make_document(district, title="Kế hoạch có báo cáo")
    requirement = report_services.report_requirement_create(
        actor=None,
        document=plan,
        frequency=Frequency.ANNUAL,
        receiver=district,
        starts_on=date(2025, 1, 1),
        generate=False,
    )
    observer = member(province, Role.OBSERVER)
    leader = member(province, Role.LEADER)
    assert ReportRequirement.objects.visible_to(observer).filter(pk=requirement.pk).exists()
    assert not ReportRequirement.objects.manageable_by(observer).exists()
    assert ReportRequirement.objects.manageable_by(leader).filter(pk=requirement.pk).exists()
    assert not Unit.objects.actionable_by(observer).exists()
