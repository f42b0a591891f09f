"""Every page fits a 360 px phone screen, in French and English, and asks nothing of
another host."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from school.models import Person, Session
from tests.support.production import SUITE_ON_POSTGRES

# What these tests check (markup, contrast, sizes, widths, the keyboard) comes from the
# templates and style sheets, not from the database: the SQLite run checks it, and the
# PostgreSQL run saves the minutes chromium would spend on it again.
pytestmark = pytest.mark.skipif(SUITE_ON_POSTGRES, reason="rendering: the SQLite run checks it")


def test_pages_fit_a_small_phone(browser, live_server, demo, db):
    session = db.scalar(sa.select(Session.id).where(Session.key == "d2-round-table-1"))
    person = db.scalar(sa.select(Person.key).order_by(Person.id))
    db.rollback()
    paths = [
        "/",
        f"/{demo.slug}/",
        f"/{demo.slug}/programme",
        f"/{demo.slug}/sessions/{session}",
        f"/{demo.slug}/speakers",
        f"/{demo.slug}/speakers/{person}",
        f"/{demo.slug}/register",
        f"/{demo.slug}/register/lost-link",
        "/organiser/login",
    ]
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    outside: list[str] = []
    context.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page = context.new_page()
    too_wide = []
    for path in paths:
        for lang in ("fr", "en"):
            page.goto(f"{path}?lang={lang}")
            if page.evaluate("document.documentElement.scrollWidth") > 360:
                too_wide.append((path, lang))
    context.close()
    assert too_wide == []
    assert outside == []
