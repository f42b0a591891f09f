"""The wall of initiatives in a real browser: filters on a phone (no script needed), the
screen mode cycling by itself, the submission form; screenshots in /tmp/network-shots."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageDraw

from school.database import utcnow
from school.models import Edition, Initiative
from school.services.network import moderation
from school.services.network.demo import load_demo_initiatives

SHOTS = Path("/tmp/network-shots")


def demo_wall(app, db, demo) -> None:
    with app.app_context():
        edition = db.get(Edition, demo.id)
        moderation.set_call(db, edition, utcnow() - timedelta(days=1), None, actor="test")
        load_demo_initiatives(db)
        hobo = db.scalar(sa.select(Initiative).where(Initiative.cite == "charleroi"))
        picture = Image.new("RGB", (800, 500), (29, 92, 141))
        ImageDraw.Draw(picture).ellipse((250, 100, 550, 400), fill=(255, 209, 102))
        out = io.BytesIO()
        picture.save(out, "JPEG")
        hobo.picture, hobo.picture_type = out.getvalue(), "image/jpeg"
        db.commit()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def card_titles(page) -> list[str]:
    return page.locator(".initiative-card .initiative-title").all_inner_texts()


def gaps_above_titles(page) -> list[float]:
    """Pixels between each card's kind (the line above its title) and its title."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.initiative-card')].map((card) =>
            card.querySelector('.initiative-title').getBoundingClientRect().top
            - card.querySelector('.initiative-kind').getBoundingClientRect().bottom)"""
    )


def test_the_wall_filters_on_a_phone_by_keyboard(app, db, demo, phone):
    demo_wall(app, db, demo)
    phone.goto(f"/{demo.slug}/initiatives?lang=en")
    assert len(card_titles(phone)) == 6  # the waiting one is not there
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The title follows its kind, with or without a picture: a heading's margin of the
    # page's prose left a blank band of about 40 px above every title.
    assert all(gap < 12 for gap in gaps_above_titles(phone)), gaps_above_titles(phone)
    shot(phone, "wall-390-en.png")
    phone.get_by_label("Theme").select_option("youth")
    phone.get_by_label("Country").focus()
    phone.keyboard.press("Tab")  # past the last filter, to the button
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Filter"
    phone.keyboard.press("Enter")
    phone.wait_for_url("**theme=youth**")
    titles = card_titles(phone)
    assert any("Hobo" in t for t in titles) and any("InfoTruck" in t for t in titles)
    assert not any("Osez le Mix" in t for t in titles)
    phone.get_by_label("Country").select_option("BE")
    phone.get_by_role("button", name="Filter").click()
    phone.wait_for_url("**country=BE**")
    assert [t for t in card_titles(phone)] == ["Hobo: discovering trades in virtual reality"]
    phone.goto(f"/{demo.slug}/initiatives?lang=fr")
    assert "Hobo : découvrir les métiers en réalité virtuelle" in card_titles(phone)
    shot(phone, "wall-390-fr.png")


def test_the_screen_mode_cycles_through_the_cards_by_itself(app, db, demo, browser, live_server):
    demo_wall(app, db, demo)
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/{demo.slug}/initiatives/screen?lang=en&interval=1")
    current = page.locator(".screen-card.is-current h2")
    seen = [current.inner_text()]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "screen-1280.png"))
    deadline = time.monotonic() + 8
    while len(set(seen)) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        seen.append(current.inner_text())
    assert len(set(seen)) >= 3, seen  # three cards shown one after the other, no input
    assert page.locator(".screen-card:not([hidden])").count() == 1
    title = "document.querySelector('.screen-card.is-current h2')"
    size = page.evaluate(f"parseFloat(getComputedStyle({title}).fontSize)")
    assert size >= 48  # readable from across the room
    assert page.evaluate("document.documentElement.scrollHeight") <= 720
    assert page.evaluate("getComputedStyle(document.body).cursor") == "none"
    # Every card's summary ends above the footer (cut after whole lines, with "…"): a
    # fixed height cut a line in half, under the footer, on four of the demo's cards.
    ends = page.evaluate(
        """() => [...document.querySelectorAll('.screen-card')].map((card, i, all) => {
            all.forEach((other) => (other.hidden = other !== card));
            const summary = card.querySelector('.initiative-summary');
            const lines = summary.clientHeight / parseFloat(getComputedStyle(summary).lineHeight);
            const footer = document.querySelector('.screen-footer').getBoundingClientRect().top;
            return [summary.getBoundingClientRect().bottom <= footer, lines];
        })"""
    )
    assert all(above for above, _ in ends), ends
    assert any(lines > 5.5 for _, lines in ends)  # the long ones are there, cut
    context.close()


def test_submitting_on_a_phone(app, db, demo, phone):
    demo_wall(app, db, demo)
    phone.goto(f"/{demo.slug}/initiatives/submit?lang=en")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("Title in English").fill("Orientation bus in the villages")
    phone.get_by_label("Summary in English").fill("A bus brings the Cité's advisers to people.")
    phone.get_by_label("Partnership", exact=True).check()
    phone.get_by_label("Territories and partnerships").check()
    phone.get_by_label("Cité des métiers").select_option("sambre-avesnois")
    phone.get_by_label("Country").select_option("FR")
    phone.locator("#contact_name").fill("Équipe Sambre-Avesnois")
    phone.get_by_label("Contact e-mail").fill("bus@example.org")
    phone.get_by_label("I agree").check()
    shot(phone, "submit-390-en.png")
    phone.get_by_role("button", name="Send the initiative").click()
    phone.wait_for_url("**/initiatives/edit/**")
    assert "Your initiative" in phone.content()
    db.rollback()
    stored = db.scalar(sa.select(Initiative).where(Initiative.cite == "sambre-avesnois"))
    assert stored.decision == "submitted" and stored.title_en == "Orientation bus in the villages"
