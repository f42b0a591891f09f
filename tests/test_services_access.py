"""Who may sit where: the categories the public may choose and the member code of a
members-only seat, the same through the service, the form, the API and the CSV import."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, Person, Registration, Session
from school.services.backoffice import organisers
from school.services.errors import DomainError
from school.services.registration import access, registrations
from school.services.registration.data import data_of
from school.services.registration.rules import InvalidRegistration
from tests.support.registering import person, register
from tests.support.visitor import Visitor, answers


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


@pytest.fixture
def assembly(db, demo) -> Session:
    """The General Assembly, for network members only, taken on the form."""
    session = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    session.requires_registration = True
    db.commit()
    return session


def refusal(db, demo, data, actor=None) -> InvalidRegistration:
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, data, actor=actor)
    db.rollback()
    return caught.value


def count(db) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(Registration))


def admin(db):
    chef = organisers.create_organiser(db, "chef@example.org", "admin", "chef password 1")
    db.commit()
    return chef


# -- the service


def test_every_edition_has_an_unguessable_member_code(ctx, demo, db):
    code = db.get(Edition, demo.id).member_code
    assert len(code) == 14 and code.count("-") == 2
    assert set(code.replace("-", "")) <= set(access.MEMBER_CODE_ALPHABET)
    from tests.support.factories import make_edition

    other = make_edition(db, "autumn-school-2030")
    db.commit()
    assert other.member_code and other.member_code != code


@pytest.mark.parametrize("category", ["staff", "press", "speaker"])
def test_the_public_cannot_declare_a_category_that_opens_doors(ctx, demo, db, category):
    caught = refusal(db, demo, person(category=category))
    assert "network member, partner or guest" in caught.errors["category"][0]
    assert count(db) == 0
    # The organisers may.
    outcome = register(db, demo, person(category=category), actor=admin(db))
    assert outcome.registration.category == category


def test_a_speaker_becomes_speaker_through_their_link(ctx, demo, db):
    speaker = db.scalar(sa.select(Person).where(Person.edition_id == demo.id).limit(1))
    outcome = register(db, demo, person(category="guest", speaker_token=speaker.speaker_token))
    assert outcome.registration.category == "speaker"
    caught = refusal(db, demo, person(1, category="speaker", speaker_token="forged-token"))
    assert "category" in caught.errors


def test_a_members_only_seat_needs_the_member_code(ctx, demo, db, assembly):
    caught = refusal(db, demo, person(sessions=[assembly.id]))
    assert "General Assembly" in caught.errors["member_code"][0]
    assert "member code" in caught.errors["member_code"][0]
    assert list(caught.by_session) == [assembly.id]
    caught = refusal(db, demo, person(sessions=[assembly.id], member_code="AAAA-BBBB-CCCC"))
    assert caught.errors["member_code"] == [
        "This member code is not right. Check it with your Cité."
    ]
    assert count(db) == 0
    # Typed as people type it: lower case, spaces instead of dashes.
    typed = db.get(Edition, demo.id).member_code.lower().replace("-", " ")
    outcome = register(db, demo, person(sessions=[assembly.id], member_code=typed))
    assert [c.session_id for c in outcome.registration.choices] == [assembly.id]
    assert outcome.registration.member_verified


def test_a_partner_with_the_code_is_still_not_a_member(ctx, demo, db, assembly):
    code = db.get(Edition, demo.id).member_code
    caught = refusal(db, demo, person(category="partner", sessions=[assembly.id], member_code=code))
    assert "members only" in caught.errors["sessions"][0]


def test_an_organiser_confirms_a_member_without_the_code(ctx, demo, db, assembly):
    chef = admin(db)
    outcome = register(db, demo, person(sessions=[assembly.id]), actor=chef)
    assert outcome.registration.member_verified
    # Unverified, then confirmed by an organiser saving the registration as a member.
    plain = register(db, demo, person(1)).registration
    assert not plain.member_verified
    registrations.update(db, plain, data_of(plain), now=utcnow(), actor=chef)
    db.commit()
    data = data_of(plain)
    data.sessions = [assembly.id]
    registrations.update(db, plain, data, now=utcnow())  # the participant, no code
    db.commit()
    assert [c.session_id for c in plain.choices] == [assembly.id]


def test_a_seat_already_held_is_kept_and_a_new_one_needs_the_code(ctx, demo, db, assembly):
    registration = register(db, demo, person()).registration
    data = data_of(registration)
    data.sessions = [assembly.id]
    with pytest.raises(InvalidRegistration) as caught:
        registrations.update(db, registration, data, now=utcnow())
    db.rollback()
    assert "member_code" in caught.value.errors
    data.member_code = db.get(Edition, demo.id).member_code
    registrations.update(db, registration, data, now=utcnow())
    db.commit()
    # Changing something else later needs no code again.
    data = data_of(registration)
    data.dietary = "Halal"
    registrations.update(db, registration, data, now=utcnow())
    db.commit()
    assert registration.dietary == "Halal" and len(registration.choices) == 1


def test_a_category_given_by_the_organisers_is_kept_by_its_holder(ctx, demo, db):
    journalist = register(db, demo, person(category="press"), actor=admin(db)).registration
    data = data_of(journalist)
    data.organisation = "Le Monde"
    registrations.update(db, journalist, data, now=utcnow())
    db.commit()
    assert journalist.category == "press" and journalist.organisation == "Le Monde"
    data.category = "staff"
    with pytest.raises(InvalidRegistration) as caught:
        registrations.update(db, journalist, data, now=utcnow())
    db.rollback()
    assert "category" in caught.value.errors


def test_the_organisers_change_the_member_code(ctx, demo, db, assembly):
    edition = db.get(Edition, demo.id)
    old = edition.member_code
    chef = admin(db)
    new = access.set_member_code(db, edition, None, actor=chef, now=utcnow())
    db.commit()
    assert new != old and edition.member_code == new
    refusal(db, demo, person(sessions=[assembly.id], member_code=old))
    with pytest.raises(DomainError, match="8 to 32"):
        access.set_member_code(db, edition, "abc", actor=chef, now=utcnow())
    db.rollback()
    assert access.set_member_code(db, edition, "cdm-2019-membres", actor=chef, now=utcnow()) == (
        "CDM-2019-MEMBRES"
    )


# -- the form


def test_the_form_offers_only_member_partner_and_guest(client, demo, db):
    html = Visitor(client).get(f"/{demo.slug}/register").get_data(as_text=True)
    offered = set(re.findall(r'name="category"[^>]*value="([a-z]+)"', html))
    assert offered == {"member", "partner", "guest"}
    assert 'name="member_code"' in html
    response = Visitor(client).submit(f"/{demo.slug}/register", answers(category="staff"))
    assert response.status_code == 200 and count(db) == 0
    assert "network member, partner or guest" in response.get_data(as_text=True)


def test_the_form_says_why_next_to_the_session_and_keeps_the_rest(client, demo, db, assembly):
    visitor = Visitor(client)
    response = visitor.submit(
        f"/{demo.slug}/register",
        answers(category="member", sessions=[assembly.id], dietary="Sans porc", cite="Zagreb"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and count(db) == 0
    card = html[html.index(f'value="{assembly.id}"') :][:1500]
    assert f'id="session-{assembly.id}-errors"' in card and "give the member code" in card
    assert 'href="#member_code"' in html  # the error summary links to the field
    assert "Sans porc" in html and 'value="Zagreb"' in html and "checked" in card[:200]
    code = db.get(Edition, demo.id).member_code
    db.rollback()
    response = visitor.submit(
        f"/{demo.slug}/register",
        answers(category="member", sessions=[assembly.id], member_code=code),
    )
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(Registration.member_verified))


def test_a_speaker_link_registers_a_speaker(client, demo, db):
    token = db.scalar(sa.select(Person.speaker_token).where(Person.edition_id == demo.id))
    db.rollback()
    page = client.get(f"/{demo.slug}/register?lang=en&speaker={token}").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="speaker"', page)
    assert f'value="{token}"' in page and "through your speaker" in page
    corner = client.get(f"/speaker/{token}?lang=en").get_data(as_text=True)
    assert f"/{demo.slug}/register?speaker={token}" in corner
    forged = client.get(f"/{demo.slug}/register?lang=en&speaker=forged").get_data(as_text=True)
    assert 'value="speaker"' not in forged
    response = Visitor(client).submit(
        f"/{demo.slug}/register", answers(category="partner", speaker=token)
    )
    assert response.status_code == 302
    db.rollback()
    assert db.scalar(sa.select(Registration.category)) == "speaker"


# -- the API


def api_body(**overrides):
    body = {
        "first_name": "Zainoudine",
        "last_name": "Younoussa",
        "email": "zainoudine@example.org",
        "country": "YT",
        "category": "member",
        "days": ["2019-06-19"],
        "consent": True,
    }
    body.update(overrides)
    return body


def test_the_api_answers_422_on_category_and_member_code(client, demo, db, assembly):
    url = f"/api/v1/editions/{demo.slug}/registrations?lang=en"
    response = client.post(url, json=api_body(category="press"))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["category"]
    response = client.post(url, json=api_body(sessions=[assembly.id]))
    assert response.status_code == 422 and list(response.get_json()["errors"]) == ["member_code"]
    response = client.post(url, json=api_body(sessions=[assembly.id], member_code="WRONG-CODE"))
    assert (
        response.status_code == 422
        and "not right" in response.get_json()["errors"]["member_code"][0]
    )
    response = client.post(url, json=api_body(sessions=[assembly.id], member_code=7))
    assert response.status_code == 422 and "member_code" in response.get_json()["errors"]
    assert count(db) == 0
    code = db.get(Edition, demo.id).member_code
    db.rollback()
    response = client.post(url, json=api_body(sessions=[assembly.id], member_code=code))
    assert response.status_code == 201
    assert response.get_json()["choices"][0]["status"] == "confirmed"


def test_the_openapi_document_describes_the_public_categories(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = doc["components"]["schemas"]["RegistrationRequest"]["properties"]
    assert schema["category"]["enum"] == ["member", "partner", "guest"]
    assert "member_code" in schema


# -- the CSV import and the command line


def test_the_csv_import_asks_the_member_code_too(runner, app, db, tmp_path):
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        edition = db.scalar(sa.select(Edition).where(Edition.slug == "spring-school-2019"))
        db.execute(
            sa.update(Session)
            .where(Session.key == "d1-general-assembly")
            .values(requires_registration=True)
        )
        db.commit()
        code = edition.member_code
    printed = runner.invoke(args=["registrations", "member-code", "spring-school-2019"])
    assert printed.exit_code == 0 and printed.output.strip() == code
    sheet = tmp_path / "members.csv"
    sheet.write_text(
        "first_name,last_name,email,country,category,days,sessions,member_code\n"
        "Олена,Коваленко,olena@example.org,UA,member,2019-06-19,d1-general-assembly,\n"
        f"李,娜,li@example.org,CN,member,2019-06-19,d1-general-assembly,{code}\n"
        "Ada,Lovelace,ada@example.org,GB,staff,2019-06-19,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["registrations", "import", "spring-school-2019", str(sheet)])
    assert result.exit_code == 1
    assert "members.csv:2: member_code:" in result.output
    assert "members.csv:4: category:" in result.output
    assert "1 registered, 0 already registered, 2 refused" in result.output
    assert db.scalars(sa.select(Registration.email)).all() == ["li@example.org"]
    unknown = runner.invoke(args=["registrations", "member-code", "nope"])
    assert unknown.exit_code != 0
