"""What the scanner says and finds, in words a volunteer in a hurry reads at a glance: the
tone of a verdict and its next step, and the name search for a forgotten badge (Debian's
chromium, the page's own modules)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from school.models import Edition
from school.services.backoffice import organisers
from school.services.badges import tokens
from tests.support.door import PASSWORD, verdict
from tests.support.factories import make_edition, make_registration


@pytest.fixture
def door(app, db, demo):
    """A door volunteer's account, and Majda, who comes every day."""
    with app.app_context():
        organisers.create_organiser(db, "door@example.org", "checkin", PASSWORD)
        make_registration(db, db.get(Edition, demo.id), first_name="Majda", last_name="Jelenčić")
        db.commit()


def door_login(page) -> None:
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_name_search_folds_every_letter_and_takes_one_ideograph(phone):
    """ "lukasiewicz" found no "Łukasiewicz" (Ł has no mark to strip), and "王", a whole
    Chinese surname, said nothing at all: the search needed two characters."""
    people = [
        {"first_name": "Zoë", "last_name": "Ñúñez-Łukasiewicz", "organisation": "", "cite": ""},
        {"first_name": "小明", "last_name": "王", "organisation": "", "cite": ""},
        {"first_name": "Søren", "last_name": "Straße", "organisation": "", "cite": ""},
        {"first_name": "Анна", "last_name": "Смирнова", "organisation": "", "cite": ""},
    ]
    phone.goto("/")
    found = phone.evaluate(
        """async ([people, queries]) => {
            const { find } = await import("/static/js/scanner/search.js");
            return queries.map((q) => find(people, q).map((p) => p.last_name));
        }""",
        [people, ["lukasiewicz", "nunez zoe", "王", "soren strasse", "смир", "z"]],
    )
    assert found == [
        ["Ñúñez-Łukasiewicz"],
        ["Ñúñez-Łukasiewicz"],
        ["王"],
        ["Straße"],
        ["Смирнова"],
        [],  # one Latin letter is too little to search on
    ]


def test_someone_let_in_on_a_day_they_are_not_registered_for_is_amber(phone, door, demo, db):
    """A green "Welcome!" with a small "Not registered for this day" was read at a glance
    as all good; the day's meals were not counted for them."""
    edition = db.get(Edition, demo.id)
    make_registration(db, edition, first_name="Анна", last_name="Смирнова", days=edition.dates[1:])
    db.commit()
    page = phone
    door_login(page)
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")
    page.get_by_label("Find a participant by name").fill("смирнова")
    page.get_by_role("button", name="Check in: Анна Смирнова").click()
    screen = verdict(page, "Welcome!")
    expect(screen).to_have_class("verdict verdict-warn")
    expect(screen.locator(".verdict-details")).to_contain_text("Not registered for this day.")
    screen.click()
    # Majda comes every day: green.
    page.get_by_label("Find a participant by name").fill("jelencic")
    page.get_by_role("button", name="Check in: Majda Jelenčić").click()
    expect(verdict(page, "Welcome!")).to_have_class("verdict verdict-ok")
    page.keyboard.press("Escape")
    # Red says what to do next, not only what went wrong.
    code = page.get_by_label("Code printed under the QR code")
    code.fill("K1:1:1:" + "A" * 24)  # well formed, forged
    code.press("Enter")
    screen = verdict(page, "Unknown or damaged badge")
    expect(screen).to_have_class("verdict verdict-stop")
    expect(screen.locator(".verdict-details")).to_contain_text(
        "Do not let in: send the person to the reception desk."
    )


def test_a_badge_of_another_edition_names_that_edition_online_and_offline(
    phone, door, app, demo, db
):
    """ "Badge of another edition" left the volunteer guessing which one; the roster names
    it the same way when the phone decides alone. Only the edition, never the person."""
    other = make_edition(db)  # Autumn School 2024
    stranger = make_registration(db, other, first_name="Zoë", last_name="Ñúñez")
    db.commit()
    with app.app_context():
        badge = tokens.token_for(stranger)
    page = phone
    door_login(page)
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")
    code = page.get_by_label("Code printed under the QR code")
    for network in ("online", "offline"):
        page.context.set_offline(network == "offline")
        code.fill(badge)
        code.press("Enter")
        screen = verdict(page, "Badge of another edition")
        expect(screen).to_have_class("verdict verdict-stop")
        details = screen.locator(".verdict-details")
        expect(details).to_contain_text("This badge is for Autumn School 2024.")
        if network == "offline":
            expect(details).to_contain_text("Decided on this phone")
        expect(screen).not_to_contain_text("Ñúñez")
        page.keyboard.press("Escape")


def test_tab_on_a_verdict_puts_it_away_and_never_reaches_a_link_hidden_under_it(phone, door, demo):
    """The verdict covers the screen and holds the focus; Tab took the focus behind it to
    the account link, unseen, and Enter there left the scanner in the middle of a queue."""
    page = phone
    door_login(page)
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")
    code = page.get_by_label("Code printed under the QR code")
    code.fill("K1:1:1:" + "A" * 24)
    code.press("Enter")
    screen = verdict(page, "Unknown or damaged badge")
    expect(screen).to_be_focused()
    page.keyboard.press("Tab")
    expect(screen).to_be_hidden()
    expect(code).to_be_focused()
    page.keyboard.press("Enter")  # nothing typed: the page stays, nothing is followed
    assert page.url.endswith("/checkin/entrance:2019-06-19")


def test_the_name_search_says_where_someone_comes_from_and_never_null(phone, door, demo, db):
    """Someone registered without an organisation was listed with "null" under their
    name; the search now says what the verdict says: the organisation, else the Cité."""
    edition = db.get(Edition, demo.id)
    make_registration(db, edition, first_name="Ngô", last_name="Đức", organisation=None)
    make_registration(
        db,
        edition,
        first_name="Ярослава",
        last_name="Ngô",
        organisation=None,
        cite="Cité des métiers de Lisboa",
    )
    db.commit()
    page = phone
    door_login(page)
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")
    page.get_by_label("Find a participant by name").fill("ngo")
    results = page.locator("#search-results > li")
    expect(results).to_have_count(2)
    expect(page.locator("#search-results")).not_to_contain_text("null")
    expect(results.filter(has_text="Ярослава Ngô")).to_contain_text("Cité des métiers de Lisboa")
    expect(results.filter(has_text="Ngô Đức").locator("span")).to_have_text("Ngô Đức")
    page.get_by_label("Find a participant by name").fill("null")
    expect(page.locator("#search-results")).to_have_text("Nobody found with that name.")


def test_someone_who_cancelled_and_registered_again_is_found_first_as_registered(
    phone, door, demo, db
):
    """The roster holds both registrations of someone who cancelled and registered
    again; the cancelled one came first (same name, sorted first), so the volunteer's
    first "Check in" by keyboard answered "Registration cancelled: do not let in"."""
    edition = db.get(Edition, demo.id)
    for n in (1, 2):
        make_registration(
            db,
            edition,
            first_name="Ngô",
            last_name="Đức",
            email=f"ngo.duc.{n}@example.org",
            status="cancelled",
        )
    make_registration(db, edition, first_name="Ngô", last_name="Đức", email="ngo@example.org")
    db.commit()
    page = phone
    door_login(page)
    page.goto(f"/organiser/{demo.slug}/checkin/entrance:2019-06-19")
    expect(page.locator("#offline-readiness")).to_contain_text("Ready offline")
    search = page.get_by_label("Find a participant by name")
    search.focus()
    page.keyboard.type("ngo duc")
    results = page.locator("#search-results > li")
    expect(results).to_have_count(3)
    expect(results.first).not_to_contain_text("cancelled")
    expect(results.nth(1)).to_contain_text("cancelled")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(verdict(page, "Welcome!")).to_have_class("verdict verdict-ok")
