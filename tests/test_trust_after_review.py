"""What a review of the trust work found after the probe: tries sent together cannot all pass
the lockout's check, and a report on a confidential plan rolls up only that plan's reports."""

from __future__ import annotations

from plans import services as plan_services
from reports import services as report_services
from tests.factories import make_document, make_task
from tests.test_reports_support import FIRST_DAY, GENERATE_UNTIL, build_chain


def test_tries_sent_at_the_same_moment_cannot_all_pass_the_check(db):
    from accounts import throttle

    # Six requests that all passed "is it locked?" before any of them failed: the count is
    # taken before the password is checked, so the sixth is refused whatever their order.
    allowed = [throttle.attempt_begin("nguoidung", "203.0.113.9") for _try in range(6)]
    assert allowed == [True] * 5 + [False]
    # A right password gives the office address its try back.
    throttle.attempt_succeeded("203.0.113.9")
    assert not throttle.is_locked("someone-else", "203.0.113.9")


def test_a_report_on_a_confidential_plan_rolls_up_only_that_plans_reports(db):
    from reports.models import ReportRequest
    from reports.rollup import open_unless_confidential

    chain = build_chain(communes=2)
    first, second = chain.communes
    plans = []
    for commune, title in ((first, "mật A"), (second, "mật B")):
        plan = make_document(chain.district, implements=chain.district_plan, title=title)
        make_task(plan, lead=[commune], text="Báo cáo định kỳ")
        plan_services.document_update(actor=None, document=plan, confidential=True)
        requirement = report_services.report_requirement_create(
            actor=None,
            document=plan,
            frequency="annual",
            units=[commune],
            starts_on=FIRST_DAY,
            generate=False,
        )
        report_services.report_requests_generate(requirement=requirement, until=GENERATE_UNTIL)
        plans.append(plan)
    on_a = ReportRequest.objects.filter(requirement__document=plans[0]).first()
    counted = ReportRequest.objects.filter(open_unless_confidential(on_a))
    assert counted.filter(requirement__document=plans[0]).exists()
    assert not counted.filter(requirement__document=plans[1]).exists()
    assert counted.filter(requirement__document=chain.district_plan).exists()
