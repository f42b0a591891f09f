"""In a real browser, on a phone (390 px) and a laptop (1280 px), in French and English:
a refused registration puts the focus on a summary of the fields in trouble, whose links
take the focus to each (and still lead there without JavaScript); the participant's page
changes one session in one tap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from school.models import OutboxMessage, Registration, Session

SHOTS = Path("/tmp/access-shots")
SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
WORDS = {
    "en": {
        "summary": "need your attention",
        "first": "First name",
        "country": "Country",
        "consent": "I agree that the organisers keep",
        "register": "Register",
        "swap": "Swap for",
        "seat": "You have a seat in",
        "leave": "Leave",
        "left": "You left",
        "member": "Network member",
    },
    "fr": {
        "summary": "demandent votre attention",
        "first": "Prénom",
        "country": "Pays",
        "consent": "J'accepte que les organisateurs",
        "register": "S'inscrire",
        "swap": "Échanger contre",
        "seat": "Vous avez une place pour",
        "leave": "Quitter",
        "left": "Vous avez quitté",
        "member": "Membre du réseau",
    },
}
CASES = [(size, lang) for size in SIZES for lang in WORDS]


@pytest.fixture
def page_at(browser, live_server):
    contexts = []

    def open_page(size: str):
        width, height = SIZES[size]
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        outside: list[str] = []
        context.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((live_server.url, "data:", "blob:"))
                else outside.append(r.url)
            ),
        )
        contexts.append((context, outside))
        return context.new_page()

    yield open_page
    for context, outside in contexts:
        context.close()
        assert outside == [], f"requests to other hosts: {outside}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def in_view(page, selector: str) -> bool:
    # Within a pixel: a field scrolled to the top sits at -0.36 px when the headings above
    # it have fractional heights (the scroll position is rounded, the layout is not).
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top > -1 && r.bottom < window.innerHeight + 1; }""",
        selector,
    )


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_errors_focus_a_summary_that_leads_to_each_field(page_at, demo, db, size, lang):
    words = WORDS[lang]
    page = page_at(size)
    page.goto(f"/{demo.slug}/register?lang={lang}")
    # Only the e-mail and the consent are filled: the first field in trouble is the first name.
    page.locator("#email").fill("olena@example.org")
    page.get_by_label(words["consent"]).check()
    page.get_by_role("button", name=words["register"], exact=True).click()
    page.wait_for_selector("#error-summary")
    page.wait_for_load_state("load")  # the page's deferred script has run
    summary = page.locator("#error-summary")
    # A screen reader reads the summary because it has the focus, not because it is an
    # alert already in the page as it loads (announced by some readers, not by others).
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") is None
    assert in_view(page, "#error-summary")
    heading = summary.get_by_role("heading", level=2)
    assert words["summary"] in heading.inner_text()
    links = summary.get_by_role("link")
    assert links.first.inner_text() == words["first"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    shot(page, f"form-errors-{size}-{lang}")
    # The summary's link to the country moves the focus there (not only the scroll).
    summary.get_by_role("link", name=words["country"]).click()
    assert page.evaluate("document.activeElement.id") == "country"
    assert in_view(page, "#country")
    assert page.locator("#email").input_value() == "olena@example.org"  # kept


def test_without_javascript_the_summary_still_leads_to_each_field(browser, live_server, demo):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"/{demo.slug}/register?lang=en")
    page.locator("#email").fill("olena@example.org")
    page.get_by_role("button", name="Register", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    anchors = summary.get_by_role("link").evaluate_all("links => links.map((a) => a.hash)")
    assert anchors[:2] == ["#first_name", "#last_name"]
    for anchor in anchors:  # every link names an element of the page
        assert page.locator(anchor).count() == 1, anchor
    summary.get_by_role("link", name="Country").click()
    page.wait_for_url(re.compile("#country$"))
    assert in_view(page, "#country")
    context.close()


def test_a_members_only_session_says_why_beside_it(page_at, demo, db):
    assembly = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    assembly.requires_registration = True
    db.commit()
    assembly_id = assembly.id
    page = page_at("phone")
    page.goto(f"/{demo.slug}/register?lang=en")
    page.get_by_label("First name").fill("李")
    page.get_by_label("Last name").fill("娜")
    page.get_by_label("E-mail").fill("li@example.org")
    page.get_by_label("Country").select_option("CN")
    page.get_by_label("Network member").check()
    page.locator(f'input[name=sessions][value="{assembly_id}"]').check()
    page.get_by_label("I agree that the organisers keep").check()
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_selector("#error-summary")
    page.wait_for_load_state("load")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "member_code"
    beside = page.locator(f"#session-{assembly_id}-errors")
    assert "member code" in beside.inner_text()
    beside.scroll_into_view_if_needed()
    shot(page, "form-member-code-phone-en")
    assert page.locator(f'input[name=sessions][value="{assembly_id}"]').is_checked()
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_one_tap_swaps_then_leaves_a_session(page_at, demo, db, size, lang):
    from tests.support.factories import make_choice, make_registration

    words = WORDS[lang]
    spaces = db.scalar(sa.select(Session).where(Session.key == "d1-visit-spaces"))
    explora = db.scalar(sa.select(Session).where(Session.key == "d1-visit-explora"))
    person = make_registration(db, demo, language=lang, first_name="Ольга")
    make_choice(db, person, spaces)
    db.commit()
    token, email = person.manage_token, person.email
    page = page_at(size)
    page.goto(f"/my/{token}?lang={lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    shot(page, f"my-page-{size}-{lang}")
    swap = page.get_by_role("button", name=re.compile(words["swap"])).first
    swap.focus()
    page.keyboard.press("Enter")  # by keyboard
    page.wait_for_url(re.compile(r"#my-sessions$"))
    flash = page.locator("#my-sessions .flash-success")
    assert in_view(page, "#my-sessions .flash-success")  # said where the reader tapped
    flash = flash.inner_text()
    assert words["seat"] in flash and "Explora" in flash
    mine = page.locator(".my-choices > li > a").all_inner_texts()
    assert len(mine) == 1 and "Explora" in mine[0]
    shot(page, f"my-page-swapped-{size}-{lang}")
    page.locator(".my-choices").get_by_role(
        "button", name=words["leave"], exact=False
    ).first.click()
    page.wait_for_load_state()
    assert words["left"] in page.locator("#my-sessions .flash-success").inner_text()
    db.rollback()
    assert db.scalar(sa.select(Registration).where(Registration.email == email)).choices == []
    mails = db.scalars(
        sa.select(OutboxMessage.subject).where(
            OutboxMessage.to_address == email, OutboxMessage.purpose == "choices_changed"
        )
    ).all()
    assert len(mails) == 2
    assert explora.id  # the session swapped to exists in the programme
