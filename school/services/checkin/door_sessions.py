"""The edition's sessions as a scan shows and judges them, kept by each process while the
programme does not change (``school.data_versions``): every scan at a session's door, and
every answer listing someone's sessions that day, used to read them with their rooms
again, and turned times and titles into the answer's text again.

A ``DoorSession`` answers what ``checkpoints.admission`` asks of a session (the same
rule), what ``times_overlap`` asks, and carries what the scanner shows, ready to send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school import keeping, watched_tables
from school.models import Edition, Session
from school.models.programme import times_overlap

TABLES = watched_tables.watched("editions", "sessions", "rooms")


@dataclass(frozen=True, slots=True)
class DoorSession:
    id: int
    key: str  # the programme's name for it
    day: date  # in the edition's timezone: the day its checkpoint is on
    starts_at: datetime
    ends_at: datetime
    # What ``checkpoints.admission`` reads, as the session holds it.
    is_cancelled: bool
    is_meal: bool
    is_offered_for_choice: bool
    audience: str
    # As the scanner shows it: each in both languages, times in the edition's timezone.
    # Put in every answer as it is, shared by the process's threads: never changed.
    shown: dict[str, Any] = field(compare=False)

    def overlaps(self, other: Any) -> bool:
        return times_overlap(self, other)


def door_sessions(db: DbSession, edition: Edition) -> dict[int, DoorSession]:
    """The edition's sessions by id, as this process keeps them."""
    return keeping.keep(db, "door-sessions", TABLES, edition.id, lambda: _read(db, edition))


def _read(db: DbSession, edition: Edition) -> dict[int, DoorSession]:
    # The edition taken into the session: what a title falls back to is its setting, read
    # through each session's ``edition`` (a query each time, for a kept copy).
    edition = keeping.attach(db, edition)
    return {s.id: _door_session(edition, s) for s in sessions_in_order(db, edition)}


def sessions_in_order(db: DbSession, edition: Edition) -> list[Session]:
    """The edition's sessions with their rooms, in time order: its checkpoints after the
    entrances, as the scanner page and the roster list them."""
    return list(
        db.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition.id)
            .options(joinedload(Session.room))
            .order_by(Session.starts_at, Session.id)
        )
    )


def _door_session(edition: Edition, session: Session) -> DoorSession:
    room = session.room
    shown = {
        "session_id": session.id,
        "title": {"fr": session.title_fr, "en": session.text("title", "en")},
        "starts_at": edition.local(session.starts_at).isoformat(),
        "ends_at": edition.local(session.ends_at).isoformat(),
        "room": {"fr": room.name_fr, "en": room.text("name", "en")} if room else None,
    }
    return DoorSession(
        id=session.id,
        key=session.key,
        day=edition.local(session.starts_at).date(),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        is_cancelled=bool(session.is_cancelled),
        is_meal=bool(session.is_meal),
        is_offered_for_choice=bool(session.is_offered_for_choice),
        audience=session.audience,
        shown=shown,
    )
