"""In a real browser: a new edition is a draft that only organisers see (with a preview
banner), until they publish it; then it is on the home page with its state."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from school.models import Edition
from tests.support.backoffice import PASSWORD, fresh, make_admin
from tests.support.browser import require_chromium

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("SCHOOL_SHOTS", "/tmp/state-shots"))


@pytest.fixture
def contexts(browser, live_server):
    require_chromium()
    made = []

    def new(width: int = 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=live_server.url, locale="en-GB"
        )
        made.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.problems = problems
        return page

    yield new
    for context in made:
        context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_organiser_publishes_a_draft_that_the_public_could_not_see(
    app, contexts, demo, db
):  # fmt: skip
    make_admin(app, db)
    page = contexts()
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")

    page.get_by_role("link", name="Clone as the next edition").click()
    page.get_by_label("Short name in addresses (slug)").fill("spring-school-2030")
    page.get_by_label("Title (in French)").fill("Spring School 2030")
    page.get_by_label("Title (in English)").fill("Spring School 2030")
    page.get_by_label("First day of the new edition").fill("2030-06-19")
    page.get_by_role("button", name="Create the new edition").click()
    page.wait_for_url("**/organiser/spring-school-2030/programme")
    bar = page.locator(".edition-bar")
    assert "Spring School 2030" in bar.inner_text() and "Draft" in bar.inner_text()

    visitor = contexts(390)
    response = visitor.goto("/spring-school-2030/?lang=en")
    assert response.status == 404
    assert visitor.goto("/api/v1/editions/spring-school-2030/programme").status == 404

    page.goto("/spring-school-2030/?lang=en")
    assert "only organisers see it" in page.locator(".banner-draft").inner_text()
    shot(page, "draft-preview-1280")

    page.goto("/organiser/spring-school-2030/edit?lang=en")
    section = page.locator("#lifecycle")
    assert "Draft: not published yet" in section.inner_text()
    shot(page, "edit-lifecycle-1280")
    section.get_by_role("button", name="Publish the edition").click()
    page.wait_for_url("**/organiser/spring-school-2030/edit#lifecycle")
    assert "The edition is published" in page.locator(".flash").inner_text()
    assert (
        fresh(db).scalar(sa.select(Edition.status).where(Edition.slug == "spring-school-2030"))
        == "published"
    )

    assert visitor.goto("/spring-school-2030/?lang=en").status == 200
    visitor.goto("/?lang=en")
    shot(visitor, "home-390")
    listed = visitor.locator(".edition-list li", has_text="Spring School 2030")
    assert "Registration opens on 1 March 2030" in listed.inner_text()
    # The open edition (only the demo here) is offered first, with a button to register.
    calls = visitor.locator(".call-to-register")
    assert calls.count() == 1 and "Spring School 2019" in calls.inner_text()
    assert calls.get_by_role("button", name="Register for Spring School 2019").is_visible()
    wide = contexts(1280)
    wide.goto("/?lang=en")
    shot(wide, "home-1280")
    wide.goto(f"/{demo.slug}/?lang=fr")
    assert "démonstration" in wide.locator(".banner-demo").inner_text()
    shot(wide, "demo-edition-fr-1280")
    for each in (page, visitor, wide):
        assert [p for p in each.problems if "404" not in p] == []


def log_in(page) -> None:
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")


def test_an_organiser_cancels_then_reinstates_a_registration(app, contexts, demo, db):
    from school.models import Registration, Session
    from tests.support.factories import make_choice, make_registration

    make_admin(app, db)
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    explora.capacity = 1
    eve = make_registration(db, demo, first_name="Ève", last_name="Ñúñez", language="en",
                            email="eve@example.org", dietary="Végétarienne")  # fmt: skip
    make_choice(db, eve, explora)
    zoe = make_registration(db, demo, first_name="Zoé", email="zoe@example.org")
    make_choice(db, zoe, explora, status="waitlisted")
    db.commit()
    page = contexts()
    log_in(page)
    page.goto(f"/organiser/{demo.slug}/registrations/{eve.id}?lang=en")
    assert "Végétarienne" in page.locator("#attendance-title + dl").inner_text()
    page.get_by_role("button", name="Cancel the registration…").click()
    page.wait_for_url(f"**/registrations/{eve.id}/cancel*")
    told = page.locator(".notice").inner_text()
    assert "the seat goes to the person waiting for it" in told and "eve@example.org" in told
    shot(page, "cancel-question-1280")
    page.get_by_role("button", name="Yes, cancel the registration").click()
    page.wait_for_url(f"**/registrations/{eve.id}")
    assert "Before the cancellation" in page.locator("main").inner_text()
    page.get_by_role("button", name="Reinstate the registration").click()
    page.wait_for_url(f"**/registrations/{eve.id}")
    assert "reinstated" in page.locator(".flash").inner_text()
    history = page.locator("#history-title + ul").inner_text()
    assert "Reinstated by an organiser" in history and "Cancelled by an organiser" in history
    shot(page, "registration-after-reinstating-1280")
    phone = contexts(390)
    log_in(phone)
    phone.goto(f"/organiser/{demo.slug}/registrations/{eve.id}?lang=fr")
    shot(phone, "registration-after-reinstating-fr-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    statuses = [c.status for c in fresh(db).get(Registration, eve.id).choices]
    assert statuses == ["waitlisted"]  # Zoé took the seat meanwhile


def test_an_organiser_edits_then_deletes_a_group(app, contexts, demo, db):
    from school.models import Session, SessionGroup

    make_admin(app, db)
    page = contexts()
    log_in(page)
    page.goto(f"/organiser/{demo.slug}/groups?lang=en")
    page.get_by_label("Short name (for files and links)").fill("visits")
    page.get_by_label("Title in French").fill("Visites")
    page.get_by_label("How seats are given").select_option("first_come")
    page.get_by_label("Tour of the venue", exact=False).check()
    page.get_by_label("Tour of the permanent exhibitions (Explora)", exact=False).check()
    page.get_by_role("button", name="Create the group").click()
    page.wait_for_url("**/groups/*")
    page.get_by_role("link", name="Edit or delete the group").click()
    page.get_by_label("Title in French").fill("Visites du mercredi")
    page.get_by_role("button", name="Save the group").click()
    page.wait_for_url(re.compile(r"/groups/\d+$"))
    assert "The group is saved." in page.locator(".flash").inner_text()
    assert fresh(db).scalar(sa.select(SessionGroup.title_fr)) == "Visites du mercredi"
    page.get_by_role("link", name="Edit or delete the group").click()
    shot(page, "group-edit-1280")
    page.get_by_role("button", name="Delete the group").click()
    page.wait_for_url(re.compile(r"/groups(\?.*)?$"))
    assert "its sessions stay" in page.locator(".flash").inner_text()
    db = fresh(db)
    assert db.scalar(sa.select(sa.func.count()).select_from(SessionGroup)) == 0
    assert db.scalar(sa.select(sa.func.count()).where(Session.group_id.is_not(None))) == 0
