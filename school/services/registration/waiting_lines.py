"""Places in waiting lines, as pages, e-mails, exports and the door's roster show them.

A line is its session's waitlisted choices in the order they were queued (then by id):
the first to ask is the first promoted (``seats.promote_waitlist``). Reading a place
takes no lock; what changes the lines (a registration, a cancellation, a promotion)
is decided under the seats' locks, in ``seats``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from school.models import Choice, Registration
from school.models.vocabulary import ChoiceStatus


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
    for choice_id, session_id, _queued_at in sorted(waiting, key=itemgetter(1, 2, 0)):
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


def choices_in_line(db: DbSession, registration: Registration) -> list[tuple[Choice, int | None]]:
    """The registration's choices by start (then session), each with its place in line
    as the line stands now (None for a seat): what its pages and e-mails list."""
    choices = sorted(registration.choices, key=lambda c: (c.session.starts_at, c.session_id))
    places = places_in_line(db, [c.id for c in choices if not c.is_confirmed])
    return [(choice, places.get(choice.id)) for choice in choices]


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
