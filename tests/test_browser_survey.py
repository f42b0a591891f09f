"""The survey in a real browser on a phone: the answers are saved as one goes (under the
Content-Security-Policy, with the page's CSRF token), a reload finds them again, the
plain button sends them once; it fits a 390 px screen and a laptop."""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from school.database import utcnow
from school.models import SurveyInvitation, SurveyResponse
from school.services.aftercare import invitations
from tests.support.aftercare_scenario import autumn_school
from tests.support.backoffice import PASSWORD, make_admin

SHOTS = Path("/tmp/aftercare-shots")
AUDIT = (Path(__file__).parent / "support" / "a11y_audit.js").read_text()


def _saved(db) -> SurveyResponse | None:
    db.rollback()
    return db.scalar(sa.select(SurveyResponse))


def test_the_survey_on_a_phone_saves_as_you_go_then_sends_once(app, db, phone, live_server):
    with app.app_context():
        school = autumn_school(db)
        invitations.invite(db, school["edition"], now=utcnow())
        db.commit()
    token = db.scalar(
        sa.select(SurveyInvitation.token).where(
            SurveyInvitation.registration_id == school["amelie"].id
        )
    )
    problems: list[str] = []
    phone.on("pageerror", lambda error: problems.append(str(error)))
    phone.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    phone.goto(f"/survey/{token}?lang=en")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Your opinion")
    too_wide = phone.evaluate(
        """Array.from(document.querySelectorAll('main *'))
             .filter(e => e.getBoundingClientRect().right > 391)
             .map(e => e.tagName + '.' + e.className)"""
    )
    assert too_wide == [], too_wide
    assert phone.evaluate(AUDIT, "en") == []

    overall = phone.get_by_role("group", name="Overall, how would you rate the School?")
    overall.get_by_label("4").check()
    expect(phone.locator("#survey-status")).to_have_text("Your answers so far are saved.")
    draft = _saved(db)
    assert draft is not None and draft.submitted_at is None and draft.answers == {"overall": 4}
    phone.get_by_label("What was the most useful moment for you?").fill("Les ateliers")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "useful" not in (_saved(db).answers or {}):
        time.sleep(0.2)
    assert _saved(db).answers["useful"] == "Les ateliers"
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / "survey-390.png"), full_page=True)

    phone.reload()  # what was saved comes back
    expect(phone.get_by_label("What was the most useful moment for you?")).to_have_value(
        "Les ateliers"
    )
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("status").first).to_contain_text("Your answers have been received")
    assert _saved(db).submitted_at is not None
    assert phone.locator("#survey-form").count() == 0
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto(f"/survey/{token}?lang=fr")
    phone.screenshot(path=str(SHOTS / "survey-done-1280.png"))
    assert problems == []


def test_the_after_the_school_page_fits_a_phone_and_a_laptop(app, db, browser, live_server):
    with app.app_context():
        school = autumn_school(db)
        invitations.invite(db, school["edition"], now=utcnow())
        db.commit()
    make_admin(app, db)
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{live_server.url}/organiser/login?lang=fr")
        page.get_by_label("E-mail").fill("chef@example.org")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        page.goto(f"{live_server.url}/organiser/{school['edition'].slug}/aftercare")
        expect(page.get_by_role("heading", level=1)).to_have_text("Après l’événement")
        too_wide = page.evaluate(
            """limit => Array.from(document.querySelectorAll('main *'))
                 .filter(e => !e.closest('.table-wrap') && e.getBoundingClientRect().right > limit)
                 .map(e => e.tagName + '.' + e.className)""",
            width + 1,
        )
        assert too_wide == [], too_wide
        assert page.evaluate(AUDIT, "fr") == []
        page.screenshot(path=str(SHOTS / f"aftercare-{width}.png"), full_page=True)
        context.close()
