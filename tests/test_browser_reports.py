"""In a real browser, two demo users of different levels: the district's staff
(canbo.konray) writes Huyện ủy Kon Rẫy's report to the province, already filled from the
communes' accepted reports, and submits it; the province's leader (lanhdao.kontum) returns
it with a comment; the district revises and resubmits; the province accepts it."""

import pytest

from demo.loader import DEMO_PASSWORD, load_demo
from reports.demo import load_demo_reports
from reports.models import ReportRequest, ReportState
from tests.browser import chromium_page, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.test_reports_support"),
]


def _state(page) -> str:
    return page.locator("#report-state").inner_text().strip()


def test_district_submits_province_returns_district_resubmits_province_accepts(live_server):
    load_demo(seeds=("002",))
    load_demo_reports()
    report = ReportRequest.objects.get(
        unit__name="Huyện ủy Kon Rẫy", receiver__name="Tỉnh ủy Kon Tum", period_key="2024"
    )
    url = f"{live_server.url}/reports/{report.pk}/"
    with chromium_page() as page:
        # The district's staff finds the report in their list, filled from the communes.
        log_in(page, live_server.url, "canbo.konray", DEMO_PASSWORD)
        page.goto(f"{live_server.url}/reports/")
        page.click(f"a[href='/reports/{report.pk}/'] >> nth=0")
        page.wait_for_selector("#report-editor")
        assert "40/150" in page.inner_text("#rollup")  # two communes accepted so far
        assert "Đảng ủy xã Tân Lập" in page.inner_text("#not-reported")
        page.fill("textarea[name=results]", "Đã quán triệt Chỉ thị 21 đến 100% chi bộ.")
        page.click("#save-draft")  # htmx: the editor is redrawn in place
        page.wait_for_selector("#report-editor .saved")
        page.click("#submit-report")
        page.wait_for_selector("#report-state.submitted")
        assert page.locator("#report-editor").count() == 0

        # The province's leader returns it with a comment.
        log_in(page, live_server.url, "lanhdao.kontum", DEMO_PASSWORD)
        page.goto(url)
        page.fill("#review textarea[name=comment]", "Bổ sung kết quả phân luồng học sinh.")
        page.click("#return-report")
        page.wait_for_selector("#report-state.returned")

        # The district revises and resubmits.
        log_in(page, live_server.url, "canbo.konray", DEMO_PASSWORD)
        page.goto(url)
        assert "Bổ sung kết quả phân luồng" in page.inner_text("#returned-comment")
        page.fill(
            "textarea[name=results]",
            "Đã quán triệt Chỉ thị 21 đến 100% chi bộ; 40/150 học sinh vào GDNN.",
        )
        page.click("#submit-report")
        page.wait_for_selector("#report-state.submitted")

        # The province accepts it.
        log_in(page, live_server.url, "lanhdao.kontum", DEMO_PASSWORD)
        page.goto(url)
        page.fill("#review textarea[name=comment]", "Đạt yêu cầu.")
        page.click("#accept-report")
        page.wait_for_selector("#report-state.accepted")
        history = page.inner_text("#history")
        assert "Bổ sung kết quả phân luồng" in history and "Đạt yêu cầu." in history
        screenshot(page, "report-accepted.png")

        # The leader prepares the official PDF: the page shows the job, then the file.
        page.click("#render-annual")
        link = page.locator("#annual-files a[download]").first
        link.wait_for()
        with page.expect_download() as download:
            link.click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        assert page.locator("#annual-files .badge.draft").count() == 0  # accepted: final

    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert list(report.history.values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    with chromium_page(width=390, height=844) as phone:
        log_in(phone, live_server.url, "lanhdao.kontum", DEMO_PASSWORD)
        phone.goto(url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400  # nothing wider than a phone's screen
        screenshot(phone, "report-phone.png")
