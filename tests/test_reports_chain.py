"""The report chain end to end: the lowest units report, each level consolidates the accepted
reports below it, and the top sees the sums of the lowest level's figures, with percentages
computed from the summed numerators and denominators, never averaged."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from plans.models import Document, Target
from reports import selectors, services
from reports.demo import load_demo_reports
from reports.models import (
    ReportMeasurement,
    ReportRequest,
    ReportRequirement,
    ReportState,
    ReportStateChange,
)
from reports.rollup import changes_since
from tests.factories import member
from tests.test_reports_support import build_chain, report_and_accept, request_of
from units.models import Role, Unit

pytestmark = pytest.mark.urls("tests.test_reports_support")

KON_RAY_COMMUNES = {
    "Đảng ủy thị trấn Đăk Rve": (30, 50),  # 60 %
    "Đảng ủy xã Đăk Ruồng": (10, 100),  # 10 %
    "Đảng ủy xã Tân Lập": (20, 30),  # 66.7 %
}


def _figure(report: ReportRequest, target: Target) -> tuple[int | None, int | None]:
    row = ReportMeasurement.objects.get(report=report, target=target)
    return row.numerator, row.denominator


def test_the_demo_chain_walks_from_kon_rays_communes_to_the_centre_summing_figures(demo, client):
    load_demo_reports()
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    kon_tum = Unit.objects.get(name="Tỉnh ủy Kon Tum")
    centre = Unit.objects.get(name="Ban Chấp hành Trung ương Đảng")
    directive = Document.objects.get(identifier="21-CT/TW")
    vocational = directive.targets.get(low=50, high=55)
    kon_ray_plan = Document.objects.get(issuer=kon_ray, root=directive)
    kon_ray_target = kon_ray_plan.targets.get(low=45)
    assert kon_ray_target.parent == vocational

    kon_ray_leader = member(kon_ray, Role.LEADER)
    kon_tum_leader = member(kon_tum, Role.LEADER)
    centre_leader = member(centre, Role.LEADER)

    # 1. The communes report to Huyện ủy Kon Rẫy, whose leader accepts them.
    lowest = []
    for name, (numerator, denominator) in KON_RAY_COMMUNES.items():
        commune = Unit.objects.get(name=name)
        staff = member(commune, Role.STAFF)
        report = ReportRequest.objects.get(unit=commune, receiver=kon_ray, period_key="2025")
        report = services.report_start(actor=staff, report=report)
        row = report.measurements.get(target=kon_ray_target)
        services.report_save_draft(
            actor=staff,
            report=report,
            results="Đã quán triệt Chỉ thị đến cán bộ, đảng viên.",
            lines={line.pk: ("done", "Biên bản hội nghị") for line in report.task_lines.all()},
            measurements={row.pk: (numerator, denominator)},
        )
        services.report_submit(actor=staff, report=report)
        services.report_accept(actor=kon_ray_leader, report=report, comment="Đạt.")
        report.refresh_from_db()
        lowest.append(report)

    # 2. The district consolidates: its report to the province starts with the sums.
    district_staff = member(kon_ray, Role.STAFF)
    district = ReportRequest.objects.get(unit=kon_ray, receiver=kon_tum, period_key="2025")
    district = services.report_start(actor=district_staff, report=district)
    assert _figure(district, vocational) == (60, 180)
    services.report_save_draft(
        actor=district_staff, report=district, results="Tổng hợp kết quả các xã, thị trấn."
    )
    services.report_submit(actor=district_staff, report=district)
    services.report_accept(actor=kon_tum_leader, report=district)

    # 3. The province consolidates and reports to the centre.
    province_staff = member(kon_tum, Role.STAFF)
    province = ReportRequest.objects.get(unit=kon_tum, receiver=centre, period_key="2025")
    province = services.report_start(actor=province_staff, report=province)
    assert _figure(province, vocational) == (60, 180)
    services.report_save_draft(actor=province_staff, report=province, results="Toàn tỉnh.")
    services.report_submit(actor=province_staff, report=province)
    services.report_accept(actor=centre_leader, report=province)

    # 4. The top sees the sums of the lowest level's figures.
    summary = selectors.received_summary(
        user=centre_leader, unit=centre, period_key="2025", document=directive
    )
    numerators = sum(n for n, _d in KON_RAY_COMMUNES.values())
    denominators = sum(d for _n, d in KON_RAY_COMMUNES.values())
    assert summary.totals[vocational.pk] == (numerators, denominators) == (60, 180)
    from_sums = summary.percent(vocational.pk)
    averaged = sum(100 * n / d for n, d in KON_RAY_COMMUNES.values()) / len(KON_RAY_COMMUNES)
    assert round(from_sums, 2) == 33.33
    assert round(averaged, 2) == 45.56  # what averaging the percentages would have said
    # Task counts roll up too: every level's own plus everything below it.
    province.refresh_from_db()
    district.refresh_from_db()
    expected_done = sum(r.tasks_done for r in lowest) + district.tasks_done + province.tasks_done
    assert summary.tasks[0] == expected_done == 3
    assert district.subordinates_accepted == 3
    assert district.subordinates_expected > 3  # the district's boards have not reported

    client.force_login(centre_leader)
    page = client.get(
        reverse("reports:received", args=[centre.pk, directive.pk, "2025"])
    ).content.decode()
    assert "60/180" in page
    assert "33,3%" in page  # Vietnamese decimal comma
    assert "45,6%" not in page


def test_a_small_chain_sums_three_levels_and_lists_who_has_not_reported(db):
    chain = build_chain(communes=3)
    figures = [(30, 50), (10, 100)]  # the third commune does not report
    for commune, (n, d) in zip(chain.communes, figures, strict=False):
        report_and_accept(request_of(commune), n, d, done=True)
    district = services.report_start(actor=None, report=request_of(chain.district))
    assert _figure(district, chain.directive_target) == (40, 150)
    assert district.rolled_tasks_done == 2
    summary = selectors.rollup_for(district)
    assert [s.unit_name for s in summary.missing] == ["Đảng ủy xã Số 3"]
    assert [s.state for s in summary.missing] == [ReportState.NOT_STARTED]


def test_lower_levels_are_due_before_the_level_that_consolidates_them(demo):
    load_demo_reports()
    due = {
        r.unit.name: r.due_on
        for r in ReportRequest.objects.filter(period_key="2025").select_related("unit")
    }
    commune = due["Đảng ủy xã Tân Lập"]
    district = due["Huyện ủy Kon Rẫy"]
    province = due["Tỉnh ủy Kon Tum"]
    assert commune < district < province
    assert (district - commune).days == 10  # a commune 10 days before its district
    assert (province - district).days == 5  # a district 5 days before its province
    assert province == date(2025, 12, 19)  # five days after the annual cut-off, 14/12


def test_a_reporting_task_s_words_make_an_annual_requirement_due_on_9_december(demo):
    load_demo_reports()
    requirement = ReportRequirement.objects.get(source_task__deadline_text__contains="10/12")
    assert requirement.frequency == "annual"
    assert requirement.also_on_demand
    assert requirement.receiver.name == "Quận ủy Kiến An"
    request = requirement.requests.get(unit__name="Đảng ủy phường Bắc Sơn", period_key="2024")
    assert request.due_on == date(2024, 12, 9)
    assert (request.period_starts_on, request.period_ends_on) == (
        date(2023, 12, 15),
        date(2024, 12, 14),
    )


def test_deadline_words_that_do_not_say_how_often_are_not_guessed(db):
    from tests.factories import make_document, make_task, make_unit

    unit = make_unit("Huyện ủy Không Rõ", code="HU")
    plan = make_document(unit)
    task = make_task(plan, lead=[make_unit(parent=unit)], deadline_text="định kỳ")
    with pytest.raises(ValidationError) as error:
        services.report_requirement_create_from_task(actor=None, task=task)
    assert "frequency" in error.value.message_dict
    requirement = services.report_requirement_create_from_task(
        actor=None, task=task, frequency="half_yearly", generate=False
    )
    assert requirement.frequency == "half_yearly"


def test_generating_requests_twice_creates_nothing_more_and_the_database_refuses_doubles(db):
    chain = build_chain(communes=2)
    count = ReportRequest.objects.count()
    assert services.report_requests_generate(requirement=chain.bottom, until=date(2025, 1, 31)) == 0
    assert ReportRequest.objects.count() == count
    existing = request_of(chain.communes[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRequest.objects.create(
            requirement=existing.requirement,
            unit=existing.unit,
            receiver=existing.receiver,
            cascade_root=existing.cascade_root,
            frequency=existing.frequency,
            period_key=existing.period_key,
            period_starts_on=existing.period_starts_on,
            period_ends_on=existing.period_ends_on,
            due_on=existing.due_on,
        )


def test_a_new_requirement_generates_its_requests_through_the_job_after_commit(
    db, django_capture_on_commit_callbacks
):
    from tests.factories import make_document, make_task, make_unit
    from units.models import Level

    district = make_unit("Huyện ủy Có Việc", level=Level.DISTRICT, code="HU")
    commune = make_unit("Xã Có Việc", parent=district, level=Level.COMMUNE, code="ĐU")
    plan = make_document(district)
    make_task(plan, lead=[commune])
    with django_capture_on_commit_callbacks(execute=True):
        requirement = services.report_requirement_create(
            actor=None, document=plan, frequency="quarterly"
        )
    assert requirement.requests.filter(unit=commune).exists()


def test_units_that_ceased_before_a_period_get_no_request_for_it(demo):
    load_demo_reports()
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    periods = set(ReportRequest.objects.filter(unit=kon_ray).values_list("period_key", flat=True))
    assert periods == {"2024", "2025"}  # the district ceased on 30/6/2025


def test_reopening_a_lower_report_marks_the_consolidation_stale_and_shows_what_changed(db, client):
    chain = build_chain(communes=3)
    leader = member(chain.district, Role.LEADER)
    lower = [
        report_and_accept(request_of(c), n, d, reviewer=leader)
        for c, (n, d) in zip(chain.communes, [(30, 50), (10, 100), (20, 30)], strict=True)
    ]
    writer = member(chain.district, Role.STAFF)
    upper = services.report_start(actor=writer, report=request_of(chain.district))
    services.report_save_draft(actor=writer, report=upper, results="Tổng hợp.")
    assert _figure(upper, chain.directive_target) == (60, 180)

    services.report_reopen(actor=leader, report=lower[1], comment="Số liệu chưa khớp.")
    upper.refresh_from_db()
    assert upper.is_stale
    changes = changes_since(upper.rollup_snapshot, selectors.rollup_for(upper))
    assert [(c.kind, c.unit) for c in changes if c.kind == "withdrawn"] == [
        ("withdrawn", "Đảng ủy xã Số 2")
    ]
    with pytest.raises(ValidationError):
        services.report_submit(actor=writer, report=upper)

    # The commune corrects its figure and is accepted again: the change shows, with totals.
    row = lower[1].measurements.get()
    services.report_save_draft(
        actor=None, report=lower[1], results="Đã sửa.", measurements={row.pk: (12, 100)}
    )
    services.report_submit(actor=None, report=lower[1])
    services.report_accept(actor=leader, report=lower[1])
    changes = changes_since(upper.rollup_snapshot, selectors.rollup_for(upper))
    changed = [c for c in changes if c.kind == "changed"]
    assert [(c.unit, c.before, c.after) for c in changed] == [
        ("Đảng ủy xã Số 2", (10, 100), (12, 100))
    ]
    totals = [c for c in changes if c.kind == "total"]
    assert [(c.before, c.after) for c in totals] == [((60, 180), (62, 180))]

    client.force_login(writer)
    page = client.get(reverse("reports:detail", args=[upper.pk])).content.decode()
    assert 'id="stale"' in page
    assert "Đảng ủy xã Số 2" in page
    assert "10/100" in page
    assert "12/100" in page

    services.rollup_prefill(actor=writer, report=upper)
    upper.refresh_from_db()
    assert not upper.is_stale
    assert _figure(upper, chain.directive_target) == (62, 180)
    services.report_submit(actor=writer, report=upper)
    assert upper.history.filter(to_state=ReportState.SUBMITTED).exists()


def test_every_state_change_is_kept_with_who_when_and_the_comment(db):
    chain = build_chain(communes=1)
    writer = member(chain.communes[0], Role.STAFF)
    leader = member(chain.district, Role.LEADER)
    report = services.report_start(actor=writer, report=request_of(chain.communes[0]))
    services.report_save_draft(actor=writer, report=report, results="Lần 1.")
    services.report_submit(actor=writer, report=report)
    services.report_return(actor=leader, report=report, comment="Bổ sung số liệu.")
    services.report_save_draft(actor=writer, report=report, results="Lần 2.")
    services.report_submit(actor=writer, report=report)
    services.report_accept(actor=leader, report=report, comment="Đạt.")
    rows = list(
        ReportStateChange.objects.filter(report=report).values_list(
            "from_state", "to_state", "actor", "comment"
        )
    )
    assert rows == [
        ("not_started", "draft", writer.pk, ""),
        ("draft", "submitted", writer.pk, ""),
        ("submitted", "returned", leader.pk, "Bổ sung số liệu."),
        ("returned", "submitted", writer.pk, ""),
        ("submitted", "accepted", leader.pk, "Đạt."),
    ]
    from audit.models import AuditEvent

    actions = list(
        AuditEvent.objects.filter(object_type="reports.reportrequest", object_id=str(report.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions.count("report_submitted") == 2
    assert "report_returned" in actions and "report_accepted" in actions


def test_an_ad_hoc_request_feeds_the_upper_units_own_ad_hoc_report(db):
    chain = build_chain(communes=2)
    top_asks = services.report_request_create_ad_hoc(
        actor=None,
        requirement=chain.middle,
        subject="Báo cáo nhanh số học sinh vào GDNN",
        due_on=date(2099, 1, 10),
    )
    assert [r.unit for r in top_asks] == [chain.district]
    asked = services.report_request_create_ad_hoc(
        actor=None,
        requirement=chain.bottom,
        subject="Báo cáo nhanh số học sinh vào GDNN",
        due_on=date(2099, 1, 5),
        answers=top_asks[0],
    )
    assert {r.period_key for r in asked} == {top_asks[0].period_key}
    report_and_accept(asked[0], 7, 20)
    district = services.report_start(actor=None, report=top_asks[0])
    assert _figure(district, chain.directive_target) == (7, 20)


def test_a_percentage_cannot_be_submitted_half_measured_or_above_its_denominator(db):
    chain = build_chain(communes=1)
    report = services.report_start(actor=None, report=request_of(chain.communes[0]))
    row = report.measurements.get()
    with pytest.raises(ValidationError):
        services.report_save_draft(
            actor=None, report=report, results="x", measurements={row.pk: (11, 10)}
        )
    services.report_save_draft(
        actor=None, report=report, results="x", measurements={row.pk: (11, None)}
    )
    with pytest.raises(ValidationError) as error:
        services.report_submit(actor=None, report=report)
    assert f"m-{row.pk}-denominator" in error.value.message_dict


def test_a_reporting_task_gets_one_reporting_duty(demo):
    load_demo_reports()
    requirement = ReportRequirement.objects.get(source_task__isnull=False)
    with pytest.raises(ValidationError) as error:
        services.report_requirement_create_from_task(actor=None, task=requirement.source_task)
    assert "source_task" in error.value.message_dict


def test_reports_still_owed_are_listed_for_the_reminder_sweep(db):
    chain = build_chain(communes=2)
    report_and_accept(request_of(chain.communes[0]), 1, 2)
    rows = list(selectors.open_requests_due(by=date(2025, 12, 31)))
    owed = {unit for _pk, unit, _receiver, _plan, _due in rows}
    assert chain.communes[1].pk in owed and chain.district.pk in owed
    assert chain.communes[0].pk not in owed  # accepted
    assert all(due <= date(2025, 12, 31) for *_rest, due in rows)
    assert list(selectors.open_requests_due(by=date(2025, 1, 1))) == []


def test_the_daily_command_generates_ahead_and_is_idempotent(db):
    import io

    from django.core.management import call_command

    chain = build_chain(communes=1)
    out = io.StringIO()
    call_command("generate_report_requests", "--until", "2026-01-31", stdout=out)
    assert ReportRequest.objects.filter(unit=chain.communes[0], period_key="2026").exists()
    call_command("generate_report_requests", "--until", "2026-01-31", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("0 ")


def test_a_dashboard_reads_each_units_accepted_figures_with_one_query(
    db, django_assert_num_queries
):
    from tests.factories import UserFactory

    chain = build_chain(communes=2)
    report_and_accept(request_of(chain.communes[0]), 3, 10)
    report_and_accept(request_of(chain.communes[1]), 4, 20)
    admin = UserFactory(is_superuser=True)
    with django_assert_num_queries(1):
        rows = selectors.accepted_figures(
            user=admin, period_key="2025", cascade_root_id=chain.directive.pk
        )
    assert [(r["report__unit_id"], r["numerator"], r["denominator"]) for r in rows] == [
        (chain.communes[0].pk, 3, 10),
        (chain.communes[1].pk, 4, 20),
    ]
    assert {r["root_target_id"] for r in rows} == {chain.directive_target.pk}
