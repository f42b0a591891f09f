"""The registration rules, called as the form, the API and the CLI call them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Choice, Edition, OutboxMessage, Registration, Session
from school.services.errors import DomainError
from school.services.mail import writing
from school.services.programme import export, importer
from school.services.registration import cancelling, registrations
from school.services.registration.data import RegistrationData, data_of
from school.services.registration.registrations import EditionFull, RegistrationClosed
from school.services.registration.rules import InvalidRegistration

D1, D2, D3 = date(2019, 6, 19), date(2019, 6, 20), date(2019, 6, 21)


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


def session_id(db, key: str) -> int:
    return db.scalar(sa.select(Session.id).where(Session.key == key))


def person(n: int = 0, **fields) -> RegistrationData:
    values = dict(
        first_name="Zainoudine",
        last_name=f"Younoussa {n}",
        email=f"person{n}@example.org",
        organisation="Cité des métiers de Mamoudzou",
        country="YT",
        category="member",
        language="fr",
        days=[D1, D2, D3],
        privacy_consent=True,
    )
    values.update(fields)
    return RegistrationData(**values)


def register(db, demo, data, now=None):
    outcome = registrations.register(db, db.get(Edition, demo.id), data, now=now or utcnow())
    db.commit()
    return outcome


def set_capacity(db, key: str, capacity: int | None) -> Session:
    session = db.scalar(sa.select(Session).where(Session.key == key))
    session.capacity = capacity
    db.commit()
    return session


def statuses(db, key: str) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.execute(
        sa.select(Registration.email, Choice.status)
        .join(Choice.registration)
        .join(Choice.session)
        .where(Session.key == key)
        .order_by(Choice.status, Choice.queued_at, Choice.id)
    )
    return [tuple(row) for row in rows]


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


def test_capacity_then_waiting_line_in_order(ctx, demo, db):
    set_capacity(db, "d1-visit-explora", 2)
    explora = session_id(db, "d1-visit-explora")
    for n in range(5):
        register(db, demo, person(n, sessions=[explora]))
    assert statuses(db, "d1-visit-explora") == [
        ("person0@example.org", "confirmed"),
        ("person1@example.org", "confirmed"),
        ("person2@example.org", "waitlisted"),
        ("person3@example.org", "waitlisted"),
        ("person4@example.org", "waitlisted"),
    ]
    choices = db.scalars(
        sa.select(Choice).where(Choice.session_id == explora, Choice.status == "waitlisted")
    ).all()
    from school.services.registration.seats import waitlist_positions

    positions = waitlist_positions(db, [explora])
    assert sorted(positions[c.id] for c in choices) == [1, 2, 3]


def test_one_registration_gets_a_seat_in_one_session_and_a_place_in_another_s_line(ctx, demo, db):
    """Both decided by the one statement that writes the choices: what the registration
    is told (its choices, its places in line) is what the database holds, and the line
    counts the people already in it, not the new choice itself."""
    set_capacity(db, "d1-visit-explora", 1)
    set_capacity(db, "d3-work-cafe", 1)
    explora, cafe = session_id(db, "d1-visit-explora"), session_id(db, "d3-work-cafe")
    register(db, demo, person(0, sessions=[explora]))
    register(db, demo, person(1, sessions=[explora]))
    both = registrations.register(
        db, db.get(Edition, demo.id), person(2, sessions=[explora, cafe]), now=utcnow()
    )
    told = {c.session_id: (c.status, both.positions.get(c.id)) for c in both.registration.choices}
    assert told == {explora: ("waitlisted", 2), cafe: ("confirmed", None)}
    db.commit()
    db.expire_all()
    from school.services.registration.seats import waitlist_positions

    stored = db.scalars(
        sa.select(Choice).where(Choice.registration_id == both.registration.id)
    ).all()
    line = waitlist_positions(db, [explora])
    assert {c.session_id: (c.status, line.get(c.id)) for c in stored} == told


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


def test_the_database_keeps_each_lines_length_whatever_changes_it(ctx, demo, db):
    """A new registration is told its place from the line's length as the database keeps
    it (``waiting_lines``): whatever way people leave the line, the length and the place
    told stay the line's own."""
    from school.models import WaitingLine
    from school.services.registration.seats import places_in_line

    set_capacity(db, "d1-visit-explora", 1)
    explora = session_id(db, "d1-visit-explora")

    def kept_and_counted() -> tuple[int, int]:
        db.expire_all()
        kept = db.scalar(sa.select(WaitingLine.people).where(WaitingLine.session_id == explora))
        counted = db.scalar(
            sa.select(sa.func.count())
            .select_from(Choice)
            .where(Choice.session_id == explora, Choice.status == "waitlisted")
        )
        return kept or 0, counted

    people = [register(db, demo, person(n, sessions=[explora])) for n in range(6)]
    assert kept_and_counted() == (5, 5)
    assert [list(o.positions.values()) for o in people[1:]] == [[1], [2], [3], [4], [5]]
    # One gives up their place (the ORM deletes the choice).
    data = data_of(db.get(Registration, people[2].registration.id))
    data.sessions = []
    registrations.update(db, db.get(Registration, people[2].registration.id), data, now=utcnow())
    db.commit()
    assert kept_and_counted() == (4, 4)
    # One is erased by a statement of its own (the database deletes their choices).
    db.execute(sa.delete(Registration).where(Registration.id == people[4].registration.id))
    db.commit()
    assert kept_and_counted() == (3, 3)
    # The seat is given up: the first in line is promoted (their choice changes status).
    cancelling.cancel(db, db.get(Registration, people[0].registration.id), now=utcnow())
    db.commit()
    assert kept_and_counted() == (2, 2)
    # The next one is told the place the line gives them.
    latest = register(db, demo, person(9, sessions=[explora]))
    [(choice_id, place)] = latest.positions.items()
    assert place == 3 == places_in_line(db, [choice_id])[choice_id]
    assert kept_and_counted() == (3, 3)
    # The session's choices all go with it, and its line's length too.
    db.execute(sa.delete(Choice).where(Choice.session_id == explora))
    db.commit()
    assert kept_and_counted() == (0, 0)


def test_a_cancellation_promotes_the_first_in_line_and_tells_them(ctx, demo, db):
    set_capacity(db, "d1-visit-explora", 1)
    explora = session_id(db, "d1-visit-explora")
    first = register(db, demo, person(0, sessions=[explora])).registration
    register(db, demo, person(1, sessions=[explora]))
    register(db, demo, person(2, sessions=[explora]))
    outcome = cancelling.cancel(db, db.get(Registration, first.id), now=utcnow())
    db.commit()
    assert [c.registration.email for c in outcome.promoted] == ["person1@example.org"]
    assert statuses(db, "d1-visit-explora") == [
        ("person1@example.org", "confirmed"),
        ("person2@example.org", "waitlisted"),
    ]
    purposes = db.execute(sa.select(OutboxMessage.to_address, OutboxMessage.purpose)).all()
    assert ("person1@example.org", "promotion") in purposes
    assert ("person0@example.org", "cancellation") in purposes
    assert db.get(Registration, first.id).status == "cancelled"


def test_giving_up_a_seat_by_changing_choices_promotes_the_next(ctx, demo, db):
    set_capacity(db, "d3-work-cafe", 1)
    cafe = session_id(db, "d3-work-cafe")
    holder = register(db, demo, person(0, sessions=[cafe])).registration
    register(db, demo, person(1, sessions=[cafe]))
    data = data_of(db.get(Registration, holder.id))
    data.sessions = []
    registrations.update(db, db.get(Registration, holder.id), data, now=utcnow())
    db.commit()
    assert statuses(db, "d3-work-cafe") == [("person1@example.org", "confirmed")]


def test_raising_a_capacity_promotes_the_waiting_line(ctx, demo, db):
    set_capacity(db, "d1-visit-explora", 1)
    explora = session_id(db, "d1-visit-explora")
    for n in range(3):
        register(db, demo, person(n, sessions=[explora]))
    text = export.export_text(db, demo.slug).replace("capacity: 1\n", "capacity: 2\n", 1)
    importer.import_text(db, text, "raised.yaml")
    db.commit()
    assert [s for _, s in statuses(db, "d1-visit-explora")] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert statuses(db, "d1-visit-explora")[1][0] == "person1@example.org"


def test_a_promotion_never_creates_an_overlap(ctx, demo, db):
    set_capacity(db, "d1-visit-explora", 1)
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    holder = register(db, demo, person(0, sessions=[explora])).registration
    # Person 1 waits for Explora but holds a seat on the tour at the same time (a fallback).
    register(db, demo, person(1, sessions=[explora, tour]))
    register(db, demo, person(2, sessions=[explora]))
    cancelling.cancel(db, db.get(Registration, holder.id), now=utcnow())
    db.commit()
    assert statuses(db, "d1-visit-explora") == [
        ("person2@example.org", "confirmed"),
        ("person1@example.org", "waitlisted"),
    ]
    from school.services.registration.seats import waitlist_positions

    waiting = db.scalar(
        sa.select(Choice).where(Choice.session_id == explora, Choice.status == "waitlisted")
    )
    assert waitlist_positions(db, [explora])[waiting.id] == 1  # kept their place


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
