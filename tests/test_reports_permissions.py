"""Who may read, write and review a report: the reporting unit writes while the report is
not started, a draft or returned; the receiving unit's leaders (or those above) review; a
submitted report is changed only by returning it; another branch and outsiders see nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports import services
from reports.models import ReportRequest, ReportState
from tests.factories import UserFactory, member
from tests.test_reports_support import build_chain, request_of
from units.models import Role

pytestmark = pytest.mark.urls("tests.test_reports_support")


@pytest.fixture
def chain(db):
    return build_chain(communes=2)


@pytest.fixture
def submitted(chain):
    """Commune 1's report, written by its staff and submitted to the district."""
    writer = member(chain.communes[0], Role.STAFF)
    report = services.report_start(actor=writer, report=request_of(chain.communes[0]))
    row = report.measurements.get()
    services.report_save_draft(
        actor=writer, report=report, results="Đã làm.", measurements={row.pk: (3, 9)}
    )
    services.report_submit(actor=writer, report=report)
    report.refresh_from_db()
    report.writer = writer
    return report


def _post_save(client, report, **data):
    """Post the editor as a browser would: every line's status, the narrative, ``data``."""
    payload = {"results": "Sửa lại", "limitations": "", "proposals": ""}
    for line in report.task_lines.all():
        payload[f"line-{line.pk}-status"] = line.status
    payload.update(data)
    return client.post(reverse("reports:save", args=[report.pk]), payload)


def test_a_submitted_report_cannot_be_edited_except_by_returning_it(chain, submitted, client):
    writer = submitted.writer
    assert not ReportRequest.objects.editable_by(writer).filter(pk=submitted.pk).exists()
    with pytest.raises(ValidationError):
        services.report_save_draft(actor=writer, report=submitted, results="Sửa lén.")
    client.force_login(writer)
    refused = _post_save(client, submitted)  # refused, the text given back, nothing saved
    assert refused.status_code == 409 and "Sửa lại" in refused.content.decode()
    page = client.get(reverse("reports:detail", args=[submitted.pk])).content.decode()
    assert 'id="report-editor"' not in page
    submitted.refresh_from_db()
    assert submitted.results == "Đã làm."

    leader = member(chain.district, Role.LEADER)
    services.report_return(actor=leader, report=submitted, comment="Thiếu minh chứng.")
    assert ReportRequest.objects.editable_by(writer).filter(pk=submitted.pk).exists()
    response = _post_save(client, submitted)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.results == "Sửa lại"
    assert submitted.state == ReportState.RETURNED


def test_returning_needs_a_comment_and_only_a_submitted_report_is_accepted(chain, submitted):
    leader = member(chain.district, Role.LEADER)
    with pytest.raises(ValidationError):
        services.report_return(actor=leader, report=submitted, comment="  ")
    services.report_accept(actor=leader, report=submitted)
    with pytest.raises(ValidationError):
        services.report_accept(actor=leader, report=submitted)


def test_only_the_receiving_units_leaders_or_those_above_review(chain, submitted, client):
    writer = submitted.writer
    district_staff = member(chain.district, Role.STAFF)
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=writer, report=submitted)
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=district_staff, report=submitted)
    client.force_login(writer)
    response = client.post(reverse("reports:review", args=[submitted.pk]), {"action": "accept"})
    assert response.status_code == 404
    # A leader of the province above the receiving district may review.
    province_leader = member(chain.province, Role.LEADER)
    client.force_login(province_leader)
    response = client.post(
        reverse("reports:review", args=[submitted.pk]), {"action": "accept", "comment": "Đạt"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ReportState.ACCEPTED


def test_a_leader_of_the_receiving_unit_reads_but_does_not_write_the_report(chain, client):
    leader = member(chain.district, Role.LEADER)
    report = request_of(chain.communes[0])
    assert ReportRequest.objects.visible_to(leader).filter(pk=report.pk).exists()
    assert not ReportRequest.objects.editable_by(leader).filter(pk=report.pk).exists()
    with pytest.raises(PermissionDenied):
        services.report_start(actor=leader, report=report)


def test_another_branch_cannot_read_or_change_the_report(chain, submitted, client):
    other_leader = member(chain.other_province, Role.LEADER)
    other_staff = member(chain.other_district, Role.ADMINISTRATOR)
    for user in (other_leader, other_staff):
        assert not ReportRequest.objects.visible_to(user).filter(pk=submitted.pk).exists()
        client.force_login(user)
        assert client.get(reverse("reports:detail", args=[submitted.pk])).status_code == 404
        review = client.post(reverse("reports:review", args=[submitted.pk]), {"action": "accept"})
        assert review.status_code == 404
        assert client.post(reverse("reports:refresh", args=[submitted.pk])).status_code == 404
        listing = client.get(reverse("reports:list")).content.decode()
        assert "Đảng ủy xã Số 1" not in listing
    with pytest.raises(PermissionDenied):
        services.report_accept(actor=other_leader, report=submitted)
    with pytest.raises(PermissionDenied):
        services.report_return(actor=other_leader, report=submitted, comment="Không")
    # The other branch's own report stays its own: the district's staff cannot write it.
    other_report = request_of(chain.other_province)
    district_staff = member(chain.district, Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.report_start(actor=district_staff, report=other_report)
    # A sibling commune does not read its neighbour's report either.
    neighbour = member(chain.communes[1], Role.STAFF)
    assert not ReportRequest.objects.visible_to(neighbour).filter(pk=submitted.pk).exists()


def test_an_outsider_gets_a_404_everywhere(chain, submitted, client):
    outsider = UserFactory()
    client.force_login(outsider)
    urls = [
        reverse("reports:detail", args=[submitted.pk]),
        reverse("reports:requirement", args=[chain.bottom.pk]),
        reverse("reports:received", args=[chain.district.pk, chain.district_plan.pk, "2025"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for name in ("save", "review", "reopen", "refresh", "start", "reschedule"):
        response = client.post(reverse(f"reports:{name}", args=[submitted.pk]), {})
        assert response.status_code == 404, name
    page = client.get(reverse("reports:list")).content.decode()
    assert "Đảng ủy xã Số 1" not in page
    assert ReportRequest.objects.visible_to(outsider).count() == 0


def test_anonymous_visitors_are_sent_to_log_in(chain, submitted, client):
    response = client.get(reverse("reports:detail", args=[submitted.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_evidence_files_are_served_only_to_those_who_may_read_the_report(chain, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    writer = member(chain.communes[0], Role.STAFF)
    report = request_of(chain.communes[0])
    client.force_login(writer)
    client.post(reverse("reports:start", args=[report.pk]))
    client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"file": SimpleUploadedFile("bien-ban.txt", b"minh chung")},
    )
    attachment = report.attachments.get()
    url = reverse("reports:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200
    client.force_login(member(chain.other_province, Role.LEADER))
    assert client.get(url).status_code == 404


def test_reporting_duties_are_set_by_the_plans_editors_or_the_receiving_unit_only(chain):
    outsider_staff = member(chain.other_district, Role.STAFF)
    with pytest.raises(PermissionDenied):
        services.report_requirement_create(
            actor=outsider_staff,
            document=chain.district_plan,
            frequency="quarterly",
            generate=False,
        )
    with pytest.raises(PermissionDenied):
        services.report_request_create_ad_hoc(
            actor=outsider_staff,
            requirement=chain.bottom,
            subject="Đột xuất",
            due_on=chain.bottom.starts_on.replace(year=2099),
        )
    district_staff = member(chain.district, Role.STAFF)
    with pytest.raises(ValidationError) as error:
        services.report_requirement_create(
            actor=district_staff,
            document=chain.district_plan,
            frequency="quarterly",
            units=[chain.other_district],
            generate=False,
        )
    assert "units" in error.value.message_dict
