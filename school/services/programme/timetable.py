"""The timetable editor's side of the programme: a day as a room × time grid of
15-minute rows, and its gestures (add, move, resize, duplicate a session or a whole
slot) as changes of session entries saved by ``editing.save_session`` — the form's
service, so SEQUENCE, change notices and checks are the same — with a room booked
twice refused rather than warned about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import Edition, Room, Session, SessionPerson
from school.services import audit
from school.services.errors import DomainError
from school.services.programme import editing
from school.services.programme.fields import Translate

STEP = 15  # minutes per row
DAY_STARTS, DAY_ENDS = time(8, 0), time(19, 0)  # shown at least, even when empty


@dataclass
class Block:
    session: Session
    column: int  # 1-based among the grid's room columns
    row: int  # 1-based among the grid's time rows
    span: int
    start: str  # "HH:MM", local
    end: str


@dataclass
class Grid:
    day: date
    rooms: list[Room | None]  # None: sessions without a room
    times: list[str]  # "HH:MM" of each row
    blocks: list[Block] = field(default_factory=list)

    def free(self, column: int, row: int) -> bool:
        return not any(
            b.column == column and b.row <= row < b.row + b.span and not b.session.is_cancelled
            for b in self.blocks
        )


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_grid(db: DbSession, edition: Edition, day: date) -> Grid:
    tz = edition.tz
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .options(selectinload(Session.people).joinedload(SessionPerson.person))
        .order_by(Session.starts_at, Session.id)
    ).all()
    today = [s for s in sessions if s.starts_at.astimezone(tz).date() == day]
    rooms: list[Room | None] = list(edition.rooms)
    if any(s.room_id is None for s in today):
        rooms.append(None)
    first = min(
        [_minutes(DAY_STARTS)] + [_minutes(s.starts_at.astimezone(tz).time()) for s in today]
    )
    last = max(
        [_minutes(DAY_ENDS)]
        + [
            _minutes(s.ends_at.astimezone(tz).time())
            if s.ends_at.astimezone(tz).date() == day
            else 24 * 60
            for s in today
        ]
    )
    first, last = first - first % STEP, -(-last // STEP) * STEP
    grid = Grid(day, rooms, [_hhmm(m) for m in range(first, last, STEP)])
    column_of = {(room.id if room else None): n for n, room in enumerate(rooms, start=1)}
    for session in today:
        start = _minutes(session.starts_at.astimezone(tz).time())
        end_local = session.ends_at.astimezone(tz)
        end = _minutes(end_local.time()) if end_local.date() == day else 24 * 60
        row = (start - first) // STEP + 1
        span = max(1, -(-(end - first) // STEP) + 1 - row)
        grid.blocks.append(
            Block(session, column_of[session.room_id], row, span, _hhmm(start), _hhmm(end % 1440))
        )
    return grid


# -- gestures


def _save(db, edition, entry, session, *, actor, now, translate) -> editing.SessionOutcome:
    return editing.save_session(
        db,
        edition,
        entry,
        session=session,
        actor=actor,
        now=now,
        translate=translate,
        refuse_clashes=True,
    )


def place_session(
    db: DbSession,
    edition: Edition,
    session: Session,
    *,
    day: str,
    start: str,
    end: str,
    room: str | None,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> editing.SessionOutcome:
    """Move or resize: a new day, start, end or room; the rest as it was."""
    entry = editing.session_entry(edition, session)
    entry.update(date=day, start=start, end=end, room=room or None)
    return _save(db, edition, entry, session, actor=actor, now=now, translate=translate)


def add_session(
    db: DbSession,
    edition: Edition,
    values: dict[str, Any],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> editing.SessionOutcome:
    """A session added from the grid: title, kind, day, times, room, seats."""
    entry = {
        "date": values.get("date"),
        "start": values.get("start"),
        "end": values.get("end"),
        "kind": values.get("kind") or "workshop",
        "title": {"fr": values.get("title_fr"), "en": values.get("title_en")},
        "description": {"fr": None, "en": None},
        "room": values.get("room") or None,
        "capacity": values.get("capacity"),
        "requires_registration": bool(values.get("requires_registration")),
        "audience": "everyone",
        "status": "scheduled",
        "meal": False,
        "speakers": [],
    }
    return _save(db, edition, entry, None, actor=actor, now=now, translate=translate)


def _copy(edition: Edition, session: Session, **changes: Any) -> dict[str, Any]:
    """A new session like ``session`` (speakers are not copied: one person, one room)."""
    entry = editing.session_entry(edition, session)
    entry.pop("id")
    entry.update(speakers=[], status="scheduled", **changes)
    return entry


def duplicate_session(
    db: DbSession,
    edition: Edition,
    session: Session,
    rooms: list[str],
    *,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> list[Session]:
    """The session again, at the same time, in each of ``rooms``."""
    if not rooms:
        raise DomainError(_("Choose at least one room."), code="invalid", field="rooms")
    return [
        _save(
            db,
            edition,
            _copy(edition, session, room=room),
            None,
            actor=actor,
            now=now,
            translate=translate,
        ).session
        for room in rooms
    ]


def duplicate_slot(
    db: DbSession,
    edition: Edition,
    session: Session,
    *,
    day: str,
    start: str,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> list[Session]:
    """Every session of ``session``'s slot (same start and end, that day) again at
    ``day`` ``start``, in the same rooms, for as long."""
    tz = edition.tz
    slot = db.scalars(
        sa.select(Session)
        .where(
            Session.edition_id == edition.id,
            Session.starts_at == session.starts_at,
            Session.ends_at == session.ends_at,
            Session.status != "cancelled",
        )
        .order_by(Session.id)
    ).all()
    try:
        begins = datetime.combine(date.fromisoformat(day), time.fromisoformat(start), tz)
    except (TypeError, ValueError):
        raise DomainError(
            _("Give a day and a start time."), code="invalid", field="start"
        ) from None
    end = begins + (session.ends_at - session.starts_at)
    if end.date() != begins.date():
        raise DomainError(_("The slot would end after midnight."), code="invalid", field="start")
    if begins == session.starts_at.astimezone(tz):
        raise DomainError(_("Choose another time for the copy."), code="invalid", field="start")
    changes = {"date": day, "start": f"{begins:%H:%M}", "end": f"{end:%H:%M}"}
    return [
        _save(
            db,
            edition,
            _copy(edition, original, **changes),
            None,
            actor=actor,
            now=now,
            translate=translate,
        ).session
        for original in slot
    ]
