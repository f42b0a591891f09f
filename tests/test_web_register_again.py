"""Someone who cancelled comes back through "Register again" on their private page: the
form offers their answers again (names in any script, address, Cité, needs), asks for
their consent anew, and offers nothing to any other link."""

from __future__ import annotations

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from school.database import utcnow
from school.extensions import db as app_db
from school.models import Edition, Registration
from school.services.registration import cancelling
from tests.support.factories import make_registration


def cancel(app, registration_id: int) -> None:
    with app.app_context():
        person = app_db.session.get(Registration, registration_id)
        cancelling.cancel(app_db.session, person, now=utcnow())
        app_db.session.commit()


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return htmllib.unescape(found.group(1)) if found else None


def checked(page: str, name: str) -> list[str]:
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i]


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return htmllib.unescape(found.group(1)).strip()


@pytest.fixture
def person(app, db, demo):
    edition = db.get(Edition, demo.id)
    person = make_registration(
        db, edition, first_name="Ярослава", last_name="Ngô Đức <b>", email="ya@example.org",
        organisation="Cité des métiers de Genève", cite="geneve", country="CH",
        category="partner", language="it", dietary="Senza glutine", accessibility="",
    )  # fmt: skip
    db.commit()
    return person


def test_register_again_offers_the_answers_and_asks_for_consent_anew(app, client, person, demo):
    cancel(app, person.id)
    private = client.get(f"/my/{person.manage_token}?lang=en").get_data(as_text=True)
    link = re.search(r'href="([^"]*/register\?again=[^"]+)"', private)
    assert link, "the private page of a cancelled registration leads back to the form"

    page = client.get(htmllib.unescape(link.group(1))).get_data(as_text=True)

    assert value_of(page, "first_name") == "Ярослава"
    assert value_of(page, "last_name") == "Ngô Đức <b>"
    assert "Ngô Đức <b>" not in page  # escaped as typed, not markup
    assert value_of(page, "email") == "ya@example.org"
    assert value_of(page, "organisation") == "Cité des métiers de Genève"
    assert re.search(r'<option selected value="CH">', page)
    assert checked(page, "category") == ["partner"]
    assert checked(page, "language") == ["it"]
    assert textarea(page, "dietary") == "Senza glutine"
    assert checked(page, "privacy_consent") == []  # consent is given anew


def test_a_category_the_organisers_gave_is_not_offered_again(app, client, db, demo):
    person = make_registration(db, db.get(Edition, demo.id), email="st@example.org",
                               category="staff")  # fmt: skip
    db.commit()
    cancel(app, person.id)
    page = client.get(f"/{demo.slug}/register?again={person.manage_token}").get_data(as_text=True)
    assert value_of(page, "email") == "st@example.org"
    assert "staff" not in checked(page, "category")


@pytest.mark.parametrize("which", ["standing", "unknown"])
def test_no_other_link_fills_the_form(app, client, db, person, demo, which):
    token = person.manage_token if which == "standing" else "x" * 43
    page = client.get(f"/{demo.slug}/register?again={token}").get_data(as_text=True)
    assert "Ярослава" not in page and "ya@example.org" not in page
    assert db.scalar(sa.select(Registration.status).where(Registration.id == person.id)) == (
        "confirmed"
    )
