"""Names in every script on every PDF a person receives or signs: the badge, the
batch of badges, the attendance sheet and the certificate, read back with pdftotext.
Chinese and Arabic come from the Noto fallback fonts; Arabic is shaped (joined, right
to left) and read back in logical order: pdftotext orders letters by where they are
drawn, so an Arabic name drawn left to right comes back reversed."""

from __future__ import annotations

import unicodedata

import pytest

from school.models import Edition
from school.services.badges import printing
from school.services.badges.tokens import KeyRing
from tests.support.attendance_scenario import D1, log_in, paris, scan, session_named, staff_accounts
from tests.support.factories import make_registration
from tests.support.pdf_tools import pdf_text

SLUG = "spring-school-2019"
RING = KeyRing.from_config({"SECRET_KEY": "test-secret-key"})
PEOPLE = [  # first name, last name, organisation
    ("芳", "王", "上海职业城"),
    ("محمد", "العلي", "مدينة المهن الرباط"),
    ("Иван", "Петров", "Город профессий"),
    ("José", "Niño", "Ciudad de los Oficios"),
]


def _read(pdf: bytes) -> str:
    """The text as a reader gets it, without the bidi marks pdftotext puts around a
    right-to-left run (formatting, not letters)."""
    text = pdf_text(pdf)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _found(text: str, *expected: str) -> None:
    """Each item on one line; spaces aside (pdftotext joins Chinese words: "芳王")."""
    lines = ["".join(line.split()) for line in text.splitlines()]
    for item in expected:
        assert any("".join(item.split()) in line for line in lines), (item, text)


@pytest.fixture
def people(db, demo):
    found = [
        make_registration(
            db,
            demo,
            first_name=first,
            last_name=last,
            organisation=org,
            category="member",
            days=[D1],
        )
        for first, last, org in PEOPLE
    ]
    db.commit()
    return found


def test_a_badge_in_each_script_prints_the_name(db, demo, people):
    for person, (first, last, org) in zip(people, PEOPLE, strict=True):
        text = _read(printing.pdf_for([person], keyring=RING))
        _found(text, first, last, org)


def test_the_batch_of_badges_prints_every_name(db, demo, people):
    text = _read(printing.pdf_for(people, keyring=RING, size="a6", sheet=True))
    for first, last, org in PEOPLE:
        _found(text, first, last, org)


def test_the_attendance_sheet_and_certificates_print_every_name(app, client, db, demo, people):
    staff_accounts(app, db)
    edition = db.get(Edition, demo.id)
    with app.app_context():
        for n, person in enumerate(people):
            scan(db, edition, person, at=paris(D1, 9, n))
    assembly = session_named(db, "d1-general-assembly")  # members attending that day
    log_in(client, "admin")
    sheet = client.get(f"/organiser/{SLUG}/attendance/sessions/{assembly.id}.pdf")
    assert sheet.status_code == 200
    text = _read(sheet.data)
    for first, last, _org in PEOPLE:
        _found(text, first, last)
    for person, (first, last, org) in zip(people, PEOPLE, strict=True):
        response = client.get(f"/organiser/{SLUG}/certificates/{person.id}.pdf")
        assert response.status_code == 200
        _found(_read(response.data), f"{first} {last}", org)
