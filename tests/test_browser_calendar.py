"""The subscribe block in a real browser, on a phone-sized screen: it fits, it works
under the Content-Security-Policy, and "Copy" puts the address on the clipboard."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from school.models import Person


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def app_config(app_config):
    app_config["SERVER_NAME"] = None  # the live server answers on 127.0.0.1:<port>
    return app_config


def test_the_speakers_corner_on_a_phone(live_server, browser, demo, db):
    token = db.scalar(sa.select(Person.speaker_token).where(Person.key == "koulsoum-logerot"))
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    problems = []  # script errors, CSP refusals, failed requests (but the favicon: not ours)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and "favicon" not in r.url
            else None
        ),
    )
    page.goto(f"{live_server}/speaker/{token}?lang=en")

    # (The site header is the layout's; here, what this page adds must fit.)
    too_wide = page.evaluate(
        """Array.from(document.querySelectorAll('main *'))
             .filter(e => e.getBoundingClientRect().right > 360)
             .map(e => e.tagName + '.' + e.className)"""
    )
    assert too_wide == [], too_wide
    address = f"{live_server}/speaker/{token}/agenda.ics"
    assert page.input_value("#feed-url") == address
    subscribe = page.get_by_role("button", name="Subscribe", exact=True)  # a link styled so
    assert subscribe.get_attribute("href") == "webcal://" + address.split("://", 1)[1]

    copy = page.get_by_role("button", name="Copy")
    assert copy.is_visible()  # shown by static/js/copy.js, so the script ran under the CSP
    copy.click()
    page.wait_for_function("document.querySelector('[data-copy]').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == address

    page.get_by_role("button", name="I confirm I will speak").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Thank you: your participation is confirmed.").is_visible()
    assert problems == [], problems
    context.close()
