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
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from school.database import begin_write, insert_new_on
from school.models import CheckIn, Choice, Edition, Organiser, Registration, Session
from school.models.vocabulary import Verdict
from school.services.badges import tokens
from school.services.badges.tokens import BadgeStatus
from school.services.checkin.checkpoints import Checkpoint, checkpoint_for, is_admitted
from school.services.checkin.held import Held
from school.services.errors import DomainError, NotFound
from school.services.registration import waiting_lines

# The most scans one request may send together (``checkin.batches``).
BATCH_MAX = 100

# How far ahead of the server a phone's clock may run: a scan said to come from later
# than that is taken as made then (a scan cannot come from the future).
CLOCK_AHEAD = timedelta(minutes=5)


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
    registration: Registration | None = None
    record: CheckIn | None = None
    first: CheckIn | None = None  # the standing check-in, for ``already``
    expected: list[Session] = field(default_factory=list)  # where they have a seat then
    waitlist_position: int | None = None
    today: list[Session] = field(default_factory=list)  # their seats that day
    attends_today: bool = True
    replayed: bool = False
    arrivals: int | None = None  # standing check-ins at this checkpoint, this one included


@dataclass
class Decided:
    """A scan decided and not yet recorded: its answer, the standing check-in it takes
    the place of (a late scan older than it), and the values of its row."""

    result: ScanResult
    superseded: CheckIn | None
    values: dict[str, Any]


def scan(db: DbSession, edition: Edition, *, day: date | None = None, **given: Any) -> ScanResult:
    """Decide and record one scan (``decide``'s arguments). Flushes; the caller commits."""
    decided = decide(db, edition, day=day, **given)
    result, superseded = decided.result, decided.superseded
    record = _record(db, superseded, **decided.values)
    if record is None:
        # Recorded before: a retry, a sync after an outage, or the same scan sent twice at
        # once. Its first answer stands, and nothing was written.
        earlier = _by_client_id(db, decided.values["client_id"])
        if earlier is None:
            raise RuntimeError(f"scan {decided.values['client_id']} neither recorded nor found")
        if not _same_scan(earlier, edition, result.checkpoint, result.registration, day):
            raise ClientIdReused()
        return _replay(db, edition, earlier)
    result.first = None if superseded is not None else result.first
    held = given.get("held")
    if held is not None:
        held.recorded(record)
    if result.arrivals is None:  # not decided on the person's standing: counted now
        result.arrivals = arrivals(db, edition, result.checkpoint.key)
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
    held: Held | None = None,
) -> Decided:
    """What one scan is worth, and the row that records it; writes nothing.

    ``scanned_at`` is the phone's time of the scan, ``now`` the server's: a scan from
    later than ``now + CLOCK_AHEAD`` is recorded at that moment (``when``). ``held``:
    what a batch read at once, under its badges' locks (``checkin.held``)."""
    scanned_at = when(scanned_at, now)
    begin_write(db)
    if held is not None:
        checkpoint = held.checkpoint(db, edition, session_id, day, scanned_at)
    else:
        checkpoint = checkpoint_for(db, edition, session_id, day, scanned_at)
    claim = tokens.read_token(token)
    locked = None
    if claim is not None and claim.edition_id == edition.id:
        if held is not None and claim.registration_id in held.badges:
            locked = held.badges[claim.registration_id]
        else:
            locked = _lock_badge(db, claim.registration_id)
    check = tokens.verify(db, token, edition, read=locked)
    registration = check.registration
    if check.status in (BadgeStatus.INVALID, BadgeStatus.UNKNOWN):
        verdict = Verdict.INVALID
        registration = None
    elif check.status == BadgeStatus.WRONG_EDITION:
        verdict, registration = Verdict.WRONG_EDITION, None
    elif check.status == BadgeStatus.CANCELLED:
        verdict = Verdict.CANCELLED
    else:
        verdict = None
    result = ScanResult(verdict or Verdict.OK, checkpoint, registration)
    if verdict is None:
        _decide(db, result, scanned_at, held)
    superseded = result.first if result.verdict == Verdict.OK else None
    values = {
        "edition_id": edition.id,
        "registration_id": registration.id if registration else None,
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
    checkpoint: Checkpoint,
    registration: Registration | None,
    day: date | None,
) -> bool:
    """Whether a scan sent again is the one recorded under its ``client_id``: the same
    edition, badge and checkpoint. An entrance's day counts when the scanner says it
    (without it, the day is the scan's, which a late resend may not repeat)."""
    if (earlier.edition_id, earlier.session_id) != (edition.id, checkpoint.session_id):
        return False
    if earlier.registration_id != (registration.id if registration else None):
        return False
    return checkpoint.session is not None or day is None or earlier.day == day


def _record(db: DbSession, superseded: CheckIn | None, **values) -> CheckIn | None:
    """The new scan's row, or None if a scan with its ``client_id`` is there already."""
    statement = _statements(db).record
    if superseded is None:
        return db.scalar(statement, values)
    # An older scan that arrived late is the check-in, and the standing one becomes
    # ``already`` first (one standing check-in per checkpoint is a unique index). Rare
    # enough for a savepoint, which undoes that if this scan was recorded already.
    savepoint = db.begin_nested()
    superseded.verdict = Verdict.ALREADY
    db.flush()
    record = db.scalar(statement, values)
    if record is None:
        savepoint.rollback()
    else:
        savepoint.commit()
    return record


def _lock_badge(db: DbSession, registration_id: int) -> Registration | None:
    """Scans of one badge are decided one after the other: its row, seats (with their
    sessions and rooms, which the answer shows) and days are read again under the lock,
    as they are now, in one query."""
    found = db.execute(_statements(db).lock_badge, {"registration_id": registration_id})
    return found.unique().scalar_one_or_none()


def lock_badges(db: DbSession, registration_ids: list[int]) -> dict[int, Registration]:
    """Lock several badges at once, as ``scan`` locks one, in the order of their ids: two
    transactions locking some of the same never wait on each other in a circle."""
    if not registration_ids:
        return {}
    found = db.execute(_statements(db).lock_badges, {"ids": sorted(set(registration_ids))})
    return {registration.id: registration for registration in found.unique().scalars()}


@dataclass(frozen=True)
class _Statements:
    lock_badge: sa.Select
    lock_badges: sa.Select
    standing: sa.Select
    record: sa.Insert


@functools.cache
def _statements_for(dialect: str) -> _Statements:
    """A scan's three statements, built once per database kind: at the door's pace,
    building and compiling them cost more than running them (bench/README.md)."""
    registration_id = sa.bindparam("registration_id")
    checkpoint = sa.bindparam("checkpoint")
    badges = (
        sa.select(Registration)
        .options(
            joinedload(Registration.choices).joinedload(Choice.session).joinedload(Session.room),
            joinedload(Registration.days),
            joinedload(Registration.meals),
        )
        .execution_options(populate_existing=True)
    )
    if dialect == "postgresql":
        badges = badges.with_for_update(of=Registration)
    lock_badge = badges.where(Registration.id == registration_id)
    lock_badges = badges.where(Registration.id.in_(sa.bindparam("ids", expanding=True))).order_by(
        Registration.id
    )
    # The person's standing check-in at the checkpoint, if any, and the checkpoint's
    # arrivals so far, in one query (one row, from a one-row table the check-in is
    # outer-joined to).
    count = _arrivals_query(sa.bindparam("edition_id"), checkpoint).scalar_subquery()
    one = sa.select(sa.literal(1).label("one")).subquery()
    standing = (
        sa.select(CheckIn, count)
        .select_from(one)
        .outerjoin(CheckIn, _standing_at(registration_id, checkpoint))
        .options(joinedload(CheckIn.organiser))
    )
    record = insert_new_on(dialect, CheckIn, "client_id").returning(CheckIn)
    return _Statements(lock_badge, lock_badges, standing, record)


def _statements(db: DbSession) -> _Statements:
    return _statements_for(db.get_bind().dialect.name)


def _decide(db: DbSession, result: ScanResult, scanned_at: datetime, held: Held | None) -> None:
    registration, checkpoint = result.registration, result.checkpoint
    choices = {c.session_id: c for c in registration.choices}
    seat = choices.get(checkpoint.session_id) if checkpoint.session else None
    result.today = sorted(
        (
            c.session
            for c in choices.values()
            if c.is_confirmed
            and registration.edition.local(c.session.starts_at).date() == checkpoint.day
        ),
        key=lambda s: s.starts_at,
    )
    result.attends_today = checkpoint.day in registration.attended_dates
    if not is_admitted(registration, checkpoint, seat):
        result.verdict = Verdict.NOT_REGISTERED_FOR_SESSION
        if seat is not None and not seat.is_confirmed:
            places = waiting_lines.waitlist_positions(db, [seat.session_id])
            result.waitlist_position = places.get(seat.id)
        session = checkpoint.session
        result.expected = [s for s in result.today if s.overlaps(session)]
        return
    if held is not None and held.knows(registration.id, checkpoint.key):
        standing, counted = held.standing_at(registration.id, checkpoint.key)
    else:
        standing, counted = _standing(db, registration, checkpoint.key)
    result.arrivals = counted + (1 if standing is None else 0)  # with this one if it is
    if standing is None:
        result.verdict = Verdict.OK
    elif scanned_at < standing.scanned_at:
        result.verdict, result.first = Verdict.OK, standing
    else:
        result.verdict, result.first = Verdict.ALREADY, standing


def _standing(
    db: DbSession, registration: Registration, checkpoint: str
) -> tuple[CheckIn | None, int]:
    """The person's standing check-in at the checkpoint, if any, and the checkpoint's
    arrivals so far."""
    values = {
        "registration_id": registration.id,
        "checkpoint": checkpoint,
        "edition_id": registration.edition_id,
    }
    row = db.execute(_statements(db).standing, values).one()
    return row[0], row[1]


def first_checkin(db: DbSession, registration_id: int, checkpoint: str) -> CheckIn | None:
    return db.scalar(
        sa.select(CheckIn)
        .where(_standing_at(registration_id, checkpoint))
        .options(joinedload(CheckIn.organiser))
    )


def _standing_at(registration_id: Any, checkpoint: Any) -> sa.ColumnElement[bool]:
    """The person's check-in at the checkpoint that counts (one at most: a unique index)."""
    return sa.and_(
        CheckIn.registration_id == registration_id,
        CheckIn.checkpoint == checkpoint,
        CheckIn.is_standing,
    )


def _by_client_id(db: DbSession, client_id: str) -> CheckIn | None:
    return db.scalar(sa.select(CheckIn).where(CheckIn.client_id == client_id))


def _replay(db: DbSession, edition: Edition, record: CheckIn) -> ScanResult:
    """The answer a recorded scan got, rebuilt from the record."""
    session = db.get(Session, record.session_id) if record.session_id else None
    checkpoint = Checkpoint(record.day, session)
    registration = db.get(Registration, record.registration_id) if record.registration_id else None
    result = ScanResult(record.verdict, checkpoint, registration, record, replayed=True)
    if record.verdict == Verdict.ALREADY and registration is not None:
        result.first = first_checkin(db, registration.id, checkpoint.key)
    result.arrivals = arrivals(db, edition, checkpoint.key)
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


def arrivals(db: DbSession, edition: Edition, checkpoint: str) -> int:
    return db.scalar(_arrivals_query(edition.id, checkpoint))


def _arrivals_query(edition_id: Any, checkpoint: Any) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(CheckIn)
        .where(
            CheckIn.edition_id == edition_id, CheckIn.checkpoint == checkpoint, CheckIn.is_standing
        )
    )
