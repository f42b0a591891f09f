"""The attendance page in a real browser on a 360 px phone: it fits, the chart is drawn,
the numbers update themselves under the Content-Security-Policy, and can be paused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.attendance_scenario import D1, paris, scan, spring_school_scans, staff_accounts
from tests.support.factories import make_registration

SLUG = "spring-school-2019"


@pytest.fixture
def app_config(app_config):
    app_config["ATTENDANCE_REFRESH_SECONDS"] = 1
    return app_config


def test_the_live_page_on_a_phone_updates_itself(app, browser, live_server, demo, db):
    with app.app_context():
        school = spring_school_scans(db, demo)
    staff_accounts(app, db)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill("correct horse 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/organiser/{SLUG}/attendance?day=2019-06-19&lang=en")

    too_wide = page.evaluate(
        """Array.from(document.querySelectorAll('main *'))
             .filter(e => !e.closest('.overflow-auto') && e.getBoundingClientRect().right > 360)
             .map(e => e.tagName + '.' + e.className)"""
    )
    assert too_wide == [], too_wide
    chart = page.get_by_role("img", name="Arrivals per 10 minutes: Entrance")
    box = chart.bounding_box()
    assert box and box["width"] > 250 and box["height"] > 60
    arrived = page.locator("#attendance-live .counts dd").nth(1)
    assert arrived.inner_text() == "4"

    # Someone comes in at the door: the page shows it without being reloaded.
    with app.app_context():
        latecomer = make_registration(db, school["edition"], last_name="Ñúñez", days=[D1])
        db.commit()
        scan(db, school["edition"], latecomer, at=paris(D1, 9, 55))
    expect(arrived).to_have_text("5", timeout=15_000)
    assert "Numbers as of" in page.locator("#attendance-status").inner_text()

    pause = page.get_by_role("button", name="Pause the updates")
    pause.click()
    resume = page.get_by_role("button", name="Resume the updates")
    assert resume.get_attribute("aria-pressed") == "true"
    resume.click()
    assert page.get_by_role("button", name="Pause the updates").get_attribute("aria-pressed") == (
        "false"
    )
    assert problems == [], problems
    context.close()
