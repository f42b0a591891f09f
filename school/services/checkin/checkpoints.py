"""Checkpoints: where staff scan (the venue's entrance on a day, or one session) and who
each lets in. The scan's verdict (``checkin.scanning``), the roster the scanners decide
offline with (``checkin.roster``) and the attendance figures (``checkin.attendance``)
all ask ``is_admitted``: who may come in is decided here only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school import i18n
from school.models import Choice, Edition, Registration, Session
from school.models.vocabulary import Admission, Audience
from school.services.checkin.door_sessions import DoorSession, door_sessions, sessions_in_order
from school.services.checkin.people import Person, Seat
from school.services.errors import DomainError, NotFound


@dataclass(frozen=True)
class Checkpoint:
    day: date
    # A scan's is the session as the process keeps it for the door (``door_sessions``).
    session: Session | DoorSession | None = None

    @property
    def key(self) -> str:
        if self.session is None:
            return f"entrance:{self.day.isoformat()}"
        return f"session:{self.session.id}"

    @property
    def session_id(self) -> int | None:
        return self.session.id if self.session else None


class InvalidScan(DomainError):
    """A scan at a checkpoint the edition does not have: ``errors`` maps the field (the
    API's name) to its message. Nothing is recorded."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("no such checkpoint in this edition")
        self.errors = errors


class NotASchoolDay(InvalidScan):
    """A scan at the entrance that does not say its day, made on a day the School does not
    have: it makes no checkpoint (a test scan in December counted someone present on a
    day of no School, in the report and on their certificate)."""


def checkpoint_for(
    db: DbSession, edition: Edition, session_id: int | None, day: date | None, at: datetime
) -> Checkpoint:
    """The checkpoint a scanner is at: a session of this edition, or the entrance on one
    of its days (when not given, the day of the scan in the edition's timezone)."""
    if day is not None and day not in edition.dates:
        raise InvalidScan({"day": [_outside(edition)]})
    if session_id is not None:
        session = door_sessions(db, edition).get(session_id)
        if session is None:
            raise InvalidScan({"session_id": [_("This session is not in this School.")]})
        return Checkpoint(session.day, session)
    if day is None:
        day = edition.local(at).date()
        if day not in edition.dates:
            raise NotASchoolDay({"day": [_outside(edition)]})
    return Checkpoint(day)


def _outside(edition: Edition) -> str:
    return _(
        "The School takes place from %(first)s to %(last)s: no check-in on another day.",
        first=i18n.local_date(edition.starts_on, "long"),
        last=i18n.local_date(edition.ends_on, "long"),
    )


def checkpoint_by_key(db: DbSession, edition: Edition, key: str) -> Checkpoint:
    """The checkpoint a key names (``entrance:2019-06-19``, ``session:17``), in this edition."""
    kind, _, value = key.partition(":")
    if kind == "entrance":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or day not in edition.dates:
            raise NotFound(f"no day {value} in {edition.slug}")
        return Checkpoint(day)
    if kind == "session" and value.isdigit() and len(value) < 10:
        session = db.scalar(
            sa.select(Session).where(Session.id == int(value), Session.edition_id == edition.id)
        )
        if session is not None:
            return Checkpoint(edition.local(session.starts_at).date(), session)
    raise NotFound(f"no checkpoint {key}")


def checkpoints(db: DbSession, edition: Edition) -> list[Checkpoint]:
    """Where staff can scan: the entrance on each day, then every session in time order."""
    entrances = [Checkpoint(day) for day in edition.dates]
    return entrances + [
        Checkpoint(edition.local(s.starts_at).date(), s) for s in sessions_in_order(db, edition)
    ]


def admission(session: Session | DoorSession, *, as_planned: bool = False) -> Admission:
    """Who may come in: ``everyone`` attending that day, ``members`` attending that day,
    ``seat`` (a confirmed choice only), ``meal`` (those taking the meal: what the caterers
    were told), or ``closed`` (cancelled). ``as_planned``: who would have, had it not been
    cancelled (a calendar then shows them its cancellation)."""
    if session.is_cancelled and not as_planned:
        return Admission.CLOSED
    if session.is_meal:
        return Admission.MEAL
    if session.is_offered_for_choice or session.audience == Audience.INVITED:
        return Admission.SEAT
    if session.audience == Audience.MEMBERS:
        return Admission.MEMBERS
    return Admission.EVERYONE


def is_admitted(
    registration: Registration | Person,
    checkpoint: Checkpoint,
    seat: Choice | Seat | None,
    rule: Admission | None = None,
) -> bool:
    """Whether the person gets in at the checkpoint, holding ``seat`` there (or none).
    ``rule``: the session's ``admission``, when the caller asks for many people."""
    session = checkpoint.session
    if session is None:
        return True  # anyone registered enters the venue; the day is shown as a note
    rule = rule or admission(session)
    if rule == Admission.MEAL:
        return any(meal.session_id == session.id for meal in registration.meals)
    if seat is not None and seat.is_confirmed:
        return rule != Admission.CLOSED
    attends = checkpoint.day in registration.attended_dates
    if rule == Admission.EVERYONE:
        return attends
    if rule == Admission.MEMBERS:
        return attends and registration.is_proved_member
    return False
