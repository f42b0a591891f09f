"""Building a programme in a real browser: the timetable editor by mouse and by
keyboard (add, move, resize, duplicate a session and a slot, a clash refused), and a
spreadsheet of sessions with one bad row (previewed, refused, nothing written)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from school.models import Edition, Session
from school.services.programme import importer
from tests.support.backoffice import PASSWORD, fresh, make_admin
from tests.support.browser import require_chromium

SMALL = """
edition:
  slug: autumn-school-2024
  title: {fr: École d'automne 2024, en: Autumn School 2024}
  city: Bruxelles
  venue: Tour & Taxis
  address: Avenue du Port 86C, 1000 Bruxelles
  timezone: Europe/Brussels
  starts_on: 2024-12-04
  ends_on: 2024-12-06
rooms:
  - {id: salle-a, name: {fr: Salle A}}
  - {id: salle-b, name: {fr: Salle B}}
  - {id: salle-c, name: {fr: Salle C}}
  - {id: salle-d, name: {fr: Salle D}}
"""
SLUG = "autumn-school-2024"
AUDIT = (Path(__file__).parent / "support" / "a11y_audit.js").read_text()  # axe-core
SHOTS = Path(os.environ.get("SCHOOL_SHOTS", "/tmp/builder-shots"))


def _page(browser, live_server, width: int, height: int = 900):
    require_chromium()
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    context.on(
        "request",
        lambda r: (
            None if r.url.startswith((live_server.url, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    return context, page, problems, outside


def _login(page):
    page.goto("/organiser/login?lang=en")
    page.get_by_label("E-mail").fill("chef@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/organiser/")


def _sessions(db) -> dict[str, Session]:
    db = fresh(db)
    edition = db.scalar(sa.select(Edition).where(Edition.slug == SLUG))
    return {
        s.title_fr: s
        for s in db.scalars(sa.select(Session).where(Session.edition_id == edition.id))
    }


def _local(session: Session) -> tuple[str, str, str | None]:
    tz = session.edition.tz
    return (
        f"{session.starts_at.astimezone(tz):%H:%M}",
        f"{session.ends_at.astimezone(tz):%H:%M}",
        session.room.key if session.room else None,
    )


def _wait_block(page, title: str):
    block = page.locator(".tt-session", has_text=title)
    block.first.wait_for()
    return block.first


@pytest.fixture
def small_edition(app, db):
    make_admin(app, db)
    with app.app_context():
        importer.import_text(db, SMALL)
        db.commit()


def test_build_a_small_edition_in_the_timetable_editor(
    app, browser, live_server, db, small_edition
):
    context, page, problems, outside = _page(browser, live_server, 1280)
    _login(page)
    page.goto(f"/organiser/{SLUG}/programme?lang=en")
    page.get_by_role("button", name="Timetable editor").click()
    page.wait_for_url(f"**/organiser/{SLUG}/timetable")
    status = page.locator("#tt-status")

    # By mouse: six workshops, clicking an empty cell of each room and slot.
    began = time.monotonic()
    for n, (start, room) in enumerate(
        [("09:00", "salle-a"), ("09:00", "salle-b"), ("09:00", "salle-c"),
         ("11:00", "salle-a"), ("11:00", "salle-b"), ("11:00", "salle-c")], start=1
    ):  # fmt: skip
        page.locator(f'.tt-cell[data-start="{start}"][data-room="{room}"]').click()
        assert page.get_by_label("Starts at", exact=True).first.input_value() == start
        page.locator("#tt-title").fill(f"Atelier {n} – Łódź")
        page.locator("#tt-capacity").fill("20")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(status).to_contain_text(f"Added: Atelier {n} – Łódź")
    elapsed = time.monotonic() - began
    print(f"\nsix workshops added by mouse in {elapsed:.1f} s ({elapsed / 6:.1f} s each)")
    made = _sessions(db)
    assert _local(made["Atelier 1 – Łódź"]) == ("09:00", "10:30", "salle-a")
    assert _local(made["Atelier 6 – Łódź"]) == ("11:00", "12:30", "salle-c")
    assert made["Atelier 4 – Łódź"].capacity == 20
    sequence = made["Atelier 1 – Łódź"].sequence

    # Drag workshop 1 to Salle D, a quarter of an hour later.
    block = _wait_block(page, "Atelier 1 – Łódź")
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    head = page.locator(".tt-head").nth(1).bounding_box()
    row = page.locator(".tt-time").first.bounding_box()["height"]
    page.mouse.move(box["x"] + 20, box["y"] + 25)
    page.mouse.down()
    page.mouse.move(box["x"] + 20 + head["width"] * 1.5, box["y"] + 25 + row * 0.5, steps=5)
    page.mouse.move(box["x"] + 20 + head["width"] * 3, box["y"] + 25 + row, steps=5)
    page.mouse.up()
    expect(status).to_contain_text("Salle D")
    moved = _sessions(db)["Atelier 1 – Łódź"]
    assert _local(moved) == ("09:15", "10:45", "salle-d")
    assert moved.sequence == sequence + 1  # calendars see the move

    # Dropped on another session: refused, said in the grid, nothing changed.
    block = _wait_block(page, "Atelier 2 – Łódź")
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 25)
    page.mouse.down()
    page.mouse.move(box["x"] + 20 + head["width"], box["y"] + 25 + row * 0.2, steps=5)
    page.mouse.up()
    expect(status).to_have_class(re.compile("flash-error"))
    assert "also booked" in status.inner_text()
    assert _local(_sessions(db)["Atelier 2 – Łódź"]) == ("09:00", "10:30", "salle-b")

    # Resize workshop 6 by dragging its bottom edge down one hour.
    block = _wait_block(page, "Atelier 6 – Łódź")
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] - 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] - 2 + row * 4, steps=6)
    page.mouse.up()
    expect(status).to_contain_text("13:30")
    assert _local(_sessions(db)["Atelier 6 – Łódź"]) == ("11:00", "13:30", "salle-c")

    # Duplicate workshop 4 into Salle D through its menu.
    block = _wait_block(page, "Atelier 4 – Łódź")
    block.hover()
    block.locator(".tt-menu").click()
    dialog = page.locator("#tt-actions")
    dialog.get_by_label("Salle D").check()
    assert dialog.get_by_label("Salle B").is_disabled()  # busy at that time
    dialog.get_by_role("button", name="Duplicate", exact=True).click()
    expect(status).to_contain_text("copy")
    copies = [s for s in _sessions(db).values() if s.title_fr == "Atelier 4 – Łódź"]
    assert len(copies) == 1  # titles are a dict key: look at all of them instead
    fresh_db = fresh(db)
    rooms = sorted(
        s.room.key
        for s in fresh_db.scalars(sa.select(Session).where(Session.title_fr == "Atelier 4 – Łódź"))
    )
    assert rooms == ["salle-a", "salle-d"]

    # By keyboard: add a session from the form, move it, resize it, copy its slot.
    page.locator("#tt-title").focus()
    page.keyboard.type("Plénière d'ouverture")
    page.locator("#tt-kind").select_option("plenary")
    page.locator("#tt-start").fill("14:00")
    page.locator("#tt-end").fill("15:00")
    page.locator("#tt-room").select_option("salle-a")
    page.locator("#tt-title").press("Enter")
    expect(status).to_contain_text("Added: Plénière d'ouverture")
    plenary = _wait_block(page, "Plénière d'ouverture")
    plenary.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    assert "14:30–15:45, Salle B" in status.inner_text()  # announced before it is saved
    page.keyboard.press("Enter")
    expect(status).to_contain_text("14:30–15:45, Salle B.")
    assert _local(_sessions(db)["Plénière d'ouverture"]) == ("14:30", "15:45", "salle-b")
    assert page.evaluate("document.activeElement.dataset.title") == "Plénière d'ouverture"

    # Escape puts a pending move back.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    time.sleep(1.3)
    assert _local(_sessions(db)["Plénière d'ouverture"]) == ("14:30", "15:45", "salle-b")

    # The 11:00 slot (workshops 4, 5 and the copy) copied to the next day at 09:00, by keys.
    _wait_block(page, "Atelier 5 – Łódź").focus()
    page.keyboard.press("d")
    slot_start = page.locator("#tt-slot-start")
    slot_start.focus()
    slot_start.fill("09:00")
    page.locator("#tt-slot-day").select_option("2024-12-05")
    slot_start.press("Enter")
    expect(status).to_contain_text("3 copies")
    fresh_db = fresh(db)
    next_day = [
        (s.title_fr, _local(s))
        for s in fresh_db.scalars(sa.select(Session).order_by(Session.title_fr))
        if s.starts_at.astimezone(s.edition.tz).date().isoformat() == "2024-12-05"
    ]
    assert sorted(next_day) == [
        ("Atelier 4 – Łódź", ("09:00", "10:30", "salle-a")),
        ("Atelier 4 – Łódź", ("09:00", "10:30", "salle-d")),
        ("Atelier 5 – Łódź", ("09:00", "10:30", "salle-b")),
    ]

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "timetable-small-1280.png"), full_page=True)
    context.close()
    # The browser logs the refused drop (409, expected); nothing else went wrong.
    assert [p for p in problems if "409" not in p] == [], problems
    assert outside == [], outside


# Each "…" menu of the grid, scrolled into the middle of the grid's box: its size, and
# whether a click lands on it at nine points over it (2 px inside its rounded corners).
_MENUS = """els => els.map((b) => {
  b.scrollIntoView({block: "center", inline: "center"});
  const r = b.getBoundingClientRect(), inset = 2;
  const xs = [r.left + inset, (r.left + r.right) / 2, r.right - inset];
  const ys = [r.top + inset, (r.top + r.bottom) / 2, r.bottom - inset];
  return {title: b.closest(".tt-session").dataset.title, width: r.width, height: r.height,
    block: b.closest(".tt-session").className.match(/\\btt-s\\d+/)[0],
    hit: xs.every((x) => ys.every((y) => document.elementFromPoint(x, y) === b))};
})"""


def test_the_editor_on_the_demo_edition_at_1280_and_390(app, browser, live_server, db, demo):
    make_admin(app, db)
    for width, height in ((1280, 1500), (390, 844)):
        context, page, problems, outside = _page(browser, live_server, width, height)
        _login(page)
        page.goto(f"/organiser/{demo.slug}/timetable?lang=en&day=2019-06-19")
        _wait_block(page, "Welcome")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"timetable-demo-{width}.png"))
        body = page.evaluate("document.documentElement.scrollWidth")
        assert body <= width + 1  # the grid scrolls inside its own box, not the page
        menus = page.locator(".tt-menu").evaluate_all(_MENUS)
        assert any(m["block"] == "tt-s1" for m in menus)  # a 15-minute block: lower than 24 px
        for menu in menus:
            assert menu["width"] >= 24 and menu["height"] >= 24, menu  # WCAG 2.2 target size
            assert menu["hit"], menu  # the whole of it takes the click: not clipped, not covered
        welcome = page.get_by_role("button", name="Duplicate or edit: Welcome addresses")
        welcome.click()  # its named button, on the block too low to hold it
        expect(page.locator("#tt-actions")).to_be_visible()
        expect(page.locator("#tt-actions-title")).to_contain_text("Welcome addresses: 09:15–09:30")
        page.keyboard.press("Escape")
        audits = {}
        for path in ("timetable?day=2019-06-19&", "programme/import?", "sessions/new?"):
            page.goto(f"/organiser/{demo.slug}/{path}lang=fr")
            audits[path] = page.evaluate(AUDIT, "fr")
        assert audits == {key: [] for key in audits}
        context.close()
        assert problems == [] and outside == []


LONG_TITLE = (
    "Coffee break with the partners of the network: the Cités of Wallonia, Brussels, "
    "Geneva and Lisbon present their guidance tools"
)
# What a block shows of its title, and what the keyboard's focus shows of it (::after).
_BLOCK = """el => {
  const box = el.getBoundingClientRect(), title = el.querySelector('a'),
    when = el.querySelector('.tt-when'), shown = getComputedStyle(el, '::after').content;
  return {tooltip: el.title, name: el.getAttribute('aria-label'),
    title_bottom: title.getBoundingClientRect().bottom - box.bottom,
    when_bottom: when.getBoundingClientRect().bottom - box.bottom,
    cut: title.scrollHeight > title.clientHeight + 1,
    focused: shown === 'none' ? null : JSON.parse(shown)};
}"""


def test_a_long_title_is_cut_with_an_ellipsis_and_read_whole(app, browser, live_server, db, demo):
    """A title longer than its block ends with "…" inside it, the times still shown
    under it; the whole title is the block's tooltip, its name for a screen reader,
    and is shown under the block while it has the keyboard's focus."""
    make_admin(app, db)
    with app.app_context():
        coffee = fresh(db).scalar(sa.select(Session).where(Session.key == "d1-coffee-break"))
        coffee.title_en = LONG_TITLE  # 11:15–11:45: two rows of the grid
        db.commit()
    tour = "Tour of the venue (in small groups)"  # 17:00–18:30, a long title too
    for width, height in ((1280, 900), (390, 844)):
        context, page, problems, outside = _page(browser, live_server, width, height)
        _login(page)
        page.goto(f"/organiser/{demo.slug}/timetable?lang=en&day=2019-06-19")
        for title in (LONG_TITLE, tour):
            block = _wait_block(page, title[:30])
            block.scroll_into_view_if_needed()
            shown = block.evaluate(_BLOCK)
            full = block.get_attribute("data-title")
            assert full.startswith(title) and shown["tooltip"] == full
            assert shown["name"].startswith(full + ", ")
            assert shown["cut"], title  # longer than the block: cut, not spilling out
            assert shown["title_bottom"] <= 0.5 and shown["when_bottom"] <= 0.5, shown
            assert shown["focused"] is None
            # From the keyboard: Tab onto the block, then the whole title under it.
            block.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            assert block.evaluate("el => el === document.activeElement")
            assert block.evaluate(_BLOCK)["focused"] == full
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"timetable-long-title-{width}-{title[:4]}.png"))
        context.close()
        assert problems == [] and outside == []


def test_a_sessions_spreadsheet_with_one_bad_row(
    app, browser, live_server, db, small_edition, tmp_path
):
    sheet = tmp_path / "sessions.csv"
    sheet.write_text(
        "date,start,end,title_fr,room,capacity\n"
        "2024-12-04,09:00,10:30,Atelier un,Salle A,20\n"
        "2024-12-04,11:00,10:30,Atelier deux,Salle B,20\n"
        "2024-12-04,11:00,12:30,Atelier trois,Salle C,20\n",
        encoding="utf-8",
    )
    context, page, problems, outside = _page(browser, live_server, 1280)
    _login(page)
    page.goto(f"/organiser/{SLUG}/programme?lang=en")
    page.get_by_role("button", name="Import sessions").click()
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(sheet))
    page.get_by_role("button", name="Preview").click()
    alert = page.get_by_role("alert")
    assert "Row 3, column “end”: 10:30 is not after start 11:00" in alert.inner_text()
    assert page.get_by_role("button", name="Import these sessions").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-preview-1280.png"), full_page=True)
    assert _sessions(db) == {}
    context.close()
    assert problems == [] and outside == []


def test_the_session_form_keeps_work_in_a_browser(app, browser, live_server, db, demo):
    make_admin(app, db)
    context, page, problems, outside = _page(browser, live_server, 1280)
    _login(page)
    page.goto(f"/organiser/{demo.slug}/timetable?lang=en&day=2019-06-20")
    page.locator('.tt-cell[data-start="14:30"][data-room="meeting-room-2"]').click()
    page.locator("#tt-title").fill("Atelier à compléter")
    page.get_by_role("button", name="Add", exact=True).click()
    block = _wait_block(page, "Atelier à compléter")
    block.get_by_role("link").click()
    page.wait_for_url("**/sessions/*")
    assert page.locator(".speaker-row").count() == 1
    page.get_by_label("Title (in English)").fill("Workshop to complete")
    page.get_by_role("button", name="Add a speaker row").click()
    page.get_by_role("button", name="Add a speaker row").click()
    assert page.locator(".speaker-row").count() == 3  # added in place: nothing was sent
    assert page.get_by_label("Title (in English)").input_value() == "Workshop to complete"
    page.locator("#speakers-1-person").select_option("alain-jouneau")
    page.locator("#speakers-1-role").select_option("moderator")
    page.locator("#new-person summary").click()
    page.get_by_label("First name").fill("Fatima")
    page.get_by_label("Last name").fill("الزهراء")
    page.get_by_role("button", name="Add this person").click()
    assert "is added to the list" in page.locator("main").inner_text()
    assert page.get_by_label("Title (in English)").input_value() == "Workshop to complete"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "session-form-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "session-form-390.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).last.click()
    page.wait_for_url("**/programme#s*")
    session = fresh(db).scalar(sa.select(Session).where(Session.title_fr == "Atelier à compléter"))
    assert session.title_en == "Workshop to complete"
    assert sorted((link.person.last_name, link.role) for link in session.people) == [
        ("Jouneau", "moderator"),
        ("الزهراء", "speaker"),
    ]
    context.close()
    assert problems == [] and outside == []
