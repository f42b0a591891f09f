"""Hostile names and organisations are refused with a message in the visitor's language
(nothing stored), or stored as typed and inert wherever they are shown: HTML pages (no
script runs in a real browser), badge PDFs, CSV and XLSX exports (no formula), and
calendars (no line smuggled in)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from icalendar import Calendar

from school.models import Registration
from tests.support.pdf_tools import pdf_text
from tests.support.security_world import ADMIN, login
from tests.support.visitor import Visitor, answers

STORED = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "hyperlink": '=HYPERLINK("http://evil","x")',
    "plus": "+cmd",
    "at": "@SUM(1)",
    "minus": "-2+3",
    "rtl": "Ahmed \u202eredro",
    "emoji": "Zoé 🎓🦄",
}
RAW_MARKUP = ("<script>alert", "<img src=x")  # as tags; escaped, they are only text
SMUGGLED = "Evil\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nATTENDEE:mailto:evil@example.org\r\nX"


def _api(client, slug, **fields):
    body = {
        "first_name": "Hostile",
        "last_name": "Visitor",
        "email": "hostile@example.org",
        "country": "PT",
        "category": "member",
        "days": ["2019-06-19"],
        "consent": True,
        "language": "en",
    }
    return client.post(f"/api/v1/editions/{slug}/registrations?lang=en", json=body | fields)


@pytest.fixture
def hostile(client, db, world):
    """One registration per hostile value, as first name and organisation."""
    ids = {}
    for n, (name, value) in enumerate(STORED.items()):
        response = _api(
            client,
            world.slug,
            first_name=value,
            last_name=f"Hostile{n}",
            organisation=value,
            email=f"h{n}@example.org",
        )
        assert response.status_code == 201, (name, response.get_json())
        ids[name] = response.get_json()["id"]
    db.rollback()
    return {name: db.get(Registration, rid) for name, rid in ids.items()}


def test_they_are_stored_as_typed(client, db, demo, hostile):
    for name, value in STORED.items():
        assert hostile[name].first_name == value and hostile[name].organisation == value
    # The form stores them just the same.
    sent = Visitor(client).submit(
        f"/{demo.slug}/register",
        answers(last_name=STORED["img"], organisation=STORED["hyperlink"], email="f@example.org"),
    )
    assert sent.status_code == 302
    db.rollback()
    stored = db.scalar(sa.select(Registration).where(Registration.email == "f@example.org"))
    assert (stored.last_name, stored.organisation) == (STORED["img"], STORED["hyperlink"])


@pytest.mark.parametrize(
    ("value", "status", "english", "french"),
    [
        ("A" * 10240, 422, "under 100 characters", "pas dépasser 100 caractères"),
        ("Ali\x00ce", 400, "cannot be printed", "impossibles à imprimer"),
        ("Ali\nce", 422, "cannot be printed", "impossibles à imprimer"),
    ],
)
def test_the_unprintable_are_refused_in_the_visitors_language(
    client, db, demo, value, status, english, french
):
    response = _api(client, demo.slug, first_name=value)
    assert response.status_code == status and english in response.get_data(as_text=True)
    for lang, message in (("en", english), ("fr", french)):
        page = Visitor(client, lang).submit(
            f"/{demo.slug}/register", answers(first_name=value, language=lang)
        )
        assert page.status_code in (200, 400, 422) and message in page.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def _assert_inert_html(html: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, (where, raw)


def test_pages_show_them_escaped(client, world, hostile):
    login(client, *ADMIN)
    listing = client.get(f"/organiser/{world.slug}/registrations?lang=en").get_data(as_text=True)
    _assert_inert_html(listing, "list")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and "Zoé 🎓🦄" in listing
    for registration in hostile.values():
        pages = {
            "detail": f"/organiser/{world.slug}/registrations/{registration.id}",
            "manage": f"/my/{registration.manage_token}",
            "badge": f"/my/{registration.manage_token}/badge",
        }
        for where, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (where, registration.first_name)
            _assert_inert_html(response.get_data(as_text=True), where)


def _without_bidi_controls(text: str) -> str:
    # The badge closes a right-to-left override (so it cannot reverse what follows).
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


def test_badge_pdfs_print_them(client, world, hostile):
    text = pdf_text(client.get(f"/my/{hostile['script'].manage_token}/badge.pdf").data)
    assert "<script>alert(1)</script>" in text
    login(client, *ADMIN)
    response = client.get(f"/organiser/{world.slug}/badges.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    every = _without_bidi_controls(pdf_text(response.data))
    for name in ("script", "hyperlink", "plus", "at", "rtl"):
        assert _without_bidi_controls(STORED[name]) in every, name
    assert "Zoé" in every  # the emoji may lack a glyph; the badge still prints


def test_exports_hold_no_formula(client, world, hostile):
    login(client, *ADMIN)
    base = f"/organiser/{world.slug}/exports/registrations"
    exported = client.get(f"{base}.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + STORED["hyperlink"] in cells and "'+cmd" in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not re.fullmatch(r"-[\d.]+", c)]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data))
    texts = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in texts if c.data_type == "f"]
    typed = {c.value for c in texts if isinstance(c.value, str)}
    assert STORED["hyperlink"] in typed or "'" + STORED["hyperlink"] in typed


def _event_count(raw: str) -> int:
    return len(Calendar.from_ical(raw).walk("VEVENT"))


def test_calendars_smuggle_no_line(app, client, db, world):
    # A speaker's own organisation (the speakers' corner lets them type it) goes into the
    # description of their sessions in every calendar.
    _, token, _ = world.speakers[0]
    feeds = [f"/{world.slug}/programme.ics", f"/speaker/{token}/agenda.ics"]
    before = {url: _event_count(client.get(url).get_data(as_text=True)) for url in feeds}
    app.config["WTF_CSRF_ENABLED"] = False
    sent = client.post(f"/speaker/{token}/details", data={"organisation": SMUGGLED})
    assert sent.status_code in (302, 422)
    assert sent.status_code == 302, "refused: then this test must store it another way"
    for url in feeds:
        raw = client.get(url).get_data(as_text=True)
        lines = raw.replace("\r\n ", "").split("\r\n")  # unfolded
        assert not [line for line in lines if line.startswith("ATTENDEE")], url
        events = Calendar.from_ical(raw).walk("VEVENT")
        assert len(events) == sum(line == "BEGIN:VEVENT" for line in lines) == before[url], url
        described = [str(e.get("description", "")) for e in events]
        assert any("mailto:evil@example.org" in d for d in described), url


def test_no_script_runs_in_a_browser(phone, hostile):
    dialogs: list[str] = []
    phone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for name in ("script", "img"):
        token = hostile[name].manage_token
        for url in (f"/my/{token}?lang=en", f"/my/{token}/badge"):
            phone.goto(url)
            assert phone.get_by_text(STORED[name], exact=False).count() >= 1, url
    assert dialogs == []


def test_a_nul_character_anywhere_is_refused_not_a_crash(app, client, world):
    # PostgreSQL cannot even compare a text holding NUL: it must never reach the database.
    login(client, *ADMIN)
    for url in ("/my/ab%00c", "/speaker/ab%00c", f"/{world.slug}%00/programme"):
        assert client.get(url).status_code == 404, url
    for url in (f"/organiser/{world.slug}/registrations?q=a%00b", "/?lang=e%00n"):
        response = client.get(url)
        assert response.status_code == 400 and "cannot be printed" in response.get_data(True)
    app.config["WTF_CSRF_ENABLED"] = False
    details = client.post(f"/speaker/{world.speakers[0][1]}/details?lang=en", data={"bio_en": "\0"})
    assert details.status_code == 400
    scan = {"token": world.bob.badge, "client_id": "4f1d2c52-9b1e-4d7e-8f3a-0c6c0b1e2d3f"}
    checkin = client.post(
        f"/api/v1/editions/{world.slug}/checkins?lang=en",
        json=scan | {"device": "door\0"},
        headers=world.auth,
    )
    assert checkin.status_code == 400 and "cannot be printed" in checkin.get_json()["message"]
