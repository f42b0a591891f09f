"""The rows a scan reads and writes, in as few statements as the door can afford: a badge
with its seats and who of it stands checked in (``read``), the badges a batch locks
(``lock_badges``), a scan's row (``insert``). Built once per kind of database: at the
door's pace, building and compiling them cost more than running them (bench/README.md).

A scan's statements run where its ``Rows`` say: in the session's transaction (``in_session``:
batches, SQLite, a late scan taking a check-in's place), or, for a scan sent alone on
PostgreSQL, on the bare driver, each statement committing on its own (``alone``). The scan
needs no transaction around them: it takes no lock, and its insert is one statement that a
unique index refuses or not (``checkin.scanning``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session as DbSession

from school import bare_statements
from school.bare_statements import BareCursor, BareStatement
from school.database import engine_of
from school.models import (
    CheckIn,
    Choice,
    Edition,
    Organiser,
    Registration,
    RegistrationDay,
    RegistrationMeal,
)
from school.services.checkin import people
from school.services.checkin import standing as standings
from school.services.checkin.checkpoints import Checkpoint
from school.services.checkin.people import Meal, Person, Seat
from school.services.checkin.standing import Recorded, Standing


class Rows(Protocol):
    """Where a scan's two statements run."""

    def badge(self, values: dict[str, Any]) -> list[tuple]: ...

    def record(self, values: dict[str, Any]) -> int | None:
        """A scan's new row (its id), or None if a unique index refused it: a scan with
        its ``client_id`` is there already, or another standing check-in of the person at
        the checkpoint (the database waits for the one not committed yet)."""


@dataclass(frozen=True)
class _InSession:
    db: DbSession

    def badge(self, values: dict[str, Any]) -> list[tuple]:
        return self.db.connection().execute(_statements(self.db).badge, values).all()

    def record(self, values: dict[str, Any]) -> int | None:
        return self.db.connection().execute(_statements(self.db).record, values).scalar()


@dataclass(frozen=True)
class _Bare:
    cursor: BareCursor
    statements: _BareStatements

    def badge(self, values: dict[str, Any]) -> list[tuple]:
        return self.cursor.all(self.statements.badge, values)

    def record(self, values: dict[str, Any]) -> int | None:
        return self.cursor.scalar(self.statements.record, values)


def in_session(db: DbSession) -> Rows:
    """A scan's statements in the session's transaction, which the caller commits."""
    return _InSession(db)


@contextmanager
def alone(db: DbSession) -> Iterator[Rows]:
    """Where a scan sent alone runs its statements: on PostgreSQL, a pooled connection of
    the bare driver where each commits on its own (what the door waits for is then one
    round trip a statement, and the scan is recorded once its insert returns). On SQLite,
    whose one writer the session's ``BEGIN IMMEDIATE`` holds, the session's transaction."""
    engine = engine_of(db)
    if engine.dialect.name != "postgresql":
        yield _InSession(db)
        return
    with bare_statements.autocommit(engine) as cursor:
        yield _Bare(cursor, _bare_statements_for(engine.dialect))


def lock_badges(db: DbSession, registration_ids: list[int]) -> dict[int, Person]:
    """Lock several badges at once, in the order of their ids (two transactions locking
    some of the same never wait on each other in a circle), then read them as they are."""
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    if db.get_bind().dialect.name == "postgresql":  # SQLite's lock is begin_write's
        db.execute(_statements(db).lock_badges, {"ids": ids})
    return {person.id: person for person in people.read(db, Registration.id.in_(ids))}


def read(
    rows: Rows, edition: Edition, registration_id: int, checkpoint: Checkpoint
) -> tuple[Person | None, Standing | None, int | None]:
    """The badge's registration with its seats, whether it attends the checkpoint's day
    and takes its meal, who of it stands checked in there, and the arrivals there: one
    statement, a row per seat. The ``Person`` holds its days and meals as far as this
    checkpoint asks (``is_admitted``)."""
    values = {
        "registration_id": registration_id,
        "checkpoint": checkpoint.key,
        "edition_id": edition.id,
        "day": checkpoint.day,
        "session_id": checkpoint.session_id,
    }
    found = rows.badge(values)
    if not found:
        return None, None, None
    first = found[0]
    person = Person(*first[:_ATTENDS])
    if first[_ATTENDS]:
        person.attended_dates.append(checkpoint.day)
    if first[_EATS]:
        person.meals.append(Meal(checkpoint.session_id))
    person.choices = [Seat(*row[_SEAT:_STANDING]) for row in found if row[_SEAT] is not None]
    return person, standings.from_row(tuple(first[_STANDING:_COUNT])), first[_COUNT]


# Where each part of the badge's row begins (``_statements_for``'s order).
_ATTENDS = len(people.PERSON_COLUMNS)
_EATS = _ATTENDS + 1
_SEAT = _EATS + 1
_STANDING = _SEAT + len(people.SEAT_COLUMNS)
_COUNT = _STANDING + len(standings.COLUMNS)


@dataclass(frozen=True)
class _Statements:
    badge: sa.Select
    lock_badges: sa.Select
    record: sa.Insert


@dataclass(frozen=True)
class _BareStatements:
    badge: BareStatement
    record: BareStatement


# The columns a scan's row is given (``scanning.decide``'s values, a ``Recorded`` but its
# id and undoing); the others are left to their defaults.
RECORDED = tuple(f.name for f in dataclasses.fields(Recorded) if f.name not in ("id", "undone_at"))


@functools.cache
def _statements_for(dialect: str) -> _Statements:
    """A scan's statements, built once per database kind: at the door's pace, building
    and compiling them cost more than running them (bench/README.md)."""
    registration_id = sa.bindparam("registration_id")
    checkpoint = sa.bindparam("checkpoint")
    day = sa.bindparam("day", type_=RegistrationDay.date.type)
    attends = sa.exists().where(
        RegistrationDay.registration_id == Registration.id, RegistrationDay.date == day
    )
    eats = sa.exists().where(
        RegistrationMeal.registration_id == Registration.id,
        RegistrationMeal.session_id == sa.bindparam("session_id", type_=sa.Integer),
    )
    count = standings.arrivals_query(sa.bindparam("edition_id"), checkpoint).scalar_subquery()
    badge = (
        sa.select(
            *people.PERSON_COLUMNS,
            attends,
            eats,
            *people.SEAT_COLUMNS,
            *standings.COLUMNS,
            count,
        )
        .select_from(Registration)
        .outerjoin(Choice, Choice.registration_id == Registration.id)
        .outerjoin(CheckIn, standings.standing_at(Registration.id, checkpoint))
        .outerjoin(Organiser, Organiser.id == CheckIn.organiser_id)
        .where(Registration.id == registration_id)
        .order_by(Choice.id)
    )
    # Not ``FOR UPDATE``: a lone scan's row refers to its registration (a foreign key, whose
    # check takes ``FOR KEY SHARE``). Against ``FOR UPDATE`` a lone scan that had written
    # its row would wait for the batch, while the batch, writing the same person's
    # check-in, waited for that row: a deadlock. Batches still wait for each other.
    lock_badges = (
        sa.select(Registration.id)
        .where(Registration.id.in_(sa.bindparam("ids", expanding=True)))
        .order_by(Registration.id)
        .with_for_update(key_share=True)
    )
    table = CheckIn.__table__
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    # Whichever unique index refuses it: its ``client_id``, or the person's standing
    # check-in at the checkpoint.
    record = upsert(table).on_conflict_do_nothing().returning(table.c.id)
    return _Statements(badge, lock_badges, record)


def _statements(db: DbSession) -> _Statements:
    return _statements_for(db.get_bind().dialect.name)


@functools.lru_cache(maxsize=4)  # one dialect an engine: a test suite makes many
def _bare_statements_for(dialect: Dialect) -> _BareStatements:
    statements = _statements_for(dialect.name)
    return _BareStatements(
        bare_statements.bare(statements.badge, dialect),
        bare_statements.bare(statements.record, dialect, values=RECORDED),
    )
