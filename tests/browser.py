"""Driving Debian's Chromium through Playwright for the browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium_page(*, width: int = 1280, height: int = 900, bypass_csp: bool = False) -> Iterator:
    """A fresh page in headless Chromium; skipped when Chromium is missing unless
    REQUIRE_BROWSER is set (CI sets it, so a missing browser fails there). ``bypass_csp`` lets
    a test inject its own script (axe-core) into the test browser only."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (REQUIRE_BROWSER) but not installed.")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the test's own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, bypass_csp=bypass_csp
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name: str) -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name)
    page.screenshot(path=path, full_page=True)
    return path
