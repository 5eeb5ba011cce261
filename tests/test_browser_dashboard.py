"""In a real browser: a demo leader opens the dashboard, filters by bloc, opens a branch of
the unit tree and drills into a unit, all without reloading the page; the address follows."""

import pytest
from django.apps import apps

from demo.loader import load_demo
from tests.browser import chromium_page, log_in, screenshot
from units.models import Bloc, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_filters_by_bloc_and_drills_into_a_unit(live_server):
    if not apps.is_installed("dashboard"):
        pytest.skip("the dashboard app is not in INSTALLED_APPS")
    load_demo()
    try:
        from reports.demo import load_demo_reports
    except ImportError:
        pass
    else:
        load_demo_reports()
    kien_an = Unit.objects.get(name="Quận ủy Kiến An")
    with chromium_page(width=1280, height=900) as page:
        log_in(page, live_server.url, "lanhdao.haiphong", "demo-cascade-2026")
        link = page.locator("nav a[href='/dashboard/']")
        if link.count():
            link.first.click()
        else:
            page.goto(f"{live_server.url}/dashboard/")
        page.wait_for_selector("#dashboard .kpis")
        assert "Thành ủy Hải Phòng" in page.inner_text(".crumbs")
        page.evaluate("window.stillTheSamePage = true")

        page.select_option("select[name=bloc]", Bloc.PARTY_COMMITTEE)
        page.wait_for_url(f"**bloc={Bloc.PARTY_COMMITTEE}**")
        page.wait_for_selector(
            f"select[name=bloc] >> option[value={Bloc.PARTY_COMMITTEE}][selected]", state="attached"
        )

        branch = page.locator("ul.unit-tree > li:has(> .branch-row:has-text('Quận ủy Kiến An'))")
        toggle = branch.locator("button.tree-toggle").first
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        branch.locator(".children ul.unit-tree").first.wait_for()
        assert "Đảng ủy phường Bắc Sơn" in branch.locator(".children").inner_text()

        branch.locator("a.branch-name", has_text="Quận ủy Kiến An").first.click()
        page.wait_for_url(f"**unit={kien_an.pk}**")
        page.wait_for_function(
            "document.querySelector('.crumbs strong').textContent.includes('Kiến An')"
        )
        assert f"bloc={Bloc.PARTY_COMMITTEE}" in page.url
        assert page.evaluate("window.stillTheSamePage") is True
        assert "Bắc Sơn" in page.inner_text("#coverage")
        screenshot(page, "dashboard.png")

    with chromium_page(width=390, height=844) as phone:
        log_in(phone, live_server.url, "lanhdao.haiphong", "demo-cascade-2026")
        phone.goto(f"{live_server.url}/dashboard/?unit={kien_an.pk}")
        phone.wait_for_selector("#dashboard .kpis")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(phone, "dashboard-phone.png")
