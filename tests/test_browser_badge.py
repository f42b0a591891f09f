"""The badge at the door, in a real browser on a phone-sized screen: the QR code as the
browser draws it scans back to the badge token, and the page opens again offline."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image
from werkzeug.serving import make_server

from school.services.badges import tokens
from tests.support.factories import make_registration
from tests.support.pdf_tools import decode_qr


@pytest.fixture
def site(app):
    """The app over real HTTP on a free port of 127.0.0.1, stopped after the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def phone(browser):
    """A 360 px page of the suite's one browser (tests/browser.py), its console watched."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.problems = []
    # The browser's own request for /favicon.ico is not the page's doing.
    page.on(
        "console",
        lambda m: m.type == "error" and "favicon" not in m.text and page.problems.append(m.text),
    )
    yield page
    context.close()


def _scan(page) -> list[str]:
    return decode_qr(Image.open(io.BytesIO(page.screenshot())).convert("L"))


def test_the_door_page_scans_and_opens_again_offline(site, phone, app, db, demo):
    person = make_registration(db, demo, first_name="Majda", last_name="Jelenčić")
    db.commit()
    with app.app_context():
        token = tokens.token_for(person)
    badge_url = f"{site}/my/{person.manage_token}/badge"

    # From the private page (the link in the e-mail) to the badge, as a participant would.
    phone.goto(f"{site}/my/{person.manage_token}?lang=fr")
    phone.get_by_role("button", name="Afficher mon badge en plein écran").click()
    phone.wait_for_url(badge_url)
    assert phone.locator(".door-first").inner_text() == "Majda"
    qr = phone.locator(".door-qr svg").bounding_box()
    assert qr["width"] >= 300  # nearly the whole width of a 360 px phone
    assert _scan(phone) == [token]
    assert phone.problems == []  # no resource or Content-Security-Policy error

    # Later the participant switches the site to English (a new cookie); then, at the
    # door, the Wi-Fi is gone: the badge opens again from the browser's cache.
    phone.goto(f"{site}/my/{person.manage_token}?lang=en")
    phone.context.set_offline(True)
    phone.goto("about:blank")
    phone.goto(badge_url)
    assert phone.locator(".door-last").inner_text() == "Jelenčić"
    assert _scan(phone) == [token]


def test_the_svg_file_scans_in_a_browser(site, phone, app, db, demo):
    person = make_registration(db, demo)
    db.commit()
    with app.app_context():
        token = tokens.token_for(person)
    phone.goto(f"{site}/my/{person.manage_token}/badge.svg")
    assert _scan(phone) == [token]
