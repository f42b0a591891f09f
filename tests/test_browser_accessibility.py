"""The public and participant pages are accessible, in French and English, in a real
browser: one main landmark, one h1, headings that do not skip levels, a label on every
form control, alt on every image, the page's language on <html>, a name on every link
and button, text contrast of at least 4.5:1 (3:1 for large text, WCAG AA), and a
keyboard user reaches the skip link first, then the language switch and the page's
main actions, always seeing where the focus is."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.models import Edition, MailingOptOut, Person, Ranking, Session, SessionGroup
from tests.support.factories import make_choice, make_registration
from tests.support.production import SUITE_ON_POSTGRES

# What these tests check (markup, contrast, sizes, widths, the keyboard) comes from the
# templates and style sheets, not from the database: the SQLite run checks it, and the
# PostgreSQL run saves the minutes chromium would spend on it again.
pytestmark = pytest.mark.skipif(SUITE_ON_POSTGRES, reason="rendering: the SQLite run checks it")

AUDIT = (Path(__file__).parent / "support" / "a11y_audit.js").read_text()

# Where the keyboard focus is, and whether it can be seen: an outline of 2 px or more
# (or a box-shadow ring) with a contrast of 3:1 against the background (WCAG 1.4.11).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  el.getAnimations().forEach((a) => a.finish()); // read the focus style, not a transition
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data);
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let behind = [255, 255, 255, 255];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = rgba(getComputedStyle(node).backgroundColor);
    if (colour[3] === 255) { behind = colour; break; }
  }
  const contrast = (css) => {
    const c = rgba(css);
    if (c[3] < 255) return 0;
    const [hi, lo] = [lum(c), lum(behind)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const style = getComputedStyle(el);
  const outline =
    style.outlineStyle !== "none" &&
    parseFloat(style.outlineWidth) >= 2 &&
    contrast(style.outlineColor) >= 3;
  const ring = style.boxShadow.match(/^(rgba?\\([^)]*\\)) 0px 0px 0px ([\\d.]+)px/);
  const shadow = !!ring && parseFloat(ring[2]) >= 2 && contrast(ring[1]) >= 3;
  const rect = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 100),
    text: (el.textContent || el.value || "").trim(),
    href: el.getAttribute("href"),
    type: el.getAttribute("type"),
    inLangSwitch: !!el.closest(".lang-switch"),
    skipLink: el.classList.contains("skip-link"),
    focusVisible: el.matches(":focus-visible"),
    indicator: outline || shadow,
    onScreen: rect.right > 0 && rect.bottom > 0 && rect.left < innerWidth && rect.width > 0,
  };
}"""

MAX_TABS = 400  # the register form is the longest page; a loop is a failure, not a hang


@pytest.fixture
def pages(demo, db) -> dict[str, str]:
    session = db.scalar(sa.select(Session.id).where(Session.key == "d2-round-table-1"))
    speaker = db.scalar(sa.select(Person.key).order_by(Person.id))
    registration = make_registration(db, db.get(Edition, demo.id), dietary="Végétarienne")
    # A seat and a place in line: the private page shows both statuses in colour.
    for key, status in (("d1-visit-explora", "confirmed"), ("d3-work-cafe", "waitlisted")):
        visit = db.scalar(sa.select(Session).where(Session.key == key))
        make_choice(db, registration, visit, status)
    token = registration.manage_token
    news = MailingOptOut(edition_id=demo.id, email_key=registration.email_key)
    db.add(news)
    db.commit()
    return {
        "home": "/",
        "edition": f"/{demo.slug}/",
        "programme": f"/{demo.slug}/programme",
        "session": f"/{demo.slug}/sessions/{session}",
        "speaker": f"/{demo.slug}/speakers/{speaker}",
        "register": f"/{demo.slug}/register",
        "private": f"/my/{token}",
        "private edit": f"/my/{token}/edit",
        "speakers": f"/{demo.slug}/speakers",
        "unsubscribe": f"/unsubscribe/{news.token}",
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1024, "height": 800}, base_url=live_server.url)
    yield context.new_page()
    context.close()


def test_pages_pass_the_accessibility_checks(page, pages):
    problems = {}
    # French on a small phone, English on a laptop, Italian on a phone: both layouts, and a
    # language whose content falls back to English (marked lang="en").
    for lang, width in (("fr", 360), ("en", 1024), ("it", 390)):
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in pages.items():
            page.goto(f"{path}?lang={lang}")
            found = page.evaluate(AUDIT, lang)
            if name == "register":  # sent empty: the errors next to the fields are read too
                with page.expect_navigation():
                    page.locator("form.registration-form [type=submit]").click()
                assert page.locator(".field-errors").count() > 3
                found += page.evaluate(AUDIT, lang)
            if found:
                problems[f"{name} ({lang})"] = found
    assert problems == {}


def walk(page, done) -> list[dict]:
    """Press Tab until ``done(stops)`` or the focus comes back to the start."""
    stops: list[dict] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["html"] == stops[0]["html"]):
            break
        stops.append(focused)
        if done(stops):
            break
    return stops


def unseen(stops: list[dict]) -> list[str]:
    return [s["html"] for s in stops if not all((s["focusVisible"], s["indicator"], s["onScreen"]))]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_keyboard_reaches_the_form_and_the_language_switch(page, pages, lang):
    page.goto(f"{pages['register']}?lang={lang}")
    stops = walk(page, lambda stops: stops[-1]["type"] == "submit")
    first = stops[0]
    assert first["skipLink"] and first["onScreen"], "the skip link comes first, shown on focus"
    assert first["text"] == ("Aller au contenu" if lang == "fr" else "Skip to content")
    assert any(s["inLangSwitch"] for s in stops), "the language switch is reachable"
    assert stops[-1]["type"] == "submit", "the submit button is reachable"
    assert sum(s["html"].startswith("<input") for s in stops) >= 10  # the fields on the way
    assert unseen(stops) == []


def test_the_skip_link_takes_the_keyboard_to_the_content(page, pages):
    page.goto(f"{pages['programme']}?lang=en")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


@pytest.mark.parametrize("name", ["home", "edition", "programme", "session", "speaker", "private"])
def test_every_page_is_usable_with_the_keyboard(page, pages, name):
    page.goto(f"{pages[name]}?lang=fr")
    stops = walk(page, lambda stops: False)  # the whole page, round to the start
    assert stops[0]["skipLink"]
    assert any(s["inLangSwitch"] for s in stops)
    assert unseen(stops) == []
    if name == "private":
        assert any(s["href"] and s["href"].endswith("/edit") for s in stops)


def test_sessions_ranked_in_a_fallback_language_are_marked_with_it(page, demo, db):
    """Titles shown in English on an Italian page are read with an English voice: the
    sessions to rank on the form (an <option> holds no <span>, so the option itself) and
    the ranking on the private page were left unmarked, read with Italian sounds."""
    group = SessionGroup(
        edition_id=demo.id, key="d1-visits", title_fr="Visites du mercredi",
        title_en="Wednesday visits", mode="preference",
        preferences_close_at=utcnow() + timedelta(days=2),
    )  # fmt: skip
    db.add(group)
    db.flush()
    visits = db.scalars(
        sa.select(Session).where(Session.key.in_(["d1-visit-spaces", "d1-visit-explora"]))
    ).all()
    registration = make_registration(db, db.get(Edition, demo.id))
    for rank, visit in enumerate(visits, 1):
        visit.group_id = group.id
        db.add(Ranking(registration=registration, group_id=group.id, session=visit, rank=rank))
    db.commit()
    unmarked = """(selector) => [...document.querySelectorAll(selector)]
      .filter((el) => !el.closest("[lang]:not(html)") && !el.querySelector("[lang]"))
      .map((el) => el.textContent.trim())"""
    page.goto(f"/{demo.slug}/register?lang=it")
    assert page.locator(f"fieldset.ranking option[value='{visits[0].id}']").count() == 3
    assert page.evaluate(unmarked, "fieldset.ranking option:not([value=''], [value=any])") == []
    assert page.locator("fieldset.ranking legend [lang]").count() == 1
    page.goto(f"/my/{registration.manage_token}?lang=it")
    assert page.locator(".my-ranking li").count() == 2
    assert page.evaluate(unmarked, ".my-ranking li") == []
    assert page.locator(".my-ranking strong [lang]").count() == 1


@pytest.mark.parametrize(("lang", "name"), [("fr", "Fil d'Ariane"), ("en", "Breadcrumb")])
def test_the_breadcrumb_is_named_in_the_page_language_and_its_separators_are_not_read(
    page, pages, lang, name
):
    """A French screen reader said "breadcrumb navigation" (Pico styles only
    aria-label="breadcrumb") and read each drawn ">" aloud between the steps."""
    for path in pages["session"], pages["speaker"], pages["private edit"]:
        page.goto(f"{path}?lang={lang}")
        trail = page.get_by_role("navigation", name=name, exact=True)
        assert ">" not in trail.aria_snapshot(timeout=5000), path
        # Still drawn for the eye, beside the link it follows.
        assert page.evaluate(
            """() => getComputedStyle(document.querySelector("main nav li"), "::after")
              .content.startsWith('">"')"""
        ), path
