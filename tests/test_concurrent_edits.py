"""Two people editing the same task or report: the second save is refused with the other's
change shown, and what the second person typed is kept in the form."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from cascade.concurrency import EditConflict
from reports import services as report_services
from reports.models import Frequency, ReportRequest
from tasks import services as task_services
from tests.factories import make_document, make_task, make_unit, member
from units.models import Level, Role

pytestmark = pytest.mark.django_db


def _version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


@pytest.fixture
def task(district):
    document = make_document(district, title="Kế hoạch thực hiện Chỉ thị 21")
    return make_task(document, lead=[district], text="Quán triệt Chỉ thị")


def test_a_stale_task_save_is_refused_by_the_service(task, district):
    opened_at = task.version
    task_services.task_update(actor=None, task=task, text="Bản của chị An", section="1")
    with pytest.raises(EditConflict) as refused:
        task_services.task_update(
            actor=None, task=task, text="Bản của anh Bình", expected_version=opened_at
        )
    task.refresh_from_db()
    assert task.text == "Bản của chị An"
    assert refused.value.current_version == task.version == opened_at + 1


def test_two_people_editing_a_task_the_second_sees_the_first_change_and_keeps_theirs(
    task, district
):
    an, binh = Client(), Client()
    an.force_login(member(district, Role.STAFF))
    binh.force_login(member(district, Role.STAFF))
    url = reverse("task_edit", args=[task.pk])
    version = _version_in(an.get(url).content.decode())
    assert version == _version_in(binh.get(url).content.decode())

    def form(text: str, version: str) -> dict:
        return {"text": text, "section": "", "lead": [district.pk], "version": version}

    assert an.post(url, form("Bản của chị An", version)).status_code == 302
    refused = binh.post(url, form("Bản của anh Bình", version))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "after you opened it" in page or "sau khi bạn mở" in page
    assert "Bản của anh Bình" in page  # the second person's input is kept
    assert "Bản của chị An" in page  # and the first person's change is shown
    task.refresh_from_db()
    assert task.text == "Bản của chị An"

    # Saving again after looking keeps the second person's text, on purpose.
    again = binh.post(url, form("Bản của anh Bình", _version_in(page)))
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.text == "Bản của anh Bình"


@pytest.fixture
def report(district):
    commune = make_unit("Đảng ủy xã Thử", parent=district, level=Level.COMMUNE, code="ĐU")
    plan = make_document(district, title="Kế hoạch báo cáo")
    requirement = report_services.report_requirement_create(
        actor=None,
        document=plan,
        frequency=Frequency.ANNUAL,
        receiver=district,
        units=[commune],
        starts_on=date(2025, 1, 1),
        generate=False,
    )
    report_services.report_requests_generate(
        requirement=requirement, until=date(2025, 12, 31), actor=None
    )
    report = ReportRequest.objects.filter(requirement=requirement).order_by("period_key")[0]
    report_services.report_start(actor=None, report=report)
    report.refresh_from_db()
    return report


def test_a_stale_report_save_is_refused_by_the_service(report):
    opened_at = report.version
    report_services.report_save_draft(actor=None, report=report, results="Kết quả của xã")
    with pytest.raises(EditConflict):
        report_services.report_save_draft(
            actor=None, report=report, results="Bản khác", expected_version=opened_at
        )
    report.refresh_from_db()
    assert report.results == "Kết quả của xã"


def test_two_people_writing_a_report_the_second_is_refused_and_keeps_their_text(report):
    an, binh = Client(), Client()
    an.force_login(member(report.unit, Role.STAFF))
    binh.force_login(member(report.unit, Role.STAFF))
    page = reverse("reports:detail", args=[report.pk])
    version = _version_in(an.get(page).content.decode())
    assert version == _version_in(binh.get(page).content.decode())
    save = reverse("reports:save", args=[report.pk])
    assert an.post(save, {"results": "Kết quả chị An viết", "version": version}).status_code == 302
    refused = binh.post(
        save, {"results": "Kết quả anh Bình viết", "version": version}, HTTP_HX_REQUEST="true"
    )
    text = refused.content.decode()
    assert "Kết quả anh Bình viết" in text and "Kết quả chị An viết" in text
    report.refresh_from_db()
    assert report.results == "Kết quả chị An viết"
    again = binh.post(save, {"results": "Kết quả anh Bình viết", "version": _version_in(text)})
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.results == "Kết quả anh Bình viết"


def test_an_htmx_draft_save_does_not_conflict_with_itself(report):
    client = Client()
    client.force_login(member(report.unit, Role.STAFF))
    save = reverse("reports:save", args=[report.pk])
    version = str(report.version)
    for text in ("Lần một", "Lần hai", "Lần ba"):
        response = client.post(save, {"results": text, "version": version}, HTTP_HX_REQUEST="true")
        version = _version_in(response.content.decode())
    report.refresh_from_db()
    assert report.results == "Lần ba"


def test_a_report_submitted_while_another_writes_gives_the_writer_their_text_back(report):
    an, binh = Client(), Client()
    an.force_login(member(report.unit, Role.STAFF))
    binh.force_login(member(report.unit, Role.STAFF))
    page = reverse("reports:detail", args=[report.pk])
    version = _version_in(binh.get(page).content.decode())
    save = reverse("reports:save", args=[report.pk])
    an.post(save, {"results": "Bản của chị An", "version": version, "action": "submit"})
    report.refresh_from_db()
    assert report.state == "submitted"
    for headers in ({}, {"HX-Request": "true"}):
        late = binh.post(
            save,
            {"results": "Bản anh Bình <b>viết dở</b>", "proposals": "Đề xuất", "version": version},
            headers=headers,
        )
        assert late.status_code == (200 if headers else 409)
        text = late.content.decode()
        assert "Bản anh Bình &lt;b&gt;viết dở&lt;/b&gt;" in text and "Đề xuất" in text
    report.refresh_from_db()
    assert report.results == "Bản của chị An"
