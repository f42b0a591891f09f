"""The registration rules, called as the form, the API and the CLI call them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Edition, OutboxMessage, Registration, Session
from school.services.errors import DomainError
from school.services.mail import writing
from school.services.programme import export, importer
from school.services.registration import cancelling, registrations
from school.services.registration.data import data_of
from school.services.registration.registrations import EditionFull, RegistrationClosed
from school.services.registration.rules import InvalidRegistration
from tests.support.registering import (
    D1,
    D2,
    D3,
    person,
    register,
    session_id,
)


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def test_a_registration_keeps_names_as_typed_and_confirms_seats(ctx, demo, db):
    explora = session_id(db, "d1-visit-explora")
    data = person(first_name="  Ève ", last_name="O'Brien-Łukasiewicz", sessions=[explora])
    outcome = register(db, demo, data)
    registration = db.get(Registration, outcome.registration.id)
    assert (registration.first_name, registration.last_name) == ("Ève", "O'Brien-Łukasiewicz")
    assert [(c.session_id, c.status) for c in registration.choices] == [(explora, "confirmed")]
    assert len(registration.manage_token) >= 40
    assert writing.write_waiting(db) == 1  # as the sender does before sending it
    mail = db.scalar(sa.select(OutboxMessage))
    assert mail.to_address == "person0@example.org" and mail.purpose == "confirmation"
    assert registration.manage_token in mail.text_body


def test_a_change_of_the_programme_applies_to_the_next_registration_at_once(ctx, demo, db):
    """A new registration reads the sessions' rules from what the process keeps: a
    session cancelled, or moved onto another, is refused as soon as it is committed."""
    explora, cafe = session_id(db, "d1-visit-explora"), session_id(db, "d3-work-cafe")
    register(db, demo, person(0, sessions=[explora, cafe]))  # the sessions are kept now
    session = db.get(Session, cafe)
    session.status = "cancelled"
    db.commit()
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(1, sessions=[cafe]))
    db.rollback()
    assert any("is cancelled" in m for m in caught.value.errors["sessions"])

    moved = db.get(Session, explora)
    session = db.get(Session, cafe)
    session.status = "scheduled"
    session.starts_at, session.ends_at = moved.starts_at, moved.ends_at
    db.commit()
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(2, days=[D1], sessions=[explora, cafe]))
    db.rollback()
    assert any("at the same time" in m for m in caught.value.errors["sessions"])
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_two_confirmed_seats_at_the_same_time_are_refused_naming_both(ctx, demo, db):
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(0, sessions=[explora, tour]))
    db.rollback()
    message = caught.value.errors["sessions"][0]
    assert "Explora" in message and "small groups" in message
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_members_only_sessions_refuse_other_categories(ctx, demo, db):
    assembly = db.scalar(sa.select(Session).where(Session.key == "d1-general-assembly"))
    assembly.requires_registration = True
    db.commit()
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(0, category="partner", sessions=[assembly.id]))
    db.rollback()
    assert "members only" in caught.value.errors["sessions"][0]
    code = db.get(Edition, demo.id).member_code
    member = person(1, category="member", sessions=[assembly.id], member_code=code)
    assert register(db, demo, member).created


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "does not look like an e-mail"),
        ({"first_name": " "}, "first_name", "fill in"),
        ({"last_name": "x" * 101}, "last_name", "under 100"),
        ({"first_name": "Ève\x00"}, "first_name", "cannot be printed"),
        ({"country": "XX"}, "country", "Unknown country"),
        ({"category": "vip"}, "category", "from the list"),
        ({"days": []}, "days", "at least one day"),
        ({"days": [date(2019, 6, 22)]}, "days", "days of the School"),
        ({"privacy_consent": False}, "privacy_consent", "consent"),
        ({"sessions": [999999]}, "sessions", "does not exist"),
    ],
)
def test_bad_fields_are_refused_with_a_message_and_nothing_stored(
    ctx, demo, db, fields, field, message
):
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(0, **fields))
    db.rollback()
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_choice_on_a_day_not_attended_or_of_another_edition_is_refused(ctx, demo, db):
    cafe = session_id(db, "d3-work-cafe")
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(0, days=[D1], sessions=[cafe]))
    db.rollback()
    assert "day you do not attend" in caught.value.errors["sessions"][0]
    other = importer.import_text(
        db, export.export_text(db, demo.slug).replace(demo.slug, "copy", 1), "c.yaml"
    )
    db.commit()
    foreign = db.scalar(
        sa.select(Session.id).where(Session.edition_id == other.id, Session.key == "d3-work-cafe")
    )
    with pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(1, sessions=[foreign]))
    db.rollback()
    assert "does not exist" in caught.value.errors["sessions"][0]


def test_one_registration_per_address_and_the_link_is_sent_again(ctx, demo, db):
    first = register(db, demo, person(0, email="Majda@Example.org"))
    again = register(db, demo, person(1, email="  majda@example.ORG "))
    assert not again.created and again.registration.id == first.registration.id
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1
    mails = db.execute(sa.select(OutboxMessage.purpose).order_by(OutboxMessage.id)).all()
    assert [m.purpose for m in mails] == ["confirmation", "link"]
    assert db.get(Registration, first.registration.id).last_name == "Younoussa 0"


def test_the_registration_window_and_the_edition_capacity(ctx, demo, db):
    edition = db.get(Edition, demo.id)
    edition.registration_opens_at = datetime(2019, 3, 1, 8, tzinfo=UTC)
    edition.registration_closes_at = datetime(2019, 6, 1, 22, tzinfo=UTC)
    db.commit()
    with pytest.raises(RegistrationClosed, match="Registration opens on"):
        register(db, demo, person(0), now=datetime(2019, 2, 1, tzinfo=UTC))
    with pytest.raises(RegistrationClosed, match="Registration closed on"):
        register(db, demo, person(0), now=datetime(2019, 6, 2, tzinfo=UTC))
    db.rollback()
    assert register(db, demo, person(0), now=datetime(2019, 5, 1, tzinfo=UTC)).created
    edition = db.get(Edition, demo.id)
    edition.capacity = 1
    db.commit()
    with pytest.raises(EditionFull):
        register(db, demo, person(1), now=datetime(2019, 5, 2, tzinfo=UTC))
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_cancelled_then_registered_again(ctx, demo, db):
    first = register(db, demo, person(0)).registration
    cancelling.cancel(db, db.get(Registration, first.id), now=utcnow())
    db.commit()
    again = register(db, demo, person(0, first_name="Majda"))
    # A registration of its own: a new private link, nothing of the one who cancelled.
    assert again.created and again.registration.id != first.id
    db.expire_all()
    assert db.get(Registration, again.registration.id).status == "confirmed"
    assert db.get(Registration, first.id).status == "cancelled"
    cancelling.cancel(db, db.get(Registration, again.registration.id), now=utcnow())
    db.commit()
    with pytest.raises(DomainError) as caught:
        again = db.get(Registration, again.registration.id)
        registrations.update(db, again, person(0), now=utcnow())
    assert caught.value.code == "cancelled"


def test_changing_days_and_meals(ctx, demo, db):
    lunch1 = session_id(db, "d1-lunch")
    lunch2 = session_id(db, "d2-lunch")
    first = register(db, demo, person(0, days=[D1, D2], meals=[lunch1, lunch2])).registration
    data = data_of(db.get(Registration, first.id))
    data.days, data.meals = [D2, D3], [lunch2]
    registrations.update(db, db.get(Registration, first.id), data, now=utcnow())
    db.commit()
    db.expire_all()
    registration = db.get(Registration, first.id)
    assert registration.attended_dates == [D2, D3]
    assert [m.session_id for m in registration.meals] == [lunch2]
    with pytest.raises(InvalidRegistration) as caught:
        data.days, data.meals = [D3], [lunch2]
        registrations.update(db, registration, data, now=utcnow())
    db.rollback()
    assert "day you do not attend" in caught.value.errors["meals"][0]


def test_messages_follow_the_language(app, demo, db):
    with app.app_context(), force_locale("fr"), pytest.raises(InvalidRegistration) as caught:
        register(db, demo, person(0, email="nope"))
    db.rollback()
    assert caught.value.errors["email"] == ["Cette adresse ne ressemble pas à une adresse e-mail."]


def test_ids_of_sessions_beyond_a_day_boundary_use_local_time(ctx, db):
    """A session at 00:30 local time belongs to that local day, not the UTC one."""
    text = """
edition:
  slug: late
  title: {fr: Tard}
  city: Lisboa
  venue: V
  address: A
  timezone: Europe/Lisbon
  starts_on: 2030-06-18
  ends_on: 2030-06-19
  published: true
sessions:
  - id: night
    date: 2030-06-19
    start: "00:30"
    end: "01:30"
    kind: visit
    title: {fr: Visite de nuit}
    capacity: 5
"""
    edition = importer.import_text(db, text, "late.yaml")
    db.commit()
    night = session_id(db, "night")
    data = person(0, days=[date(2030, 6, 19)], sessions=[night])
    outcome = registrations.register(db, edition, data, now=utcnow() - timedelta(days=1))
    assert outcome.created
