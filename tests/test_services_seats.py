"""Seats and waiting lines as registrations take and give them up: capacity, the line's
order and each place told, promotions."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from school.database import utcnow
from school.models import Choice, Edition, OutboxMessage, Registration
from school.services.programme import export, importer
from school.services.registration import cancelling, registrations
from school.services.registration.data import data_of
from tests.support.registering import (
    person,
    register,
    session_id,
    set_capacity,
    statuses,
)


@pytest.fixture
def ctx(app):
    with app.app_context(), force_locale("en"):
        yield


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
    from school.services.registration.waiting_lines import waitlist_positions

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
    from school.services.registration.waiting_lines import waitlist_positions

    stored = db.scalars(
        sa.select(Choice).where(Choice.registration_id == both.registration.id)
    ).all()
    line = waitlist_positions(db, [explora])
    assert {c.session_id: (c.status, line.get(c.id)) for c in stored} == told


def test_the_database_keeps_each_lines_length_whatever_changes_it(ctx, demo, db):
    """A new registration is told its place from the line's length as the database keeps
    it (``waiting_lines``): whatever way people leave the line, the length and the place
    told stay the line's own."""
    from school.models import WaitingLine
    from school.services.registration.waiting_lines import places_in_line

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
    from school.services.registration.waiting_lines import waitlist_positions

    waiting = db.scalar(
        sa.select(Choice).where(Choice.session_id == explora, Choice.status == "waitlisted")
    )
    assert waitlist_positions(db, [explora])[waiting.id] == 1  # kept their place


def test_giving_up_the_seat_that_kept_someone_waiting_gives_them_the_seat_they_wait_for(
    ctx, demo, db
):
    """Skipped for a seat because of a seat held at the same time, then giving that one
    up: the free seat is theirs, first in line, not left for whoever comes next."""
    set_capacity(db, "d1-visit-explora", 1)
    explora, tour = session_id(db, "d1-visit-explora"), session_id(db, "d1-visit-spaces")
    holder = register(db, demo, person(0, sessions=[explora])).registration
    waiting = register(db, demo, person(1, sessions=[explora, tour])).registration
    cancelling.cancel(db, db.get(Registration, holder.id), now=utcnow())
    db.commit()
    assert statuses(db, "d1-visit-explora") == [("person1@example.org", "waitlisted")]

    registration = db.get(Registration, waiting.id)
    data = data_of(registration)
    data.sessions = [explora]
    outcome = registrations.update(db, registration, data, now=utcnow())
    db.commit()
    assert statuses(db, "d1-visit-explora") == [("person1@example.org", "confirmed")]
    assert [c.session_id for c in outcome.promoted] == [explora]
    told = db.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "person1@example.org")
    ).all()
    assert any("Explora" in m.subject + m.text_body for m in told)


def test_an_address_registered_again_waits_for_whoever_is_changing_those_seats(
    ctx, demo, db, engine
):
    """The rules tried for an address already registered write choices as a new
    registration's do, so they take its locks first, in the same order: without them, a
    trial and a cancellation took two waiting lines' rows in opposite orders (a deadlock,
    seen in the burst of tests/test_load.py)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nobody holds a seat's lock apart")
    explora = set_capacity(db, "d1-visit-explora", 1).id
    register(db, demo, person(1, sessions=[explora]))
    with engine.connect() as organiser:  # someone changing that session's seats
        organiser.execute(
            sa.text("SELECT id FROM sessions WHERE id = :id FOR NO KEY UPDATE"), {"id": explora}
        )
        again = sa.orm.Session(engine)
        try:
            again.execute(sa.text("SET LOCAL lock_timeout = '300ms'"))
            edition = again.get(Edition, demo.id)
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                registrations.register(again, edition, person(1, sessions=[explora]), now=utcnow())
        finally:
            again.rollback()
            again.close()
    # Once the seats are let go, the address is told it is registered; nothing was kept.
    assert not register(db, demo, person(1, sessions=[explora])).created
    assert statuses(db, "d1-visit-explora") == [("person1@example.org", "confirmed")]
    assert db.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_someone_waiting_for_the_last_seat_finds_it_taken_by_whoever_held_it(app, demo, db, engine):
    """On PostgreSQL the seats' locks and the statement that decides them go to the
    database together; the seats must still be counted as the one before left them,
    once its lock is let go, not as they were when the request arrived."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: nobody holds a seat's lock apart")
    with app.app_context():
        explora = set_capacity(db, "d1-visit-explora", 1).id
        # Without a cap of participants: only the session's lock stands between them.
        db.get(Edition, demo.id).capacity = None
        db.commit()
    first = sa.orm.Session(engine)
    told: dict[str, dict[int, int]] = {}

    def second() -> None:
        with app.app_context(), force_locale("en"), sa.orm.Session(engine) as session:
            # A connection in another time zone than the database's: times stay UTC.
            session.execute(sa.text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
            edition = session.get(Edition, demo.id)
            outcome = registrations.register(
                session, edition, person(2, sessions=[explora]), now=utcnow()
            )
            told["queued"] = outcome.registration.choices[0].queued_at
            session.commit()
            told["places"] = outcome.positions

    def waiting_for_a_lock() -> int:  # a new connection each time: the view as it is now
        with engine.connect() as connection:
            return connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )

    behind = threading.Thread(target=second)
    try:
        with app.app_context(), force_locale("en"):
            edition = first.get(Edition, demo.id)
            registrations.register(first, edition, person(1, sessions=[explora]), now=utcnow())
        behind.start()
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting_for_a_lock() == 1  # the second one waits for the first's lock
        released = utcnow()
        first.commit()  # the last seat is taken
    finally:
        first.close()  # whatever failed, the second one is let go and ends
        if behind.ident is not None:
            behind.join(10)
    db.rollback()
    with app.app_context():
        assert statuses(db, "d1-visit-explora") == [
            ("person1@example.org", "confirmed"),
            ("person2@example.org", "waitlisted"),
        ]
    assert list(told["places"].values()) == [1]
    first_queued, second_queued = db.scalars(
        sa.select(Choice.queued_at).where(Choice.session_id == explora).order_by(Choice.id)
    )
    assert first_queued < released < second_queued  # queued once the lock was granted
    assert told["queued"] == second_queued  # as written, and in UTC like every time
    assert timedelta(0) < utcnow() - second_queued < timedelta(seconds=30)
