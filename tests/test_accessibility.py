"""WCAG 2.1 AA in a real browser: axe-core over every kind of page, as three kinds of user
(an administrator, a district's staff, a province's leader) at desktop and phone width, and the
main journeys done with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.loader import DEMO_PASSWORD, load_demo
from plans.models import Document
from reports.demo import load_demo_reports
from reports.models import ReportRequest
from tasks.models import Assignment
from tests.browser import chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.test_reports_support"),
]

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations.map(v => `${v.id} (${v.impact}): ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""
SEED = Path(__file__).resolve().parent.parent / "demo" / "seeds" / "002.txt"


def _violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    return page.evaluate(RUN_AXE)


def _world():
    load_demo()
    load_demo_reports()
    plan = Document.objects.get(issuer__name="Huyện ủy Kon Rẫy", depth=2)
    unit = plan.issuer
    task = plan.tasks.order_by("position").first()
    report = ReportRequest.objects.get(
        unit__name="Huyện ủy Kon Rẫy", receiver__name="Tỉnh ủy Kon Tum", period_key="2024"
    )
    return plan, unit, task, report


def _pages(plan, unit, task, report) -> list[str]:
    from reports.models import ReportRequirement

    requirement = ReportRequirement.objects.order_by("pk").first()
    return [
        f"/documents/{plan.pk}/edit/",
        f"/documents/{plan.pk}/tasks/new/",
        "/notifications/digest/",
        f"/reports/requirements/{requirement.pk}/",
        f"/reports/received/{report.receiver_id}/{plan.root_id}/{report.period_key}/",
        "/",
        f"/documents/{plan.pk}/",
        f"/documents/{plan.pk}/cascade/",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        "/documents/new/",
        "/documents/import/",
        "/dashboard/",
        "/reports/",
        f"/reports/{report.pk}/",
        "/notifications/",
        "/notifications/preferences/",
        "/search/?q=giao+duc",
        f"/units/{unit.pk}/",
        "/deadlines/review/",
        f"/audit/documents/{plan.pk}/",
        "/audit/",
        f"/accounts/members/{unit.pk}/",
        "/accounts/two-step/",
    ]


def test_every_page_kind_has_no_wcag_21_aa_violation(live_server):
    plan, unit, task, report = _world()
    pages = _pages(plan, unit, task, report)
    found: list[str] = []
    seen = 0
    for width in (1280, 390):
        with chromium_page(width=width, height=900, bypass_csp=True) as page:
            for url in ("/login/", "/accounts/password-reset/"):
                page.goto(f"{live_server.url}{url}")
                found += [f"anonymous {width} {url}: {v}" for v in _violations(page)]
            # A sign-in refused shows its error.
            page.goto(f"{live_server.url}/login/")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", "not-the-password")
            page.click("button[type=submit].primary")
            page.wait_for_selector(".errors, [role=alert]")
            found += [f"anonymous {width} login refused: {v}" for v in _violations(page)]
            for username in ("admin", "canbo.konray", "lanhdao.kontum"):
                page.context.clear_cookies()
                log_in(page, live_server.url, username, DEMO_PASSWORD)
                for url in pages:
                    response = page.goto(f"{live_server.url}{url}")
                    if response is None or response.status >= 400:
                        continue  # not this user's page (a 403/404 page is checked below)
                    seen += 1
                    found += [f"{username} {width} {url}: {v}" for v in _violations(page)]
                # The states that only appear after an action: a branch of the unit tree
                # opened, the import review, a page that does not exist.
                page.goto(f"{live_server.url}/dashboard/")
                toggle = page.locator("button.tree-toggle").first
                if toggle.count():
                    toggle.click()
                    page.locator(".children ul.unit-tree").first.wait_for()
                    found += [f"{username} {width} tree: {v}" for v in _violations(page)]
                if username != "lanhdao.kontum":
                    page.goto(f"{live_server.url}/documents/import/")
                    page.fill("textarea[name=text]", SEED.read_text(encoding="utf-8"))
                    page.click("form button[type=submit].primary")
                    page.wait_for_selector("#review-form")
                    found += [f"{username} {width} review: {v}" for v in _violations(page)]
                page.goto(f"{live_server.url}/documents/999999/")
                found += [f"{username} {width} 404: {v}" for v in _violations(page)]
    assert seen >= 40
    assert found == []


def _tab_to(page, selector: str, limit: int = 300) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _wait(page, expression: str, arg=None, timeout: float = 15.0) -> None:
    """Poll ``expression`` until true (Playwright's own waiting evaluates strings, which the
    pages' Content-Security-Policy forbids, and this test keeps the policy on)."""
    import time

    end = time.monotonic() + timeout
    script = f"(arg) => Boolean({expression})"
    while time.monotonic() < end:
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    focused = page.evaluate("document.activeElement?.outerHTML.slice(0, 160)")
    raise AssertionError(f"never true: {expression} (focus on {focused})")


def test_the_main_journeys_work_with_the_keyboard_alone(live_server):
    plan, unit, _task, report = _world()
    assignment = Assignment.objects.filter(unit=unit, task__document=plan, role="lead").first()
    base = live_server.url
    with chromium_page() as page:
        log_in(page, base, "canbo.konray", DEMO_PASSWORD)

        # A skip link is the first stop and takes the focus to the page's content.
        page.goto(f"{base}/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

        # Import: paste the text, read, review and save, all from the keyboard.
        page.goto(f"{base}/documents/import/")
        _tab_to(page, "textarea[name=text]")
        page.keyboard.insert_text(SEED.read_text(encoding="utf-8"))
        _tab_to(page, "form button[type=submit].primary")
        page.keyboard.press("Enter")
        page.wait_for_selector("#review-form")
        _tab_to(page, "#review-form button[type=submit].primary", limit=3000)
        page.keyboard.press("Enter")
        page.wait_for_selector("#sheet-heading")

        # Progress: open the form, write, choose the state, save; the saving is announced.
        page.goto(f"{base}/tasks/{assignment.task_id}/")
        _tab_to(page, f"#assignment-{assignment.pk} summary")
        page.keyboard.press("Enter")
        _tab_to(page, f"#assignment-{assignment.pk} textarea[name=note]")
        page.keyboard.type("Đã tổ chức hội nghị quán triệt.")
        _tab_to(page, f"#assignment-{assignment.pk} button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#assignment-{assignment.pk} .saved")
        _wait(page, "document.getElementById('live-region').textContent.length > 0")
        assert "Đã tổ chức hội nghị quán triệt." in page.inner_text(f"#assignment-{assignment.pk}")
        _wait(
            page,
            f"document.getElementById('assignment-{assignment.pk}').contains(document.activeElement)",
        )

        # The report: write the results, save the draft (announced), submit.
        page.goto(f"{base}/reports/{report.pk}/")
        _tab_to(page, "textarea[name=results]")
        page.keyboard.type("Đã quán triệt Chỉ thị 21 đến 100% chi bộ.")
        _tab_to(page, "#save-draft")
        page.keyboard.press("Enter")
        page.wait_for_selector("#report-editor .saved")
        _wait(page, "document.getElementById('live-region').textContent.length > 0")
        assert page.evaluate(
            "document.getElementById('report-editor').contains(document.activeElement)"
        )
        _tab_to(page, "#submit-report")
        page.keyboard.press("Enter")
        page.wait_for_selector("#report-state.submitted")

    with chromium_page() as page:
        # The dashboard: open a branch with its button, then drill into a unit by its link;
        # the focus lands on the new view's heading.
        log_in(page, base, "lanhdao.kontum", DEMO_PASSWORD)
        page.goto(f"{base}/dashboard/")
        _tab_to(page, "button.tree-toggle")
        page.keyboard.press("Enter")
        page.locator(".children ul.unit-tree").first.wait_for()
        assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.matches('a.branch-name')")
        name = page.evaluate("document.activeElement.textContent.trim()")
        page.keyboard.press("Enter")
        page.wait_for_url("**unit=**")
        _wait(page, "document.querySelector('.crumbs strong').textContent.includes(arg)", name)
        _wait(page, "document.activeElement.tagName === 'H1'")
        # A filter changed with the arrow keys applies after a pause, not at each key.
        _tab_to(page, "select[name=bloc]")
        before = page.url
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(300)
        assert page.url == before
        page.wait_for_url("**bloc=**")
