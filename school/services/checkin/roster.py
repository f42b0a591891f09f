"""The roster: every badge of an edition and what admits it where, for a scanner that
decides on its own when the network is gone. The rules are the server's, applied here:
who a session admits (``checkpoints.admission``), which sessions take place at the same
time (``Session.overlaps``), who is checked in (``CheckIn.is_standing``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased

from school import data_versions, keeping, watched_tables
from school.database import utcnow
from school.models import CheckIn, Choice, Edition, Registration, Session
from school.models.programme import times_overlap
from school.models.vocabulary import ChoiceStatus
from school.services.badges import tokens
from school.services.checkin import other_editions, people
from school.services.checkin.checkpoints import admission
from school.services.checkin.door_sessions import sessions_in_order
from school.services.registration import waiting_lines
from school.worker import collector_paused

# What the roster is made of but the check-ins, kept by each process, ready to send, while
# its tables do not change (school/data_versions.py); a scan changes none of them. The
# programme's part apart: the people change all day at the door, the programme does not.
PROGRAMME_TABLES = watched_tables.watched("editions", "edition_days", "sessions", "rooms")
PEOPLE_TABLES = watched_tables.watched(
    "registrations", "registration_days", "choices", "registration_meals"
)
ROSTER_TABLES = PROGRAMME_TABLES + PEOPLE_TABLES
# A change is dated when its transaction began, and may commit after a roster was made:
# an incremental roster goes back this far before the time it is asked from.
SINCE_MARGIN = timedelta(minutes=2)
# Built alone, a participant costs several times its share of everyone built at once
# (bench/README.md, fifth round): past this many to send, everyone is built.
BUILT_ALONE = 50
PEOPLE = "roster-people"  # the name of what each process keeps of them


@dataclass(frozen=True)
class _Programme:
    edition: bytes
    sessions: bytes


# Each participant's object, kept open at its end where ``checked_in`` goes:
# (registration id, b'{…,"checked_in":'), in the roster's order.
_People = tuple[tuple[int, bytes], ...]


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

    The whole roster: one query when the process keeps its parts (the check-ins), seven
    more when it builds them, whatever the size. ``since``: who changed is asked of the
    database, and they are cut from the people the process keeps, or built alone when
    it keeps none that stand and they are few (``_sent_since``): a registration at the
    door does not make the next scanner wait for everyone to be built again."""
    programme = keeping.keep(
        db, "roster-programme", PROGRAMME_TABLES, edition.id, lambda: _programme(db, edition)
    )
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
    if after is None:
        participants = _everyone(db, edition)
    else:
        changed = db.scalars(_changed_query(), values)
        participants = _sent_since(db, edition, {*changed, *scanned_since})
    nobody = b"{}}"
    listed = b",".join(
        prefix + (orjson.dumps(checked[rid]) + b"}" if rid in checked else nobody)
        for rid, prefix in participants
    )
    tail = orjson.dumps({"complete": after is None, "generated_at": now.isoformat()})
    return b"".join(
        (
            b'{"edition":', programme.edition, b',"sessions":', programme.sessions,
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


@functools.cache
def _changed_query() -> sa.Select:
    """The edition's participants whose badge, days, seats, meals or place in a line may
    have changed after ``after``: their row or one of their choices changed, or a choice
    in a session where they have one (its waiting line moved). Built once: building it
    cost more than running it."""
    after = sa.bindparam("after", type_=Registration.updated_at.type)
    changed = aliased(Choice)
    moved = sa.select(changed.session_id).where(changed.updated_at >= after)
    theirs = sa.select(Choice.id).where(
        Choice.registration_id == Registration.id,
        sa.or_(Choice.updated_at >= after, Choice.session_id.in_(moved)),
    )
    return sa.select(Registration.id).where(
        Registration.edition_id == sa.bindparam("edition_id"),
        sa.or_(Registration.updated_at >= after, theirs.exists()),
    )


def _programme(db: DbSession, edition: Edition) -> _Programme:
    sessions = sessions_in_order(db, edition)
    overlaps = _overlaps(sessions)
    tz = edition.tz
    edition_part = {
        "id": edition.id,
        "slug": edition.slug,
        "timezone": edition.timezone,
        "dates": [d.isoformat() for d in edition.dates],
        # What a badge of another edition is shown with offline (``other_editions``).
        "others": other_editions.others(db, edition),
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
    return _Programme(orjson.dumps(edition_part), orjson.dumps(session_parts))


def _sent_since(db: DbSession, edition: Edition, ids: set[int]) -> _People:
    """The participants of ``ids``, as the whole roster has them.

    Those scanned in the last minutes are among them (``SINCE_MARGIN``), for their
    check-ins, though a scan changes none of them: at a busy door, hundreds for each
    scanner asking every few seconds. They are cut from the people this process keeps
    when those stand; else a few are read and built alone, and more than
    ``BUILT_ALONE`` make the whole people built (and kept) once, which costs less than
    building them alone each time a scanner asks."""
    versions = data_versions.of_engine(db.get_bind())
    kept = keeping.NOT_KEPT if versions is None else keeping.peek(versions, PEOPLE, edition.id)
    if kept is keeping.NOT_KEPT:
        if len(ids) <= BUILT_ALONE:
            return _people(db, edition, ids)
        kept = _everyone(db, edition)
    return tuple(part for part in kept if part[0] in ids)


def _everyone(db: DbSession, edition: Edition) -> _People:
    """The edition's participants, as the process keeps them (``PEOPLE``)."""
    return keeping.keep(db, PEOPLE, ROSTER_TABLES, edition.id, lambda: _built(db, edition))


def _built(db: DbSession, edition: Edition) -> _People:
    with collector_paused():  # tens of thousands of objects, no cycle among them
        return _people(db, edition)


def _people(db: DbSession, edition: Edition, ids: set[int] | None = None) -> _People:
    """The edition's participants (those of ``ids`` only, if given), by last name, each
    ready to be sent."""
    selected = Registration.edition_id == edition.id
    if ids is not None:
        if not ids:
            return ()
        selected = sa.and_(selected, Registration.id.in_(ids))
    registrations = people.read(db, selected)
    if ids is None:
        line = waiting_lines.numbered(
            (c.id, c.session_id, c.queued_at)
            for r in registrations
            for c in r.choices
            if c.status == ChoiceStatus.WAITLISTED
        )
    else:  # the whole line is not read: each one's place is counted by the database
        waiting = [c.id for r in registrations for c in r.choices if not c.is_confirmed]
        line = waiting_lines.places_in_line(db, waiting)
    keyring = tokens.KeyRing.of_app()
    participants = []
    for r in registrations:
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
            "days": r.attended_dates,  # dates: orjson writes them as isoformat() does
            "seats": sorted([c.session_id for c in r.choices if c.is_confirmed]),
            "meals": sorted([m.session_id for m in r.meals]),
            "waiting": {str(c.session_id): line[c.id] for c in r.choices if not c.is_confirmed},
        }
        participants.append((r.id, orjson.dumps(person)[:-1] + b',"checked_in":'))
    return tuple(participants)


def _overlaps(sessions: list[Session]) -> dict[int, list[int]]:
    """The sessions each one takes place at the same time as. In order of their start,
    each is tested only against those that start before it ends: past them, none can
    overlap it (500 sessions: 125,000 pairs tested before, a few thousand now)."""
    found: dict[int, list[int]] = {s.id: [] for s in sessions}
    # Read once from the ORM objects, not at each of the thousands of comparisons: the
    # rule is asked of plain copies of their times.
    by_start = sorted(
        (s.starts_at, s.ends_at, s.id, _Times(s.starts_at, s.ends_at)) for s in sessions
    )
    for index, (_starts, ends, first_id, first) in enumerate(by_start):
        for starts, _ends, second_id, second in by_start[index + 1 :]:
            if starts >= ends:
                break
            if times_overlap(first, second):
                found[first_id].append(second_id)
                found[second_id].append(first_id)
    return {key: sorted(ids) for key, ids in found.items()}


class _Times(NamedTuple):
    starts_at: datetime
    ends_at: datetime
