"""The roster: every badge of an edition and what admits it where, for a scanner that
decides on its own when the network is gone. The rules are the server's, applied here:
who a session admits (``checkpoints.admission``), which sessions take place at the same
time (``Session.overlaps``), who is checked in (``CheckIn.is_standing``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school import data_versions, keeping
from school.database import utcnow
from school.models import (
    CheckIn,
    Edition,
    Registration,
    Session,
)
from school.models.vocabulary import ChoiceStatus
from school.services.badges import tokens
from school.services.checkin import people
from school.services.checkin.checkpoints import admission, sessions_in_order

# What the roster is made of but the check-ins: each process keeps it, ready to send,
# while these tables do not change (school/data_versions.py). A scan changes none of them.
ROSTER_TABLES = data_versions.watched(
    "editions", "edition_days", "sessions", "rooms",
    "registrations", "registration_days", "choices", "registration_meals",
)  # fmt: skip
# A change is dated when its transaction began, and may commit after a roster was made:
# an incremental roster goes back this far before the time it is asked from.
SINCE_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class _Parts:
    """The roster's JSON without the check-ins: each participant's object is kept open
    at its end, where ``checked_in`` goes."""

    edition: bytes
    sessions: bytes
    participants: tuple[tuple[int, bytes], ...]  # (registration id, b'{…,"checked_in":')
    # When each participant's row or one of their choices last changed, and the sessions
    # each has a choice in (whose waiting lines move them): ``since`` is answered from
    # these, without asking the database.
    changed_at: dict[int, datetime]
    lines: dict[int, frozenset[int]]  # session id -> registration ids with a choice in it
    line_moved_at: dict[int, datetime]  # session id -> its latest choice change


def roster(db: DbSession, edition: Edition) -> dict:
    """Every badge of the edition with what admits it where, and standing check-ins."""
    return orjson.loads(roster_json(db, edition, now=utcnow()))


def roster_json(
    db: DbSession, edition: Edition, *, now: datetime, since: datetime | None = None
) -> bytes:
    """The roster as sent, its time (``generated_at``) at the end. With ``since`` (the
    ``generated_at`` of the roster a scanner holds) only the participants that may have
    changed since then are listed (``complete: false``): the scanner puts them in place
    of its own; sessions and the edition are always whole.

    One query when the process keeps the roster's parts (the check-ins), five more when
    it builds them, whatever the size."""
    parts = keeping.keep(db, "roster", ROSTER_TABLES, edition.id, lambda: _build_parts(db, edition))
    after = None if since is None else since - SINCE_MARGIN
    values = {"edition_id": edition.id, "after": after}
    rows = db.execute(_checkins_query(after is not None), values)
    checked: dict[int, dict[str, str]] = {}
    scanned_since: set[int] = set()
    for registration_id, checkpoint, at, standing, recent in rows:
        if standing:
            checked.setdefault(registration_id, {})[checkpoint] = at.isoformat()
        if recent and registration_id is not None:
            scanned_since.add(registration_id)
    wanted = None if after is None else _changed_since(parts, after) | scanned_since
    nobody = b"{}}"
    listed = b",".join(
        prefix + (orjson.dumps(checked[rid]) + b"}" if rid in checked else nobody)
        for rid, prefix in parts.participants
        if wanted is None or rid in wanted
    )
    tail = orjson.dumps({"complete": wanted is None, "generated_at": now.isoformat()})
    return b"".join(
        (
            b'{"edition":', parts.edition, b',"sessions":', parts.sessions,
            b',"participants":[', listed, b"],", tail[1:],
        )
    )  # fmt: skip


@functools.cache
def _checkins_query(since: bool) -> sa.Select:
    """The standing check-ins and, ``since`` a time (``after``), every check-in recorded or
    undone after it (a participant checked in, or undone, since): one query, built once
    for each. Without ``since`` it asks for the standing ones only, which their partial
    index finds among all the scans of the day (asked "or recent", the plan PostgreSQL
    keeps for the statement read every scan of the edition)."""
    after = sa.bindparam("after", type_=CheckIn.recorded_at.type)
    recent = sa.or_(CheckIn.recorded_at >= after, CheckIn.undone_at >= after)
    which = sa.or_(CheckIn.is_standing, recent) if since else CheckIn.is_standing
    return sa.select(
        CheckIn.registration_id,
        CheckIn.checkpoint,
        CheckIn.scanned_at,
        CheckIn.is_standing.label("standing"),
        (recent if since else sa.false()).label("recent"),
    ).where(CheckIn.edition_id == sa.bindparam("edition_id"), which)


def _changed_since(parts: _Parts, after: datetime) -> set[int]:
    """The participants whose badge, days, seats, meals or place in a line may have
    changed after ``after``, from the kept parts (their check-ins are the caller's)."""
    changed = {rid for rid, at in parts.changed_at.items() if at >= after}
    for session_id, moved_at in parts.line_moved_at.items():
        if moved_at >= after:
            changed |= parts.lines[session_id]
    return changed


def _build_parts(db: DbSession, edition: Edition) -> _Parts:
    sessions = sessions_in_order(db, edition)
    registrations = people.read(db, Registration.edition_id == edition.id)
    overlaps = _overlaps(sessions)
    line = _waiting_lines(registrations)
    keyring = tokens.KeyRing.of_app()
    tz = edition.tz

    edition_part = {
        "id": edition.id,
        "slug": edition.slug,
        "timezone": edition.timezone,
        "dates": [d.isoformat() for d in edition.dates],
    }
    session_parts = [
        {
            "id": s.id,
            "checkpoint": f"session:{s.id}",
            "day": s.starts_at.astimezone(tz).date().isoformat(),
            "starts_at": s.starts_at.astimezone(tz).isoformat(),
            "ends_at": s.ends_at.astimezone(tz).isoformat(),
            "title": {"fr": s.title_fr, "en": s.text("title", "en")},
            "room": {"fr": s.room.name_fr, "en": s.room.text("name", "en")} if s.room else None,
            "admission": admission(s),
            # Where someone turned away from it may be expected instead.
            "overlaps": overlaps[s.id],
        }
        for s in sessions
    ]
    participants = []
    changed_at: dict[int, datetime] = {}
    lines: dict[int, set[int]] = {}
    line_moved_at: dict[int, datetime] = {}
    for r in registrations:
        changed_at[r.id] = max([r.updated_at, *(c.updated_at for c in r.choices)])
        for c in r.choices:
            lines.setdefault(c.session_id, set()).add(r.id)
            line_moved_at[c.session_id] = max(
                line_moved_at.get(c.session_id, c.updated_at), c.updated_at
            )
        person = {
            "id": r.id,
            "token": tokens.token_for(r, keyring),
            "first_name": r.first_name,
            "last_name": r.last_name,
            "organisation": r.organisation,
            "cite": r.cite,
            "category": r.category,
            "member": r.is_proved_member,
            "status": r.status,
            "dietary": r.dietary,
            "days": [d.isoformat() for d in r.attended_dates],
            "seats": sorted(c.session_id for c in r.choices if c.is_confirmed),
            "meals": sorted(m.session_id for m in r.meals),
            "waiting": {str(c.session_id): line[c.id] for c in r.choices if not c.is_confirmed},
        }
        participants.append((r.id, orjson.dumps(person)[:-1] + b',"checked_in":'))
    return _Parts(
        orjson.dumps(edition_part),
        orjson.dumps(session_parts),
        tuple(participants),
        changed_at,
        {session_id: frozenset(ids) for session_id, ids in lines.items()},
        line_moved_at,
    )


def _overlaps(sessions: list[Session]) -> dict[int, list[int]]:
    """The sessions each one takes place at the same time as. In order of their start,
    each is tested only against those that start before it ends: past them, none can
    overlap it (500 sessions: 125,000 pairs tested before, a few thousand now)."""
    found: dict[int, list[int]] = {s.id: [] for s in sessions}
    # Read once from the ORM objects, not at each of the thousands of comparisons.
    by_start = sorted((s.starts_at, s.ends_at, s.id, s) for s in sessions)
    for index, (_starts, ends, first_id, first) in enumerate(by_start):
        for starts, _ends, second_id, second in by_start[index + 1 :]:
            if starts >= ends:
                break
            if first.overlaps(second):
                found[first_id].append(second_id)
                found[second_id].append(first_id)
    return {key: sorted(ids) for key, ids in found.items()}


def _waiting_lines(registrations: list[people.Person]) -> dict[int, int]:
    """Place in line of every waitlisted choice, from choices already loaded."""
    waiting = sorted(
        (c for r in registrations for c in r.choices if c.status == ChoiceStatus.WAITLISTED),
        key=lambda c: (c.session_id, c.queued_at, c.id),
    )
    positions, counts = {}, {}
    for choice in waiting:
        counts[choice.session_id] = counts.get(choice.session_id, 0) + 1
        positions[choice.id] = counts[choice.session_id]
    return positions
