"""In a real browser, on a phone (390 px) and a laptop (1280 px), in French and English:
a refused registration takes the reader to the first field in trouble, with a summary
linking to the fields; the participant's page changes one session in one tap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

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
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize(("size", "lang"), CASES)
def test_errors_take_the_reader_to_the_first_field_in_trouble(page_at, demo, db, size, lang):
    words = WORDS[lang]
    page = page_at(size)
    page.goto(f"/{demo.slug}/register?lang={lang}")
    # Only the e-mail and the consent are filled: the first field in trouble is the first name.
    page.locator("#email").fill("olena@example.org")
    page.get_by_label(words["consent"]).check()
    page.get_by_role("button", name=words["register"], exact=True).click()
    page.wait_for_selector("#error-summary")
    page.wait_for_load_state("load")  # the page's deferred script has run
    assert page.evaluate("document.activeElement.id") == "first_name"
    assert in_view(page, "#first_name")
    summary = page.locator("#error-summary")
    assert words["summary"] in summary.inner_text()
    links = summary.get_by_role("link")
    assert links.first.inner_text() == words["first"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
    shot(page, f"form-errors-{size}-{lang}")
    # The summary's link to the country moves the focus there (not only the scroll).
    summary.get_by_role("link", name=words["country"]).click()
    assert page.evaluate("document.activeElement.id") == "country"
    assert in_view(page, "#country")
    assert page.locator("#email").input_value() == "olena@example.org"  # kept


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
