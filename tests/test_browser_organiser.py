"""An organiser, in a real browser: log in, clone last year's edition, move a session,
download the lists as XLSX and open them; the tables hold on a phone."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from school.models import Edition, Session
from tests.support.backoffice import PASSWORD, fresh, make_admin
from tests.support.browser import require_chromium
from tests.support.factories import make_choice, make_registration


@pytest.fixture
def laptop(browser, live_server):
    """A laptop-sized page that records Content-Security-Policy violations."""
    require_chromium()
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="en-GB",
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert problems == [], problems


def test_clone_an_edition_move_a_session_and_export_the_lists(app, laptop, demo, db, tmp_path):
    make_admin(app, db)
    page = laptop
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")

    page.get_by_role("link", name="Clone as the next edition").click()
    page.get_by_label("Short name in addresses (slug)").fill("spring-school-2020")
    page.get_by_label("Title (in French)").fill("Spring School 2020")
    page.get_by_label("Title (in English)").fill("Spring School 2020")
    page.get_by_label("First day of the new edition").fill("2020-06-17")
    page.get_by_role("button", name="Create the new edition").click()
    page.wait_for_url("**/organiser/spring-school-2020/programme")
    assert "Spring School 2020 is ready" in page.locator(".flash").inner_text()

    page.get_by_role("link", name="Tour of the permanent exhibitions (Explora)").click()
    page.get_by_label("Starts at").fill("16:00")
    page.get_by_label("Ends at").fill("17:30")
    page.get_by_label("Room", exact=True).select_option(label="Meeting room 1")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/organiser/spring-school-2020/programme#s\d+$"))
    assert "The session is saved." in page.locator("main").inner_text()
    row = page.locator("tr", has_text="Tour of the permanent exhibitions (Explora)")
    assert "16:00–17:30" in row.inner_text() and "Meeting room 1" in row.inner_text()

    page.get_by_role("link", name="Exports").click()
    card = page.locator("article", has_text="Who holds a seat in each session")
    with page.expect_download() as download:
        card.get_by_role("button", name="XLSX").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("spring-school-2020-sessions-") and path.suffix == ".xlsx"
    book = load_workbook(path)
    summary = {row[0]: row for row in book["Sessions"].iter_rows(min_row=2, values_only=True)}
    moved = summary["Tour of the permanent exhibitions (Explora)"]
    assert moved[1].date().isoformat() == "2020-06-17"
    assert moved[2] == "16:00–17:30" and moved[3:] == ("Scheduled", 20, 0, 0)

    db = fresh(db)
    new = db.scalar(sa.select(Edition).where(Edition.slug == "spring-school-2020"))
    session = db.scalar(
        sa.select(Session).where(Session.edition_id == new.id, Session.key == "d1-visit-explora")
    )
    assert session.starts_at.astimezone(new.tz).strftime("%Y-%m-%d %H:%M") == "2020-06-17 16:00"
    assert session.sequence == 1


def test_the_registrations_table_scrolls_inside_its_frame_on_a_phone(app, phone, demo, db):
    make_admin(app, db)
    explora = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    for n in range(3):
        registration = make_registration(
            db, demo, email=f"p{n}@example.org", organisation="Une organisation au nom très long"
        )
        make_choice(db, registration, explora)
    db.commit()
    page = phone
    page.goto("/organiser/login?lang=fr")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/organiser/{demo.slug}/registrations?lang=fr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    frame = page.locator(".table-wrap").first
    assert frame.evaluate("node => node.scrollWidth > node.clientWidth")
    # Reachable with the keyboard: the frame takes the focus, then scrolls with arrows.
    frame.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")
    page.get_by_label("Rechercher").fill("p1@")
    page.get_by_role("button", name="Filtrer").click()
    # The filtered page may still be loading when the click returns: wait for its one row.
    expect(page.locator("tbody tr")).to_have_count(1)


def test_a_registrations_actions_are_buttons_of_one_height(app, browser, live_server, demo, db):
    """ "Print the badge" and "Cancel the registration…" (links) stood taller than
    "Re-send the private link" (a form's button) beside them: the form's button kept
    its margin, and the links stretched to the form's height."""
    make_admin(app, db)
    registration = make_registration(db, demo)
    db.commit()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-FR"
    )
    page = context.new_page()
    page.goto("/organiser/login?lang=fr")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/organiser/")
    page.goto(f"/organiser/{demo.slug}/registrations/{registration.id}?lang=fr")
    actions = page.locator("section[aria-labelledby=actions-title] .actions")
    buttons = actions.locator("a[role=button], button")
    expect(buttons).to_have_count(3)
    heights = {round(buttons.nth(i).bounding_box()["height"]) for i in range(3)}
    assert len(heights) == 1, heights
    context.close()
