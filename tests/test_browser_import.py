"""In a real browser: a member of staff uploads a seed plan, corrects a field on the review
page, saves, and finds the plan in the cascade."""

import pytest

from demo.loader import load_demo
from plans.models import Document
from tests.browser import chromium_page, log_in, screenshot
from tests.factories import UserFactory
from units.models import Membership, Role, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = "demo/seeds/002.txt"


def test_staff_import_a_seed_correct_it_and_find_it_in_the_cascade(live_server, tmp_path):
    load_demo(seeds=())
    kon_ray = Unit.objects.get(name="Huyện ủy Kon Rẫy")
    user = UserFactory(username="canbo.test")
    Membership.objects.create(user=user, unit=kon_ray, role=Role.STAFF)
    with chromium_page() as page:
        log_in(page, live_server.url, "canbo.test", "pw-for-tests-1")
        page.click("nav >> text=Nhập kế hoạch")
        page.set_input_files("input[name=file]", SEED)
        page.click("button[type=submit].primary")
        page.wait_for_selector("#review-form")
        assert "ĐẢNG BỘ TỈNH KON TUM" in page.locator(".source-text").inner_text()
        assert page.input_value("select[name=issuer]") == str(kon_ray.pk)
        page.fill("textarea[name=title]", "Kế hoạch thực hiện Chỉ thị 21 (đã kiểm tra)")
        screenshot(page, "import-review.png")
        page.click("#review-form button[type=submit]")
        page.wait_for_selector("h1 .doctype")
        assert "Kế hoạch thực hiện Chỉ thị 21 (đã kiểm tra)" in page.inner_text("p.lead")
        plan = Document.objects.get(issuer=kon_ray, title__startswith="Kế hoạch thực hiện")
        assert plan.tasks.count() == 21
        page.goto(f"{live_server.url}/")
        page.click("tr:has-text('21-CT/TW') >> text=Cây triển khai")
        page.wait_for_selector("ul.tree")
        branch = page.locator("ul.tree li:has(> .node:has-text('105-KH/TU'))")
        assert "Huyện ủy Kon Rẫy" in branch.inner_text()
        page.click("ul.tree >> text=-KH/HU")
        page.wait_for_selector("h1 .doctype")
        assert "(đã kiểm tra)" in page.inner_text("p.lead")
        screenshot(page, "import-cascade.png")
