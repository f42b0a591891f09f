"""Debian's chromium, driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("SCHOOL_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def playwright_instance():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch(playwright, extra_args=()):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *extra_args])


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = launch(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (390 px wide) on the live server; fails on any third-party request."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="en-GB"
    )
    outside: list[str] = []

    def watch(request):
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            outside.append(request.url)

    context.on("request", watch)
    page = context.new_page()
    yield page
    context.close()
    assert outside == [], f"requests to other hosts: {outside}"
