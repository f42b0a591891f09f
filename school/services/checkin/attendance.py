"""Attendance: who came, where and when, read from the standing check-ins.

A standing check-in (``CheckIn.is_standing``) is a scan with the verdict ``ok`` that was
not undone: at most one per person and checkpoint, at the time of the earliest scan. From
them:

- arrivals per checkpoint, as a count and as a time series in buckets of ten minutes of
  the edition's local time;
- who is expected at a checkpoint: at the entrance on a day, the confirmed registrations
  attending that day; at a session, the confirmed registrations its scanner admits
  (``checkin.is_admitted``: a confirmed seat; at a meal, taking it; for an open session,
  attending that day; for a members' session, a member attending that day). Nobody is
  expected at a cancelled session;
- no-shows: expected, and not checked in;
- the attendance sheet of a checkpoint: the expected people and anyone checked in there,
  by last name, with the time they were checked in.

Certificates of attendance, made from the same standing check-ins, are in
``checkin.certificates``.

Every function here runs a fixed number of queries, whatever the size of the edition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload, subqueryload

from school.models import (
    CheckIn,
    Choice,
    Edition,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
    SessionPerson,
)
from school.models.vocabulary import Admission, RegistrationStatus
from school.services.badges.printing import print_order
from school.services.checkin import people
from school.services.checkin.checkpoints import Checkpoint, admission, is_admitted
from school.services.errors import NotFound

BUCKET = timedelta(minutes=10)


# -- arrivals, expected people and no-shows, per checkpoint


@dataclass(frozen=True)
class Bucket:
    starts_at: datetime  # local time of the edition
    ends_at: datetime
    count: int  # arrivals in the bucket
    total: int  # arrivals up to the end of the bucket


@dataclass
class CheckpointAttendance:
    checkpoint: Checkpoint
    expected: set[int]  # registration ids
    arrivals: dict[int, datetime]  # registration id -> time of the standing check-in (UTC)

    @property
    def key(self) -> str:
        return self.checkpoint.key

    @property
    def day(self) -> date:
        return self.checkpoint.day

    @property
    def session(self) -> Session | None:
        return self.checkpoint.session

    @property
    def admission(self) -> str:
        """``entrance``, or who a session admits (``checkin.admission``)."""
        return "entrance" if self.session is None else admission(self.session)

    @property
    def present(self) -> int:
        return len(self.arrivals)

    @property
    def no_shows(self) -> set[int]:
        return self.expected - self.arrivals.keys()

    @property
    def unexpected(self) -> set[int]:
        """Checked in, though not expected now (their registration changed since)."""
        return self.arrivals.keys() - self.expected

    def series(self, tz) -> list[Bucket]:
        """Arrivals per ten minutes of local time, from the first arrival to the last,
        buckets without arrivals included (a chart's axis is time)."""
        if not self.arrivals:
            return []
        counts: dict[datetime, int] = defaultdict(int)
        for moment in self.arrivals.values():
            counts[_bucket_start(moment, tz)] += 1
        start, last = min(counts), max(counts)
        buckets, total = [], 0
        while start <= last:
            total += counts.get(start, 0)
            buckets.append(
                Bucket(start.astimezone(tz), (start + BUCKET).astimezone(tz), counts[start], total)
            )
            start += BUCKET
        return buckets


def _bucket_start(moment: datetime, tz) -> datetime:
    """The start of the bucket of ``moment``, counted in local wall time (a timezone
    ahead by 5:45 still gets buckets at :00, :10…), as UTC."""
    local = moment.astimezone(tz)
    floored = local.replace(minute=local.minute - local.minute % 10, second=0, microsecond=0)
    return floored.astimezone(UTC)


@dataclass
class Attendance:
    """Every checkpoint of an edition: the entrance of each day, then each session."""

    edition: Edition
    checkpoints: list[CheckpointAttendance]

    def on(self, day: date) -> list[CheckpointAttendance]:
        """The entrance of ``day`` and its sessions, in order of time."""
        return [c for c in self.checkpoints if c.day == day]

    def get(self, key: str) -> CheckpointAttendance | None:
        return next((c for c in self.checkpoints if c.key == key), None)

    @property
    def days_with_arrivals(self) -> list[date]:
        return sorted({c.day for c in self.checkpoints if c.arrivals})


def overview(db: DbSession, edition: Edition) -> Attendance:
    """Arrivals, expected people and no-shows at every checkpoint of ``edition``.

    Six queries: sessions, confirmed registrations (with their days, choices and
    meals, as plain rows: ``checkin.people``), standing check-ins. Cancelled sessions are
    left out unless someone was checked in.
    """
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .options(joinedload(Session.room))
        .order_by(Session.starts_at, Session.ends_at, Session.id)
    ).all()
    registrations = people.read(
        db,
        sa.and_(
            Registration.edition_id == edition.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        ),
    )
    arrivals = _arrivals(db, CheckIn.edition_id == edition.id)
    checkpoints = [Checkpoint(day) for day in edition.dates]
    checkpoints += [Checkpoint(edition.local(s.starts_at).date(), s) for s in sessions]
    expected = Expected(registrations)
    found = [
        CheckpointAttendance(cp, expected.at(cp), arrivals.get(cp.key, {})) for cp in checkpoints
    ]
    found = [c for c in found if not (c.session and c.session.is_cancelled and not c.arrivals)]
    found.sort(key=lambda c: (c.day, c.session is not None, c.session and c.session.starts_at))
    return Attendance(edition, found)


class Expected:
    """Who is expected where, among the confirmed registrations of ``registrations``
    (loaded with their days, choices and meals: objects, or ``checkin.people``'s rows)."""

    def __init__(self, registrations: Iterable[Registration | people.Person]) -> None:
        self.people = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
        # session id -> registration id -> (registration, their choice there)
        self.seats: dict[int, dict[int, tuple[Registration, Choice]]] = defaultdict(dict)
        self.meals: dict[int, list[Registration]] = defaultdict(list)
        for registration in self.people:
            for choice in registration.choices:
                self.seats[choice.session_id][registration.id] = (registration, choice)
            for meal in registration.meals:
                self.meals[meal.session_id].append(registration)
        self._without_seat: dict[tuple[date, str], set[int]] = {}

    def at(self, checkpoint: Checkpoint) -> set[int]:
        """Ids of the registrations expected at ``checkpoint``: the scanner's own rule."""
        session = checkpoint.session
        if session is None:
            return {r.id for r in self.people if checkpoint.day in r.attended_dates}
        held = self.seats.get(session.id, {})
        # Only a seat admits to a session of seats, only the meal to a meal: nobody else
        # needs asking.
        rule = admission(session)
        expected: set[int] = set()
        if rule in (Admission.EVERYONE, Admission.MEMBERS):
            expected = self._seatless(checkpoint, rule)
            candidates = [r for r, _ in held.values()]
        elif rule == Admission.MEAL:
            candidates = self.meals.get(session.id, [])
        else:
            candidates = [r for r, _ in held.values()]
        return expected | {
            r.id
            for r in candidates
            if is_admitted(r, checkpoint, held[r.id][1] if r.id in held else None, rule)
        }

    def _seatless(self, checkpoint: Checkpoint, rule: str) -> set[int]:
        """Who the rule admits without a seat there: the same at every session of a day
        with that rule, so asked once per day and rule (everyone at each of 500 sessions
        took 40 s for 10,000 people)."""
        key = (checkpoint.day, rule)
        if key not in self._without_seat:
            self._without_seat[key] = {
                r.id for r in self.people if is_admitted(r, checkpoint, None, rule)
            }
        return self._without_seat[key]


def _registrations(db: DbSession, where) -> list[Registration]:
    # subqueryload: one query per collection however many people (selectinload would send
    # one per 500 of them).
    return db.scalars(
        sa.select(Registration)
        .where(where)
        .options(
            subqueryload(Registration.days),
            subqueryload(Registration.choices),
            subqueryload(Registration.meals),
        )
    ).all()


def _arrivals(db: DbSession, where) -> dict[str, dict[int, datetime]]:
    rows = db.execute(
        sa.select(CheckIn.checkpoint, CheckIn.registration_id, CheckIn.scanned_at).where(
            where, CheckIn.is_standing
        )
    )
    found: dict[str, dict[int, datetime]] = defaultdict(dict)
    for checkpoint, registration_id, scanned_at in rows:
        found[checkpoint][registration_id] = scanned_at
    return found


# -- the attendance sheet of a checkpoint


@dataclass(frozen=True)
class SheetLine:
    registration: Registration
    checked_in_at: datetime | None  # UTC
    is_expected: bool


@dataclass
class Sheet:
    edition: Edition
    checkpoint: Checkpoint
    lines: list[SheetLine]

    @property
    def expected(self) -> int:
        return sum(1 for line in self.lines if line.is_expected)

    @property
    def present(self) -> int:
        return sum(1 for line in self.lines if line.checked_in_at is not None)

    @property
    def no_shows(self) -> list[SheetLine]:
        return [line for line in self.lines if line.is_expected and line.checked_in_at is None]


def checkpoint_of(db: DbSession, edition: Edition, key: str) -> Checkpoint:
    """The checkpoint named by a session's key (in the programme file), its id as
    ``session:17``, or a day as ``2019-06-19`` or ``entrance:2019-06-19``.
    The session comes with its room and speakers (what a sheet shows)."""
    name = key.removeprefix("entrance:")
    try:
        day = date.fromisoformat(name)
    except ValueError:
        day = None
    if day is not None:
        if day not in edition.dates:
            raise NotFound(f"{day.isoformat()} is not a day of {edition.slug}")
        return Checkpoint(day)
    if key.startswith("session:") and key[8:].isdigit():
        where = Session.id == int(key[8:])
    else:
        where = Session.key == key
    session = db.scalar(
        sa.select(Session)
        .where(where, Session.edition_id == edition.id)
        .options(
            joinedload(Session.room),
            selectinload(Session.people).joinedload(SessionPerson.person),
        )
    )
    if session is None:
        raise NotFound(f"no session {key!r} in {edition.slug}")
    return Checkpoint(edition.local(session.starts_at).date(), session)


def sheet(db: DbSession, edition: Edition, checkpoint: Checkpoint) -> Sheet:
    """Who is expected at ``checkpoint`` and who was checked in there, by last name.

    Five queries: the people who may be on it (attending that day, holding a seat or
    taking the meal there, or checked in there) with their days, choices and meals, and
    the check-ins.
    """
    arrivals = _arrivals(
        db, sa.and_(CheckIn.edition_id == edition.id, CheckIn.checkpoint == checkpoint.key)
    ).get(checkpoint.key, {})
    may_be_expected = sa.and_(
        Registration.status == RegistrationStatus.CONFIRMED,
        sa.or_(
            sa.exists().where(
                RegistrationDay.registration_id == Registration.id,
                RegistrationDay.date == checkpoint.day,
            ),
            sa.exists().where(
                Choice.registration_id == Registration.id,
                Choice.session_id == checkpoint.session_id,
            ),
            sa.exists().where(
                RegistrationMeal.registration_id == Registration.id,
                RegistrationMeal.session_id == checkpoint.session_id,
            ),
        ),
    )
    checked_in = Registration.id.in_(
        sa.select(CheckIn.registration_id).where(
            CheckIn.edition_id == edition.id,
            CheckIn.checkpoint == checkpoint.key,
            CheckIn.is_standing,
        )
    )
    candidates = _registrations(
        db, sa.and_(Registration.edition_id == edition.id, sa.or_(may_be_expected, checked_in))
    )
    expected = Expected(candidates).at(checkpoint)
    lines = [
        SheetLine(r, arrivals.get(r.id), r.id in expected)
        for r in sorted(candidates, key=print_order)
        if r.id in expected or r.id in arrivals
    ]
    return Sheet(edition, checkpoint, lines)
