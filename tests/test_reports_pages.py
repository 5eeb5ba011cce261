"""The report pages render for those who may see them and do what their buttons say."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from reports.demo import load_demo_reports
from reports.models import ReportRequest, ReportRequirement, ReportState
from tests.factories import member
from tests.test_reports_support import build_chain, report_and_accept, request_of
from units.models import Role

pytestmark = pytest.mark.urls("tests.test_reports_support")


def _editor_payload(report, **data) -> dict:
    payload = {"results": "", "limitations": "", "proposals": ""}
    for line in report.task_lines.all():
        payload[f"line-{line.pk}-status"] = line.status
        payload[f"line-{line.pk}-evidence"] = line.evidence
    for row in report.measurements.all():
        payload[f"m-{row.pk}-numerator"] = "" if row.numerator is None else row.numerator
        payload[f"m-{row.pk}-denominator"] = "" if row.denominator is None else row.denominator
    payload.update(data)
    return payload


def test_the_list_shows_what_my_unit_sends_and_what_it_receives(db, client):
    chain = build_chain(communes=2)
    client.force_login(member(chain.district, Role.STAFF))
    client.cookies["django_language"] = "en"  # the headings below are read in English
    page = client.get(reverse("reports:list")).content.decode()
    sends, receives = page.split("Reports sent to your units")
    assert "Huyện ủy Hai" in sends and "Tỉnh ủy Một" in sends
    assert "Đảng ủy xã Số 1" in receives and "Đảng ủy xã Số 2" in receives
    fragment = client.get(
        reverse("reports:list") + "?box=incoming&state=not_started", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    assert "Đảng ủy xã Số 1" in fragment


def test_a_report_is_started_saved_with_htmx_and_submitted_from_its_page(db, client):
    chain = build_chain(communes=1)
    report = request_of(chain.communes[0])
    client.force_login(member(chain.communes[0], Role.STAFF))
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'id="start-report"' in page
    client.post(reverse("reports:start", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    row = report.measurements.get()
    fragment = client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(
            report,
            results="Kết quả",
            action="save",
            **{f"m-{row.pk}-numerator": "132", f"m-{row.pk}-denominator": "410"},
        ),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "<html" not in fragment
    assert 'id="report-editor"' in fragment
    assert 'role="status"' in fragment  # "saved at…"
    assert "32,2%" in fragment  # 132 of 410
    response = client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(report, results="Kết quả", action="submit"),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    row.refresh_from_db()
    assert (row.numerator, row.denominator) == (132, 410)


def test_submitting_without_results_shows_the_error_and_keeps_what_was_typed(db, client):
    chain = build_chain(communes=1)
    report = request_of(chain.communes[0])
    client.force_login(member(chain.communes[0], Role.STAFF))
    client.post(reverse("reports:start", args=[report.pk]))
    page = client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(report, limitations="Chưa có gì để báo", action="submit"),
    ).content.decode()
    assert 'class="error"' in page
    # "Save and submit" is one action: refused, it saves nothing, and the text typed comes
    # back in the form to be completed.
    assert "Chưa có gì để báo" in page
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT
    assert report.limitations == ""


def test_the_receiver_returns_and_accepts_from_the_page_and_the_history_shows_it(db, client):
    chain = build_chain(communes=1)
    writer = member(chain.communes[0], Role.STAFF)
    leader = member(chain.district, Role.LEADER)
    report = request_of(chain.communes[0])
    client.force_login(writer)
    client.post(reverse("reports:start", args=[report.pk]))
    client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(report, results="Lần đầu", action="submit"),
    )
    client.force_login(leader)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'id="accept-report"' in page and 'id="report-editor"' not in page
    client.post(
        reverse("reports:review", args=[report.pk]),
        {"action": "return", "comment": "Thiếu số liệu"},
    )
    client.force_login(writer)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Thiếu số liệu" in page and 'id="report-editor"' in page
    client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(report, results="Lần hai", action="submit"),
    )
    client.force_login(leader)
    client.post(reverse("reports:review", args=[report.pk]), {"action": "accept"})
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert page.count('class="state accepted"') >= 2  # the title and the history
    assert 'id="reopen"' in page


def test_a_return_without_a_reason_is_refused_with_a_message_and_changes_nothing(db, client):
    chain = build_chain(communes=1)
    writer = member(chain.communes[0], Role.STAFF)
    report = request_of(chain.communes[0])
    client.force_login(writer)
    client.post(reverse("reports:start", args=[report.pk]))
    client.post(
        reverse("reports:save", args=[report.pk]),
        _editor_payload(report, results="Đã làm", action="submit"),
    )
    client.force_login(member(chain.district, Role.LEADER))
    response = client.post(
        reverse("reports:review", args=[report.pk]),
        {"action": "return", "comment": " "},
        follow=True,
    )
    assert response.status_code == 200
    assert "Hãy nêu rõ nội dung cần chỉnh sửa." in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_the_consolidating_page_shows_the_units_below_and_who_has_not_reported(db, client):
    chain = build_chain(communes=3)
    report_and_accept(request_of(chain.communes[0]), 30, 50)
    report_and_accept(request_of(chain.communes[1]), 10, 100)
    client.force_login(member(chain.district, Role.STAFF))
    district = request_of(chain.district)
    client.post(reverse("reports:start", args=[district.pk]))
    page = client.get(reverse("reports:detail", args=[district.pk])).content.decode()
    assert 'id="rollup"' in page
    assert "40/150" in page and "26,7%" in page  # from the sums, not (60% + 10%) / 2
    assert 'id="not-reported"' in page and "Đảng ủy xã Số 3" in page


def test_a_plan_editor_adds_a_reporting_duty_from_the_plans_reporting_task(demo, client):
    from plans.models import Document
    from tasks.models import Task
    from units.models import Unit

    kien_an = Unit.objects.get(name="Quận ủy Kiến An")
    plan = Document.objects.get(issuer=kien_an, depth=2)
    task = Task.objects.get(document=plan, deadline_text__contains="10/12")
    ReportRequirement.objects.filter(source_task=task).delete()  # the demo may have made it
    client.force_login(member(kien_an, Role.STAFF))
    section = client.get(reverse("reports:document_section", args=[plan.pk])).content.decode()
    assert reverse("reports:requirement_create", args=[plan.pk]) in section
    form = client.get(reverse("reports:requirement_create", args=[plan.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("reports:requirement_create", args=[plan.pk]),
        {
            "source_task": task.pk,
            "frequency": "",
            "receiver": kien_an.pk,
            "cutoff_shift_days": 0,
            "starts_on": "2024-01-01",
            "lead_province": 5,
            "lead_district": 5,
            "lead_commune": 10,
            "lead_grassroots": 5,
        },
    )
    assert response.status_code == 302
    requirement = ReportRequirement.objects.get(source_task=task)
    assert (requirement.frequency, requirement.due_offset_days) == ("annual", -5)
    page = client.get(response["Location"]).content.decode()
    assert "Đảng ủy phường Bắc Sơn" in page


def test_the_demo_reports_pages_render_for_the_demo_logins(demo, client):
    from django.contrib.auth import get_user_model

    load_demo_reports()
    users = get_user_model().objects.filter(username__in=["canbo.konray", "lanhdao.kontum"])
    assert users.count() == 2
    for user in users:
        client.force_login(user)
        assert client.get(reverse("reports:list")).status_code == 200
        for report in ReportRequest.objects.visible_to(user)[:30]:
            url = reverse("reports:detail", args=[report.pk])
            assert client.get(url).status_code == 200, url
        for requirement in ReportRequirement.objects.visible_to(user):
            url = reverse("reports:requirement", args=[requirement.pk])
            assert client.get(url).status_code == 200, url


def test_the_receiving_side_asks_for_an_ad_hoc_report_and_moves_a_due_date(db, client):
    chain = build_chain(communes=2)
    client.force_login(member(chain.district, Role.STAFF))
    response = client.post(
        reverse("reports:adhoc", args=[chain.bottom.pk]),
        {"subject": "Báo cáo đột xuất", "due_on": "2099-01-15"},
    )
    assert response.status_code == 302
    asked = ReportRequest.objects.filter(is_ad_hoc=True)
    assert asked.count() == 2 and {r.due_on for r in asked} == {date(2099, 1, 15)}
    report = request_of(chain.communes[0])
    client.post(
        reverse("reports:reschedule", args=[report.pk]),
        {
            "due_on": "2025-12-01",
            "period_starts_on": "2024-12-15",
            "period_ends_on": "2025-11-30",
        },
    )
    report.refresh_from_db()
    assert (report.due_on, report.period_ends_on) == (date(2025, 12, 1), date(2025, 11, 30))


def test_the_admin_lists_every_report_model(db, client):
    from django.apps import apps

    from tests.factories import UserFactory

    build_chain(communes=1)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for model in apps.get_app_config("reports").get_models():
        url = reverse(f"admin:reports_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_a_plan_page_can_include_its_reporting_duties_with_one_tag(demo, rf):
    from django.template import Context, Template

    from plans.models import Document
    from units.models import Unit

    load_demo_reports()
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    plan = Document.objects.get(issuer=kon_ray, depth=2)
    request = rf.get("/")
    request.user = member(kon_ray, Role.STAFF)
    html = Template("{% load report_tags %}{% reports_for_document document %}").render(
        Context({"document": plan, "request": request})
    )
    assert 'id="reports-section"' in html
    assert "Báo cáo kết quả thực hiện Kế hoạch của Ban Thường vụ Huyện ủy Kon Rẫy" in html
