"""Check-in: what a scanned badge is worth at a checkpoint, decided once, here.

A checkpoint is the venue entrance on a day (``entrance:2019-06-19``) or one session
(``session:17``). Verdicts: ``ok`` (first scan), ``already`` (scanned before: when,
where, by whom), ``not_registered_for_session`` (with where the person is expected, or
their place in the waiting line), ``cancelled``, ``wrong_edition``, ``invalid``.

Every scan is recorded under the scanner's ``client_id``: the same scan sent again
(a retry, a sync after an outage) returns the first answer and records nothing new
(the insert skips a ``client_id`` already there, so a scan costs no extra query for it).
The same id with another badge, checkpoint or edition is refused (``ClientIdReused``):
a replay answers only the scan it replays.
Scans made offline arrive late and out of order; the earliest scan wins: if a scan
older than the standing check-in arrives, it becomes the check-in and the other one
becomes ``already``. Who a checkpoint lets in is ``checkin.checkpoints``'s rule, which
the scanner page applies offline too (the roster gives each session's ``admission``).

A scan sent alone takes no lock: the badge, its seats and who stands checked in at the
checkpoint are read by one statement, and the unique index of standing check-ins decides
between two doors scanning the same person at once. The insert skips a row that index
refuses (the other door's scan committed after the read, or is about to: the database
waits for it), and the scan is decided again, as things then stand (``already``). Under
load, a lock and the round trips around it were most of a scan's cost (bench/README.md,
twelfth round). Needing no transaction, a scan sent alone runs its read and its insert on
the bare driver on PostgreSQL, each committing on its own (``scan_alone``,
``badge_rows.alone``): SQLAlchemy's session around them cost more than the scan's own
work (thirteenth round). Batches lock their badges against each other (``badge_rows``); between
a batch and a lone scan the index decides as well (``checkin.batches`` decides a batch
whose insert it refuses again, one scan at a time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.database import begin_write
from school.models import CheckIn, Edition, Organiser, Registration
from school.models.vocabulary import Verdict
from school.services.badges import tokens
from school.services.badges.tokens import BadgeStatus
from school.services.checkin import badge_rows, other_editions, people
from school.services.checkin import standing as standings
from school.services.checkin.badge_rows import Rows
from school.services.checkin.checkpoints import (
    Checkpoint,
    NotASchoolDay,
    checkpoint_for,
    is_admitted,
)
from school.services.checkin.door_sessions import DoorSession, door_sessions
from school.services.checkin.held import Held
from school.services.checkin.people import Person
from school.services.checkin.standing import Recorded, Standing
from school.services.errors import DomainError, NotFound
from school.services.registration import waiting_lines

# The most scans one request may send together (``checkin.batches``).
BATCH_MAX = 100

# How far ahead of the server a phone's clock may run: a scan said to come from later
# than that is taken as made then (a scan cannot come from the future).
CLOCK_AHEAD = timedelta(minutes=5)

# How many times a scan is decided again when another door checked the person in at the
# same checkpoint between its read and its write (twice would take three doors at once).
DECISIONS = 4


class ClientIdReused(DomainError):
    """A ``client_id`` already recorded for another scan (another badge, checkpoint or
    edition): refused, saying nothing of that scan. A scanner makes a new id per scan."""

    code = "client_id_reused"

    def __init__(self):
        super().__init__(
            _("This scan's id was already used for another scan: nothing was recorded.")
        )


@dataclass
class ScanResult:
    verdict: str
    checkpoint: Checkpoint
    registration: Person | None = None
    record: CheckIn | Recorded | None = None
    first: Standing | None = None  # the standing check-in, for ``already``
    expected: list[DoorSession] = field(default_factory=list)  # where they have a seat then
    waitlist_position: int | None = None
    today: list[DoorSession] = field(default_factory=list)  # their seats that day
    attends_today: bool = True
    replayed: bool = False
    arrivals: int | None = None  # standing check-ins at this checkpoint, this one included
    badge_edition: dict | None = None  # ``wrong_edition``: the edition it is for, named


@dataclass
class Decided:
    """A scan decided and not yet recorded: its answer, the standing check-in it takes
    the place of (a late scan older than it), and the values of its row."""

    result: ScanResult
    superseded: Standing | None
    values: dict[str, Any]


def scan(db: DbSession, edition: Edition, *, day: date | None = None, **given: Any) -> ScanResult:
    """Decide and record one scan (``decide``'s arguments). Writes; the caller commits."""
    return _scan(db, badge_rows.in_session(db), edition, day, given)


def scan_alone(
    db: DbSession, edition: Edition, *, day: date | None = None, **given: Any
) -> ScanResult:
    """One scan sent alone (``decide``'s arguments), recorded at once: on PostgreSQL its
    read and its insert each commit on their own (``badge_rows.alone``). A late scan that
    takes a check-in's place writes in the session's transaction, which the caller
    commits, as on SQLite."""
    with badge_rows.alone(db) as rows:
        return _scan(db, rows, edition, day, given)


def _scan(
    db: DbSession, rows: Rows, edition: Edition, day: date | None, given: dict[str, Any]
) -> ScanResult:
    for _attempt in range(DECISIONS):
        try:
            decided = decide(db, edition, day=day, rows=rows, **given)
        except NotASchoolDay:
            # Sent again later without its time, a scan's day is today's: its first
            # answer stands all the same.
            earlier = _by_client_id(db, given["client_id"])
            if earlier is None:
                raise
            if not _same_badge(earlier, edition, given["token"]):
                raise ClientIdReused() from None
            return _replay(db, edition, earlier, given["token"])
        result = decided.result
        record = _record(db, rows, decided)
        if record is not None:
            break
        earlier = _by_client_id(db, decided.values["client_id"])
        if earlier is not None:
            # Recorded before: a retry, a sync after an outage, or the same scan sent twice
            # at once. Its first answer stands, and nothing was written.
            person = result.registration
            badge = person.id if person else None
            if not _same_scan(earlier, edition, result.checkpoint.session_id, badge, day):
                raise ClientIdReused()
            return _replay(db, edition, earlier, given["token"])
        # Another door checked the person in here after this scan read who stands: decided
        # again as things stand now (what a batch held is as old).
        given["held"] = None
    else:
        raise RuntimeError(f"scan {decided.values['client_id']} could not be recorded")
    if decided.superseded is not None:
        result.first = None
    held = given.get("held")
    if held is not None:
        held.recorded(record, given.get("organiser"))
    if result.arrivals is None:  # not decided on the person's standing: counted now
        result.arrivals = standings.arrivals(db, edition, result.checkpoint.key)
    result.record = record
    return result


def decide(
    db: DbSession,
    edition: Edition,
    *,
    token: str,
    client_id: str,
    session_id: int | None = None,
    day: date | None = None,
    scanned_at: datetime,
    now: datetime,
    organiser: Organiser | None = None,
    device: str | None = None,
    rows: Rows,
    held: Held | None = None,
) -> Decided:
    """What one scan is worth, and the row that records it; writes nothing.

    ``scanned_at`` is the phone's time of the scan, ``now`` the server's: a scan from
    later than ``now + CLOCK_AHEAD`` is recorded at that moment (``when``). ``held``:
    what a batch read at once, under its badges' locks (``checkin.held``). ``rows``: where
    the badge is read (``badge_rows``)."""
    scanned_at = when(scanned_at, now)
    begin_write(db)
    if held is not None:
        checkpoint = held.checkpoint(db, edition, session_id, day, scanned_at)
    else:
        checkpoint = checkpoint_for(db, edition, session_id, day, scanned_at)
    claim = tokens.read_token(token)
    person, standing, counted = None, None, None
    if claim is not None and claim.edition_id == edition.id:
        badge = claim.registration_id
        if held is not None and held.knows(badge, checkpoint.key):
            person = held.badges[badge]
            standing, counted = held.standing_at(badge, checkpoint.key)
        else:
            person, standing, counted = badge_rows.read(rows, edition, badge, checkpoint)
    status = BadgeStatus.INVALID if claim is None else tokens.status_of(claim, person, edition.id)
    verdict = {
        BadgeStatus.INVALID: Verdict.INVALID,
        BadgeStatus.UNKNOWN: Verdict.INVALID,
        BadgeStatus.WRONG_EDITION: Verdict.WRONG_EDITION,
        BadgeStatus.CANCELLED: Verdict.CANCELLED,
    }.get(status)
    if status != BadgeStatus.CANCELLED and verdict is not None:
        person = None
    result = ScanResult(verdict or Verdict.OK, checkpoint, person)
    if verdict == Verdict.WRONG_EDITION:
        result.badge_edition = other_editions.badge_edition(db, claim.edition_id)
    if verdict is None:
        _decide(db, edition, result, scanned_at, standing, counted)
    superseded = result.first if result.verdict == Verdict.OK else None
    values = {
        "edition_id": edition.id,
        "registration_id": person.id if person else None,
        "session_id": checkpoint.session_id,
        "day": checkpoint.day,
        "checkpoint": checkpoint.key,
        "scanned_at": scanned_at,
        "recorded_at": now,
        "client_id": client_id,
        "device": device,
        "organiser_id": organiser.id if organiser else None,
        "verdict": result.verdict,
    }
    return Decided(result, superseded, values)


def when(scanned_at: datetime, now: datetime) -> datetime:
    """When a scan is recorded as made: the phone's time, unless ahead of the server's
    by more than ``CLOCK_AHEAD`` (a scan cannot come from the future)."""
    return min(scanned_at, now + CLOCK_AHEAD)


def _same_scan(
    earlier: CheckIn,
    edition: Edition,
    session_id: int | None,
    registration_id: int | None,
    day: date | None,
) -> bool:
    """Whether a scan sent again is the one recorded under its ``client_id``: the same
    edition, badge and checkpoint. An entrance's day counts when the scanner says it
    (without it, the day is the scan's, which a late resend may not repeat)."""
    if (earlier.edition_id, earlier.session_id) != (edition.id, session_id):
        return False
    if earlier.registration_id != registration_id:
        return False
    return session_id is not None or day is None or earlier.day == day


def _same_badge(earlier: CheckIn, edition: Edition, token: str) -> bool:
    """Whether a scan sent again without its day, on a day of no School (no checkpoint
    then), is the entrance scan recorded under its ``client_id``."""
    claim = tokens.read_token(token)
    badge = claim.registration_id if claim is not None and claim.edition_id == edition.id else None
    return _same_scan(earlier, edition, None, badge, None)


def _record(db: DbSession, rows: Rows, decided: Decided) -> Recorded | None:
    """The new scan's row, or None if the database refused it: a scan with its
    ``client_id`` is there already, or another standing check-in of the person at the
    checkpoint (or the one this scan takes the place of is no longer standing)."""
    superseded = decided.superseded
    if superseded is None:
        checkin_id = rows.record(decided.values)
    else:
        # An older scan that arrived late is the check-in, and the standing one becomes
        # ``already`` first (one standing check-in per checkpoint). Rare enough for a
        # savepoint, which undoes that if this scan cannot be recorded.
        savepoint = db.begin_nested()
        demoted = standings.demote(db, superseded)
        in_session = badge_rows.in_session(db)  # the savepoint's transaction
        checkin_id = in_session.record(decided.values) if demoted else None
        if checkin_id is None:
            savepoint.rollback()
            return None
        savepoint.commit()
    if checkin_id is None:
        return None
    return Recorded(checkin_id, **decided.values)


def _decide(
    db: DbSession,
    edition: Edition,
    result: ScanResult,
    scanned_at: datetime,
    standing: Standing | None,
    counted: int,
) -> None:
    person, checkpoint = result.registration, result.checkpoint
    sessions = door_sessions(db, edition)
    seat = None
    if checkpoint.session is not None:
        seat = next((c for c in person.choices if c.session_id == checkpoint.session_id), None)
    # A session this process does not keep yet (made a moment ago, the news on its way)
    # is left out of the list.
    seated = (sessions.get(c.session_id) for c in person.choices if c.is_confirmed)
    result.today = sorted(
        (s for s in seated if s is not None and s.day == checkpoint.day),
        key=lambda s: s.starts_at,
    )
    result.attends_today = checkpoint.day in person.attended_dates
    if not is_admitted(person, checkpoint, seat):
        result.verdict = Verdict.NOT_REGISTERED_FOR_SESSION
        if seat is not None and not seat.is_confirmed:
            places = waiting_lines.waitlist_positions(db, [seat.session_id])
            result.waitlist_position = places.get(seat.id)
        session = checkpoint.session
        result.expected = [s for s in result.today if s.overlaps(session)]
        return
    result.arrivals = counted + (1 if standing is None else 0)  # with this one if it is
    if standing is None:
        result.verdict = Verdict.OK
    elif scanned_at < standing.scanned_at:
        result.verdict, result.first = Verdict.OK, standing
    else:
        result.verdict, result.first = Verdict.ALREADY, standing


def _by_client_id(db: DbSession, client_id: str) -> CheckIn | None:
    return db.scalar(sa.select(CheckIn).where(CheckIn.client_id == client_id))


def _replay(db: DbSession, edition: Edition, record: CheckIn, token: str) -> ScanResult:
    """The answer a recorded scan got, rebuilt from the record (and its badge's token,
    which names another edition's)."""
    session = door_sessions(db, edition).get(record.session_id) if record.session_id else None
    checkpoint = Checkpoint(record.day, session)
    registration = None
    if record.registration_id is not None:
        found = people.read(db, Registration.id == record.registration_id)
        registration = found[0] if found else None
    result = ScanResult(record.verdict, checkpoint, registration, record, replayed=True)
    if record.verdict == Verdict.ALREADY and registration is not None:
        result.first = standings.first_checkin(db, registration.id, checkpoint.key)
    claim = tokens.read_token(token) if record.verdict == Verdict.WRONG_EDITION else None
    if claim is not None:
        result.badge_edition = other_editions.badge_edition(db, claim.edition_id)
    result.arrivals = standings.arrivals(db, edition, checkpoint.key)
    return result


def undo(db: DbSession, edition: Edition, checkin_id: int, *, now: datetime) -> CheckIn:
    """Take back a check-in made by mistake (the wrong badge, the wrong room)."""
    begin_write(db)
    record = db.scalar(
        sa.select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.edition_id == edition.id)
    )
    if record is None:
        raise NotFound(f"no check-in {checkin_id}")
    if not record.is_standing:
        raise DomainError("only a standing check-in can be undone", code="not_undoable")
    record.undone_at = now
    db.flush()
    return record


# Asked by the API and the organiser pages after an undo, or to show a door's count.
arrivals = standings.arrivals
