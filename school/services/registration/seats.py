"""Seats in capped sessions: deciding them under a lock, and promotion from the waiting
lines (places in a line are read in ``waiting_lines``).

Every change to who holds a seat first locks the rows it decides on: on PostgreSQL the
capped sessions' rows (``SELECT … FOR NO KEY UPDATE``, in the order of their ids, so two
transactions never wait on each other in a circle), and the edition's row when its
cap of participants is counted; on SQLite the single write lock (``BEGIN IMMEDIATE``).
Seats are then counted inside that transaction, so two people clicking for the last
seat are served one after the other and never both get it.

A new registration locks only what it asks for (``lock_places``): people choosing
different workshops, or none, when registration opens are not served one at a time.
Everyone after the same seats waits while the one before holds their locks, so under
them a registration does one thing: it writes its choices, seat or line decided by the
same statement (``seat_or_line``, sent to PostgreSQL with the sessions' locks as one
query), and commits.
Everything else that moves seats (a cancellation, a change of choices, an organiser's
edit, the allocation) takes the whole edition (``lock_edition``): its row, then every
session's, in the same order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from school import data_versions
from school.database import begin_write, is_id, utcnow
from school.models import Choice, Edition, Registration, Session
from school.models.vocabulary import ChoiceStatus, RegistrationStatus
from school.services.programme.catalogue import seats_taken


def lock_edition(db: DbSession, edition_id: int) -> None:
    """Take the edition's lock for a change of seats: its row (the UPDATE, which stamps the
    seats as changed and rolls back with the transaction), then every session's row."""
    begin_write(db)
    db.execute(sa.update(Edition).where(Edition.id == edition_id).values(seats_changed_at=utcnow()))
    _lock_sessions(db, Session.edition_id == edition_id)
    # What was loaded before the lock may have changed since: decide on fresh rows.
    db.expire_all()


def lock_places(
    db: DbSession,
    edition_id: int,
    sessions: Iterable[int],
    meals: Iterable[int],
    *,
    edition_cap: bool,
) -> int | None:
    """Take the locks a new registration's places are decided under: with
    ``edition_cap``, the edition's row (its cap of participants is counted); with meals,
    the rows of the capped sessions and meals among those chosen, in the order of their
    ids. Without meals, the sessions' locks are taken by the statement that decides the
    seats (``seat_or_line``), in the same round trip. Nothing else: a registration that
    asks for no seat waits for nobody. Returns the edition's cap as it is under the
    lock (an organiser may have changed it meanwhile), with ``edition_cap``.

    The locks are held while the places are counted and until the commit: everyone after
    the same seats waits that long, so nothing is loaded here."""
    begin_write(db)
    postgresql = db.get_bind().dialect.name == "postgresql"
    capacity = None
    if edition_cap:
        # FOR NO KEY UPDATE: it excludes its like (and lock_edition's UPDATE), but not the
        # key share that a new registration's row, inserted before, holds on its edition.
        lock = sa.select(Edition.capacity).where(Edition.id == edition_id)
        capacity = db.scalar(lock.with_for_update(key_share=True) if postgresql else lock)
    meals = [i for i in meals if is_id(i)]
    if meals and postgresql:
        # Meals are counted before seats: every lock now, in one order (see _lock_sessions).
        ids = sorted({i for i in [*sessions, *meals] if is_id(i)})
        db.connection().execute(_capped_sessions_lock(), {"ids": ids}).all()
    return capacity


@functools.cache
def _capped_sessions_lock() -> sa.Select:
    """Built once: every registration asks it (PostgreSQL). In the order of their ids
    (see ``_lock_sessions``, which takes the same kind of lock)."""
    return (
        sa.select(Session.id)
        .where(
            Session.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Integer))),
            Session.capacity.is_not(None),
        )
        .order_by(Session.id)
        .with_for_update(key_share=True)
    )


def seat_or_line(
    db: DbSession, registration: Registration, sessions: list[Session], *, now: datetime
) -> dict[int, int]:
    """The registration's choices of these sessions, each confirmed if its session has a
    seat left, else at the end of its waiting line, written under the sessions' locks:
    every round trip there keeps everyone after the same seats waiting. On PostgreSQL the
    locks are taken by the same round trip (``_locked_then_written``); on SQLite
    ``begin_write``'s lock is held already. The choices join the registration's. Returns
    the place in line (1 = next) of those waitlisted, by choice id."""
    if not sessions:
        return {}
    by_id = {session.id: session for session in sessions}
    conn = db.connection()
    values = {"registration_id": registration.id, "now": now, "ids": list(by_id)}
    if conn.dialect.name == "postgresql":
        rows = _locked_then_written(conn, values)
    else:
        # Queued at the moment the seats are decided (under the lock, held since before):
        # the line then follows the order in which they were.
        values["queued_at"] = max(now, utcnow())
        rows = conn.execute(_seat_or_line(conn.dialect.name), values).all()
    places: dict[int, int] = {}
    written = []
    for choice_id, session_id, status, queued_at, waiting in rows:
        # Written by the statement: the ORM is handed the row as if it had loaded it.
        choice = Choice(
            id=choice_id,
            registration_id=registration.id,
            session_id=session_id,
            status=status,
            queued_at=queued_at,
            created_at=now,
            updated_at=now,
        )
        make_transient_to_detached(choice)
        db.add(choice)
        set_committed_value(choice, "session", by_id[session_id])
        set_committed_value(choice, "registration", registration)
        written.append(choice)
        if status != ChoiceStatus.CONFIRMED:
            places[choice_id] = waiting + 1
    set_committed_value(registration, "choices", [*registration.choices, *written])
    return places


def _locked_then_written(conn: sa.Connection, values: dict) -> list[tuple]:
    """PostgreSQL: the capped sessions' locks (in the order of their ids, as everywhere)
    and the seats' statement, sent as one query: two statements, each with a snapshot of
    its own, so the seats are counted as the one before left them, and the lock is
    granted and the seats decided without a return to this process in between (under
    load, a wait for a core: bench/README.md, eleventh round). A transaction that holds
    these locks already (``lock_places``, ``lock_edition``) is granted them at once.

    The values are bound here, by the driver (``mogrify``): several statements cannot be
    sent with parameters."""
    from psycopg import ClientCursor

    lock, write, defaults = _locked_then_written_sql()
    # Times as the ORM binds and reads them (naive UTC in the database, aware in Python).
    times = Choice.__table__.c.queued_at.type
    now = times.process_bind_param(values["now"], conn.dialect)
    params = {**defaults, **values, "now": now}
    with ClientCursor(conn.connection.driver_connection) as cursor:  # binds, sends nothing
        query = f"{cursor.mogrify(lock, params)};\n{cursor.mogrify(write, params)}"
    # Not parsed for the tables it writes (it begins with the lock): said here.
    data_versions.note_written(conn, "choices")
    # Sent as it is: without no_parameters the driver would read it again for placeholders.
    result = conn.execution_options(no_parameters=True).exec_driver_sql(query)
    try:
        raw = result.cursor
        raw.nextset()  # the lock's rows first, then the written choices
        rows = raw.fetchall()
    finally:
        result.close()
    return [
        (choice_id, session_id, status, times.process_result_value(queued_at, conn.dialect), ahead)
        for choice_id, session_id, status, queued_at, ahead in rows
    ]


@functools.cache
def _locked_then_written_sql() -> tuple[str, str, dict]:
    """Built once: the two statements' text with their parameters named, and the values
    of those the statements hold themselves."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.psycopg.dialect()
    lock = _capped_sessions_lock().compile(dialect=dialect)
    write = _seat_or_line("postgresql").compile(dialect=dialect)
    defaults = {
        name: getattr(value, "value", value)  # an enum's value, as the ORM writes it
        for name, value in {**lock.params, **write.params}.items()
        if value is not None
    }
    return lock.string, write.string, defaults


@functools.cache
def _seat_or_line(dialect: str) -> sa.Insert:
    """Built once per database. Seats are counted as every page counts them
    (``seats_taken``: a session's confirmed choices) against the capacity as it is under
    the lock; the place in line is the line's length as the database keeps it, not a
    count of everyone in it (thousands when registration opens)."""
    choices = Choice.__table__
    other = choices.alias("other")
    chosen = Session.__table__
    seated = (
        sa.select(sa.func.count())
        .select_from(other)
        .where(other.c.session_id == chosen.c.id, other.c.status == ChoiceStatus.CONFIRMED)
        .scalar_subquery()
    )
    now = sa.bindparam("now", type_=Choice.created_at.type)
    if dialect == "postgresql":
        # The moment the seats are decided, the lock granted (the statement's own clock,
        # not that of the query's arrival): the line follows the order they were decided
        # in. In the database's clock, the same for every app server, unless ``now`` (the
        # registration's time as the app gives it, which the line was never before) is
        # later: an app server's clock ahead of the database's still orders its own.
        queued_at = sa.func.greatest(now, sa.func.timezone("UTC", sa.func.clock_timestamp()))
        wanted = chosen.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Integer)))
    else:
        queued_at = sa.bindparam("queued_at", type_=Choice.queued_at.type)
        wanted = chosen.c.id.in_(sa.bindparam("ids", expanding=True))
    status = sa.case(
        (sa.or_(chosen.c.capacity.is_(None), seated < chosen.c.capacity), ChoiceStatus.CONFIRMED),
        else_=ChoiceStatus.WAITLISTED,
    )
    # Ahead of it: everyone in the line as the database keeps its length (``waiting_lines``,
    # whose row this statement's own choice changes only after its RETURNING is made, on
    # either database), but those queued after it (a few at most, found at the end of the
    # index). Strictly after: the new choice itself is never among them, whether or not a
    # database shows a statement the rows it writes. Written out: SQLAlchemy does not
    # correlate a subquery of RETURNING with the row returned.
    waiting = sa.type_coerce(
        sa.text(
            "(coalesce((SELECT people FROM waiting_lines"
            " WHERE waiting_lines.session_id = choices.session_id), 0)"
            " - (SELECT count(*) FROM choices AS other"
            " WHERE other.session_id = choices.session_id AND other.status = :waitlisted"
            " AND other.queued_at > choices.queued_at))"
        ).bindparams(sa.bindparam("waitlisted", ChoiceStatus.WAITLISTED.value)),
        sa.Integer,
    )
    rows = sa.select(
        sa.bindparam("registration_id", type_=sa.Integer), chosen.c.id, status, queued_at, now, now
    ).where(wanted)
    columns = ["registration_id", "session_id", "status", "queued_at", "created_at", "updated_at"]
    return (
        sa.insert(choices)
        .from_select(columns, rows)
        .returning(
            choices.c.id, choices.c.session_id, choices.c.status, choices.c.queued_at, waiting
        )
    )


def _lock_sessions(db: DbSession, *criteria) -> None:
    if db.get_bind().dialect.name != "postgresql":
        return  # SQLite: begin_write's lock covers everything
    # FOR NO KEY UPDATE, like the edition's: it excludes whoever decides seats too, but
    # not the key share that any row naming a session (a scan, a meal, a ranking being
    # written) holds on it until its commit, which has nothing to do with seats.
    lock = sa.select(Session.id).where(*criteria).order_by(Session.id)
    db.execute(lock.with_for_update(key_share=True)).all()


def confirmed_registrations(db: DbSession, edition_id: int) -> int:
    return db.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.edition_id == edition_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


@event.listens_for(Choice, "after_delete")
def _line_moved(_mapper, connection: sa.Connection, choice: Choice) -> None:
    """Whoever waited behind a place that left its line moved up, though nothing of theirs
    was written: their places are stamped as changed, in the same flush. A scanner asking
    for the roster ``since`` the one it holds is then sent their new places (the deleted
    row itself leaves no trace to find). Every way a choice goes (given up, swapped,
    a registration cancelled, a group's choices redone) deletes it through the ORM."""
    if choice.status != ChoiceStatus.WAITLISTED:
        return  # a seat given up: whoever is promoted to it is written, and seen
    connection.execute(
        sa.update(Choice.__table__)
        .where(
            Choice.__table__.c.session_id == choice.session_id,
            Choice.__table__.c.status == ChoiceStatus.WAITLISTED,
            Choice.__table__.c.queued_at >= choice.queued_at,
        )
        .values(updated_at=utcnow())
    )


def lines_to_try(registration: Registration, freed: list[int]) -> list[int]:
    """The waiting lines to try when ``registration`` has given up its seats in ``freed``:
    those seats' lines, and the lines it waits in itself, where it may have been skipped
    for a seat it held at the same time (``promote_waitlist``) and is first now."""
    if not freed:
        return []
    return [*freed, *(c.session_id for c in registration.choices if not c.is_confirmed)]


def promote_waitlist(db: DbSession, session_ids: Iterable[int], *, now: datetime) -> list[Choice]:
    """Give freed seats to the first in line. Call it under ``lock_edition``.

    Someone whose promotion would overlap a seat they already hold is skipped and
    keeps their place in line.
    """
    ids = sorted(set(session_ids))
    if not ids:
        return []
    sessions = {s.id: s for s in db.scalars(sa.select(Session).where(Session.id.in_(ids)))}
    taken = seats_taken(db, ids)
    promoted: list[Choice] = []
    for session_id in ids:
        session = sessions[session_id]
        if session.is_cancelled:
            continue
        free = None if session.capacity is None else session.capacity - taken.get(session_id, 0)
        if free is not None and free <= 0:
            continue
        line = db.scalars(
            sa.select(Choice)
            .where(Choice.session_id == session_id, Choice.status == ChoiceStatus.WAITLISTED)
            .options(joinedload(Choice.registration))
            .order_by(Choice.queued_at, Choice.id)
        ).all()
        for choice in line:
            if free is not None and free <= 0:
                break
            held = db.scalars(
                sa.select(Session)
                .join(Choice, Choice.session_id == Session.id)
                .where(
                    Choice.registration_id == choice.registration_id,
                    Choice.status == ChoiceStatus.CONFIRMED,
                )
            ).all()
            if any(session.overlaps(other) for other in held):
                continue
            choice.status = ChoiceStatus.CONFIRMED
            choice.updated_at = now
            choice.registration.updated_at = now
            db.flush()
            promoted.append(choice)
            if free is not None:
                free -= 1
    return promoted
