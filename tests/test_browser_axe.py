"""axe-core (vendored from npm, tests/support/vendor/axe-core) on every page a participant,
a speaker, a door volunteer and an organiser meet, in French and English, on a phone
(390 px) and a laptop (1280 px): the back office and the scanner's three verdicts
included. Any violation, of any impact, fails."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from school.models import Edition, MailingOptOut, Person, Session
from school.services.badges import tokens
from tests.support.backoffice import PASSWORD, make_admin
from tests.support.factories import make_choice, make_registration
from tests.support.production import SUITE_ON_POSTGRES

# What these tests check (markup, contrast, sizes, widths, the keyboard) comes from the
# templates and style sheets, not from the database: the SQLite run checks it, and the
# PostgreSQL run saves the minutes chromium would spend on it again.
pytestmark = pytest.mark.skipif(SUITE_ON_POSTGRES, reason="rendering: the SQLite run checks it")

AXE = (Path(__file__).parent / "support" / "vendor" / "axe-core" / "axe.min.js").read_text()
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
RUN = """async (context) => {
  // Folded parts (the numbers behind a chart) are checked open.
  document.querySelectorAll("details").forEach((d) => (d.open = true));
  const result = await axe.run(context ? document.querySelector(context) : document);
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    nodes: v.nodes
      .slice(0, 3)
      .map((n) => `${n.target.join(" ")} ${n.failureSummary.slice(0, 160)}`),
  }));
}"""


def report(found: dict[str, list[dict]]) -> str:
    return "\n".join(
        f"{where}: {v['id']} ({v['impact']}) {node}"
        for where, violations in found.items()
        for v in violations
        for node in v["nodes"]
    )


def audit(page, context: str | None = None) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    return page.evaluate(RUN, context)


@pytest.fixture
def world(app, db, demo) -> dict:
    edition = db.get(Edition, demo.id)
    make_admin(app, db)
    person = make_registration(
        db, edition, first_name="Majda", last_name="Jelenčić", dietary="Végétarienne",
        organisation="Cité des métiers de Genève", country="HR",
    )  # fmt: skip
    for key, status in (("d1-visit-explora", "confirmed"), ("d3-work-cafe", "waitlisted")):
        make_choice(db, person, db.scalar(sa.select(Session).where(Session.key == key)), status)
    news = MailingOptOut(edition_id=demo.id, email_key=person.email_key)
    db.add(news)
    speaker = db.scalar(sa.select(Person).order_by(Person.id))
    session = db.scalar(sa.select(Session).where(Session.key == "d2-round-table-1"))
    db.commit()
    slug = demo.slug
    with app.app_context():
        token = tokens.token_for(person)
    return {
        "token": token,
        "public": [
            "/",
            f"/{slug}/",
            f"/{slug}/programme",
            f"/{slug}/sessions/{session.id}",
            f"/{slug}/speakers",
            f"/{slug}/speakers/{speaker.key}",
            f"/{slug}/register",
            f"/my/{person.manage_token}",
            f"/my/{person.manage_token}/edit",
            f"/unsubscribe/{news.token}",
            f"/speaker/{speaker.speaker_token}",
        ],
        "organiser": [
            "/organiser/",
            f"/organiser/{slug}/",
            f"/organiser/{slug}/registrations",
            f"/organiser/{slug}/registrations/{person.id}",
            f"/organiser/{slug}/programme",
            f"/organiser/{slug}/speakers",
            f"/organiser/{slug}/speakers/{speaker.id}",
            f"/organiser/{slug}/lists",
            f"/organiser/{slug}/exports",
            f"/organiser/{slug}/mailings",
            f"/organiser/{slug}/attendance?day=2019-06-19",
            f"/organiser/{slug}/attendance/days/2019-06-19",
            f"/organiser/{slug}/sessions/{session.id}",
            f"/organiser/{slug}/sessions/{session.id}/list",
            f"/organiser/{slug}/registrations/new",
            f"/organiser/{slug}/edit",
            f"/organiser/{slug}/groups",
            f"/organiser/{slug}/rooms",
            f"/organiser/{slug}/audit",
            f"/organiser/{slug}/checkin",
        ],
        "scanner": f"/organiser/{slug}/checkin/entrance:2019-06-19",
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)  # to add axe
    page = context.new_page()
    yield page
    context.close()


def log_in(page, lang: str) -> None:
    page.goto(f"/organiser/login?lang={lang}")
    page.locator("input[name=email]").fill("chef@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form [type=submit]").click()
    page.wait_for_url("**/organiser/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_axe_violation_on_any_page(page, world, lang):
    found: dict[str, list[dict]] = {}
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        for path in world["public"]:
            page.goto(f"{path}?lang={lang}")
            found[f"{path} {size}"] = audit(page)
        page.goto(f"{world['public'][6]}?lang={lang}")  # the form sent empty: its errors
        with page.expect_navigation():
            page.locator("form.registration-form [type=submit]").click()
        found[f"register, errors {size}"] = audit(page)
        log_in(page, lang)
        found[f"login {size}"] = []
        for path in world["organiser"]:
            sep = "&" if "?" in path else "?"
            page.goto(f"{path}{sep}lang={lang}")
            found[f"{path} {size}"] = audit(page)
    assert not any(found.values()), report(found)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_axe_violation_on_the_scanner_and_its_three_verdicts(page, world, lang):
    found: dict[str, list[dict]] = {}
    verdicts = [("ok", world["token"]), ("already", world["token"]), ("stop", "K1:1:1:" + "A" * 24)]
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        log_in(page, lang)
        page.goto(f"{world['scanner']}?lang={lang}")
        expect(page.locator("#camera-message")).not_to_be_empty()
        found[f"scanner {size}"] = audit(page)
        for tone, code in verdicts:
            page.locator("#code").fill(code)
            page.locator("#code").press("Enter")
            expect(page.locator("#verdict")).to_be_visible()
            found[f"verdict {tone} {size}"] = audit(page, "#verdict")
            page.keyboard.press("Escape")
            expect(page.locator("#verdict")).to_be_hidden()
    assert not any(found.values()), report(found)


def test_the_scanners_checkpoint_is_its_largest_heading(page, world):
    """ "Badge forgotten?" was drawn larger than "Entrance", the page's title."""
    audit_script = (Path(__file__).parent / "support" / "a11y_audit.js").read_text()
    log_in(page, "fr")
    for size in ("phone", "laptop"):
        page.set_viewport_size(SIZES[size])
        page.goto(f"{world['scanner']}?lang=fr")
        problems = page.evaluate(audit_script, "fr")
        assert [p for p in problems if "larger than the h1" in p] == [], size


def test_back_office_tables_fit_a_laptop_and_scroll_inside_on_a_phone(page, world):
    """The registrations and speakers tables: whole at 1280 px; at 390 px the page does
    not scroll sideways, the table scrolls inside its named, focusable region."""
    measure = """() => [...document.querySelectorAll(".table-wrap")].map((w) => ({
      name: w.getAttribute("aria-label") || w.getAttribute("aria-labelledby"),
      focusable: w.tabIndex === 0,
      overflow: w.scrollWidth - w.clientWidth,
      page: document.documentElement.scrollWidth - innerWidth,
    }))"""
    page.set_viewport_size(SIZES["laptop"])
    log_in(page, "en")
    for path in world["organiser"][2], world["organiser"][5]:  # registrations, speakers
        page.set_viewport_size(SIZES["laptop"])
        page.goto(f"{path}?lang=en")
        [laptop] = page.evaluate(measure)
        assert laptop["overflow"] <= 1 and laptop["page"] <= 0, (path, laptop)
        page.set_viewport_size(SIZES["phone"])
        page.goto(f"{path}?lang=en")
        [phone] = page.evaluate(measure)
        assert phone["name"] and phone["focusable"], (path, phone)
        assert phone["overflow"] > 0 and phone["page"] <= 0, (path, phone)
        page.locator(".table-wrap").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")  # the keyboard scrolls the focused region
        page.wait_for_function("document.querySelector('.table-wrap').scrollLeft > 0")


def test_the_registrations_filters_show_their_choices_whole_on_a_laptop(page, world):
    """At 1280 px the filters read "Toutes les caté" and "Place ou liste d'": each select
    must be wide enough for the option it shows, in French as in English."""
    measure = """() => [...document.querySelectorAll(".filters select")].map((select) => {
      const style = getComputedStyle(select);
      const context = document.createElement("canvas").getContext("2d");
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const room = select.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight);
      const text = select.selectedOptions[0].text;
      return {text, short: context.measureText(text).width - room};
    })"""
    page.set_viewport_size(SIZES["laptop"])
    for lang in ("fr", "en"):
        log_in(page, lang)
        page.goto(f"{world['organiser'][2]}?lang={lang}")
        cut = [s for s in page.evaluate(measure) if s["short"] > 0]
        assert cut == [], (lang, cut)


def test_a_sessions_times_stay_on_one_line_in_the_programme_table(page, world):
    """ "08:45–" above "09:15" at 1280 px: the times of a session are read as one."""
    lines = """() => [...document.querySelectorAll(".table-wrap tbody tr")].map((row) => {
      const range = document.createRange();
      range.selectNodeContents(row.cells[0]);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return [row.cells[0].textContent, tops.size];
    }).filter(([, count]) => count > 1)"""
    page.set_viewport_size(SIZES["laptop"])
    log_in(page, "fr")
    page.goto(f"{world['organiser'][4]}?lang=fr")
    assert page.locator(".table-wrap tbody tr").count() > 20
    assert page.evaluate(lines) == []


def test_no_back_office_page_is_wider_than_the_screen(page, world):
    """A hidden caption or button, absolutely placed, made the page wider than a phone
    (the day's attendance 502 px, the staff 552 px) and a session's form wider than a
    laptop (1,319 px): what is hidden in a scrolling table now scrolls with it."""
    log_in(page, "en")
    wide = {}
    for size in ("phone", "laptop"):
        page.set_viewport_size(SIZES[size])
        for path in [*world["organiser"], "/organiser/staff"]:
            sep = "&" if "?" in path else "?"
            page.goto(f"{path}{sep}lang=en")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > SIZES[size]["width"]:
                wide[f"{path} {size}"] = width
    assert wide == {}


def test_every_target_is_big_enough_for_a_finger(page, world):
    """WCAG 2.2's target size (axe leaves it out unless asked): Pico's negative margin on
    nav links made the language switch's links overlap, IT kept 19 px on every page."""
    page.set_viewport_size(SIZES["phone"])
    found = {}
    for path in world["public"]:
        page.goto(f"{path}?lang=fr")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=AXE)
        found[path] = page.evaluate(
            """async () => (await axe.run(document, { runOnly: ["target-size"] })).violations
              .flatMap((v) => v.nodes.map((n) => n.target.join(" ")))"""
        )
    assert not any(found.values()), found


def test_a_focused_summary_is_ringed_in_a_colour_that_can_be_seen(page, world):
    """Pico rings a focused <summary> in a half-transparent blue, 1.7:1 on white; the
    back office's folded parts (the timetable's "add a session", a registration's
    history) are reached by Tab and must show it as any other control."""
    log_in(page, "en")
    page.goto(f"{world['organiser'][1]}timetable?day=2019-06-20&lang=en")
    page.locator("summary").first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # as a keyboard user comes back to it
    ring = page.evaluate(
        """() => { const el = document.activeElement, s = getComputedStyle(el);
          return [el.tagName, s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"""
    )
    # The site's own ring: 3 px, opaque (rgb, not a half-transparent rgba).
    assert ring[:3] == ["SUMMARY", "solid", 3] and ring[3].startswith("rgb("), ring
