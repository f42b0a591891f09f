"""Seats in capped sessions: counting them under a lock, waiting lines, promotion.

Every change to who holds a seat first locks the rows it decides on: on PostgreSQL the
capped sessions' rows (``SELECT … FOR UPDATE``, in the order of their ids, so two
transactions never wait on each other in a circle), and the edition's row when its
cap of participants is counted; on SQLite the single write lock (``BEGIN IMMEDIATE``).
Seats are then counted inside that transaction, so two people clicking for the last
seat are served one after the other and never both get it.

A new registration locks only what it asks for (``lock_places``): people choosing
different workshops, or none, when registration opens are not served one at a time.
Everything else that moves seats (a cancellation, a change of choices, an organiser's
edit, the allocation) takes the whole edition (``lock_edition``): its row, then every
session's, in the same order.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased, joinedload

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
    db: DbSession, edition_id: int, session_ids: Iterable[int], *, edition_cap: bool
) -> None:
    """Take the locks a new registration's places are decided under: the rows of the
    capped sessions and meals among ``session_ids`` and, with ``edition_cap``, the
    edition's row (its cap of participants is counted). Nothing else: a registration
    that asks for no seat waits for nobody. Seats are then counted by queries; the
    sessions (and edition) loaded before are read again (an organiser may have changed
    a capacity meanwhile)."""
    begin_write(db)
    if edition_cap and db.get_bind().dialect.name == "postgresql":
        # FOR NO KEY UPDATE: it excludes its like (and lock_edition's UPDATE), but not the
        # key share that a new registration's row, inserted before, holds on its edition.
        db.execute(
            sa.select(Edition.id).where(Edition.id == edition_id).with_for_update(key_share=True)
        ).all()
    stale = (Session, Edition) if edition_cap else (Session,)
    for instance in list(db.identity_map.values()):
        if isinstance(instance, stale):
            db.expire(instance)
    ids = sorted({i for i in session_ids if is_id(i)})
    if not ids:
        return
    # The rules read the chosen sessions next, fresh (an organiser may have changed a
    # capacity meanwhile): the capped ones by the statement that locks them, while
    # everyone after the same seats waits, the others by one more query.
    fresh = sa.select(Session).execution_options(populate_existing=True)
    locked: set[int] = set()
    if db.get_bind().dialect.name == "postgresql":
        capped = (
            fresh.where(
                Session.edition_id == edition_id,
                Session.id.in_(ids),
                Session.capacity.is_not(None),
            )
            .order_by(Session.id)
            .with_for_update(of=Session)
        )
        locked = {session.id for session in db.scalars(capped)}
    rest = [i for i in ids if i not in locked]
    if rest:
        db.execute(fresh.where(Session.id.in_(rest))).all()


def _lock_sessions(db: DbSession, *criteria) -> None:
    if db.get_bind().dialect.name != "postgresql":
        return  # SQLite: begin_write's lock covers everything
    db.execute(sa.select(Session.id).where(*criteria).order_by(Session.id).with_for_update()).all()


def confirmed_registrations(db: DbSession, edition_id: int) -> int:
    return db.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(
            Registration.edition_id == edition_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def waitlist_positions(db: DbSession, session_ids: Iterable[int]) -> dict[int, int]:
    """Place in line (1 = next) of every waitlisted choice of these sessions, by choice id."""
    ids = list(set(session_ids))
    if not ids:
        return {}
    rows = db.execute(
        sa.select(Choice.id, Choice.session_id, Choice.queued_at)
        .where(Choice.session_id.in_(ids), Choice.status == ChoiceStatus.WAITLISTED)
        .order_by(Choice.session_id, Choice.queued_at, Choice.id)
    )
    return numbered(rows)


def numbered(waiting: Iterable[tuple[int, int, datetime]]) -> dict[int, int]:
    """Place in line (1 = next) of each waitlisted choice given as (id, session id, time
    queued), by choice id: the line is ordered by time queued, then id (the first to ask
    first). ``places_in_line`` counts the same order in the database, for a few choices."""
    positions: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for choice_id, session_id, _queued_at in sorted(waiting, key=lambda c: (c[1], c[2], c[0])):
        counters[session_id] += 1
        positions[choice_id] = counters[session_id]
    return positions


def places_in_line(db: DbSession, choice_ids: Iterable[int]) -> dict[int, int]:
    """Place in line of these choices, by choice id, for those waitlisted: as
    ``waitlist_positions`` says, by counting who is ahead of each rather than reading
    the whole line (thousands of people when registration opens)."""
    ids = list(set(choice_ids))
    if not ids:
        return {}
    return {choice_id: place for choice_id, place in db.execute(_in_line(), {"ids": ids})}


@functools.cache
def _in_line() -> sa.Select:
    """Built once: a registration asks it as it decides its seats."""
    mine = aliased(Choice)
    ahead = (
        sa.select(sa.func.count())
        .select_from(Choice)
        .where(
            Choice.session_id == mine.session_id,
            Choice.status == ChoiceStatus.WAITLISTED,
            Choice.queued_at <= mine.queued_at,  # the index's range; the id breaks ties
            sa.or_(Choice.queued_at < mine.queued_at, Choice.id <= mine.id),
        )
        .scalar_subquery()
    )
    return sa.select(mine.id, ahead).where(
        mine.id.in_(sa.bindparam("ids", expanding=True)),
        mine.status == ChoiceStatus.WAITLISTED,
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
