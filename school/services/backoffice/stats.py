"""The figures of an edition: the dashboard shows them and the exports' totals are
computed by these same functions, so the two always agree.

Counted: confirmed registrations (a cancelled one is gone); a seat is a confirmed
choice, a meal is taken by a confirmed registration, both counted by
``catalogue.seats_taken_in_edition`` (the programme, the form and the API count with it);
"checked in" is having a standing check-in (``CheckIn.is_standing``). The breakdowns by
country, category and Cité count who registered, not who came: before the School they
are all there is, and a person registered is not yet a person present.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession

from school.models import (
    CheckIn,
    Choice,
    Edition,
    Person,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Session,
)
from school.models.vocabulary import ChoiceStatus, RegistrationStatus
from school.services.network import cites
from school.services.programme import catalogue


def checked_in_clause():
    """Whether ``Registration`` (of the enclosing query) has a standing check-in."""
    return sa.exists().where(CheckIn.registration_id == Registration.id, CheckIn.is_standing)


def _confirmed(edition: Edition) -> list:
    return [
        Registration.edition_id == edition.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    ]


@dataclass
class Totals:
    confirmed: int
    cancelled: int
    checked_in: int

    @property
    def has_registrations(self) -> bool:
        """Whether anyone ever registered (a cancelled registration counts: it happened)."""
        return bool(self.confirmed or self.cancelled)


def totals(db: DbSession, edition: Edition) -> Totals:
    by_status = dict(
        db.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.edition_id == edition.id)
            .group_by(Registration.status)
        ).all()
    )
    checked_in = db.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(*_confirmed(edition), checked_in_clause())
    )
    return Totals(
        confirmed=by_status.get(RegistrationStatus.CONFIRMED, 0),
        cancelled=by_status.get(RegistrationStatus.CANCELLED, 0),
        checked_in=checked_in or 0,
    )


@dataclass
class Programme:
    sessions: int  # not cancelled
    speakers: int  # every person of the edition's programme, whatever their role


def programme(db: DbSession, edition: Edition) -> Programme:
    """How far the programme is built: what a new or cloned edition still lacks."""
    sessions = db.scalar(
        sa.select(sa.func.count())
        .select_from(Session)
        .where(Session.edition_id == edition.id, ~Session.is_cancelled)
    )
    speakers = db.scalar(
        sa.select(sa.func.count()).select_from(Person).where(Person.edition_id == edition.id)
    )
    return Programme(sessions=sessions or 0, speakers=speakers or 0)


@dataclass
class DayCount:
    day: date
    new: int
    total: int


def over_time(db: DbSession, edition: Edition) -> list[DayCount]:
    """Confirmed registrations by the local day they were made, with the running total."""
    tz = edition.tz
    per_day = Counter(
        moment.astimezone(tz).date()
        for moment in db.scalars(sa.select(Registration.created_at).where(*_confirmed(edition)))
    )
    running, result = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        result.append(DayCount(day, per_day[day], running))
    return result


def _grouped(
    db: DbSession, edition: Edition, column, *, checked_in: bool = False
) -> list[tuple[str, int]]:
    where = _confirmed(edition) + ([checked_in_clause()] if checked_in else [])
    rows = db.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all()
    return sorted(((key or "", count) for key, count in rows), key=lambda r: (-r[1], r[0]))


def by_country(db: DbSession, edition: Edition) -> list[tuple[str, int]]:
    return _grouped(db, edition, Registration.country)


def by_category(db: DbSession, edition: Edition) -> list[tuple[str, int]]:
    return _grouped(db, edition, Registration.category)


def by_cite(db: DbSession, edition: Edition, *, checked_in: bool = False) -> list[tuple[str, int]]:
    """By the directory's name of the Cité; "" stands for participants who belong to none.
    ``checked_in``: only those checked in (the dashboard's "checked in" figure, by Cité)."""
    names = cites.by_key(db)
    counts: Counter[str] = Counter()
    for key, count in _grouped(db, edition, Registration.cite, checked_in=checked_in):
        counts[cites.label(names, key)] += count
    return sorted(counts.items(), key=lambda r: (-r[1], r[0]))


def by_cite_and_arrivals(db: DbSession, edition: Edition) -> list[tuple[str, int, int]]:
    """By Cité, who registered and, of them, who is checked in: the dashboard's table and
    the export's sheet, which show the second figure once someone is checked in."""
    came = dict(by_cite(db, edition, checked_in=True))
    return [(cite, count, came.get(cite, 0)) for cite, count in by_cite(db, edition)]


def by_cite_country(db: DbSession, edition: Edition) -> list[tuple[str, int]]:
    """Participants from a Cité, by the country of their Cité (ISO code); "" for a Cité
    not in the directory."""
    names = cites.by_key(db)
    counts: Counter[str] = Counter()
    for key, count in _grouped(db, edition, Registration.cite):
        if key:
            cite = names.get(key)
            counts[cite.country if cite is not None else ""] += count
    return sorted(counts.items(), key=lambda r: (-r[1], r[0]))


@dataclass
class SessionFill:
    session: Session
    confirmed: int
    waitlisted: int

    @property
    def capacity(self) -> int | None:
        return self.session.capacity

    @property
    def fill_rate(self) -> float | None:
        if not self.session.capacity:
            return None
        return self.confirmed / self.session.capacity


def _waiting(db: DbSession, edition: Edition) -> dict[int, int]:
    rows = db.execute(
        sa.select(Choice.session_id, sa.func.count())
        .join(Session, Session.id == Choice.session_id)
        .where(Session.edition_id == edition.id, Choice.status == ChoiceStatus.WAITLISTED)
        .group_by(Choice.session_id)
    ).all()
    return dict(rows)


def session_fill(db: DbSession, edition: Edition, *, capped_only: bool = True) -> list[SessionFill]:
    """Seats and waiting line of every capped session (or of every session chosen), the
    cancelled ones too: their people are still to be told, and their figures read. Not
    the meals: they have their own table (``meals``), and would otherwise show twice."""
    where = [Session.edition_id == edition.id, Session.is_meal.is_(False)]
    if capped_only:
        where.append(Session.is_capped)
    sessions = db.scalars(
        sa.select(Session).where(*where).order_by(Session.starts_at, Session.id)
    ).all()
    taken = catalogue.seats_taken_in_edition(db, edition)
    waiting = _waiting(db, edition)
    fills = [SessionFill(s, taken.get(s.id, 0), waiting.get(s.id, 0)) for s in sessions]
    if not capped_only:
        fills = [f for f in fills if f.session.is_offered_for_choice or f.confirmed or f.waitlisted]
    return fills


@dataclass
class MealCount:
    session: Session
    count: int
    # Dietary needs as written (grouped when they differ only by case or spaces).
    dietary: list[tuple[str, int]] = field(default_factory=list)

    @property
    def capacity(self) -> int | None:
        return self.session.capacity

    @property
    def with_needs(self) -> int:
        return sum(count for _, count in self.dietary)

    @property
    def without_needs(self) -> int:
        return self.count - self.with_needs


def meals(db: DbSession, edition: Edition) -> list[MealCount]:
    """For the caterers: every meal, how many take it, and their dietary needs."""
    sessions = db.scalars(
        sa.select(Session)
        .where(Session.edition_id == edition.id, Session.is_meal.is_(True))
        .order_by(Session.starts_at, Session.id)
    ).all()
    rows = db.execute(
        sa.select(RegistrationMeal.session_id, Registration.dietary)
        .join(Registration, Registration.id == RegistrationMeal.registration_id)
        .where(*_confirmed(edition), Registration.dietary.is_not(None))
    ).all()
    count = catalogue.seats_taken_in_edition(db, edition)
    notes: dict[int, Counter[str]] = {}
    spelling: dict[str, str] = {}
    for session_id, dietary in rows:
        text = " ".join((dietary or "").split())
        if text:
            key = text.casefold()
            spelling.setdefault(key, text)
            notes.setdefault(session_id, Counter())[key] += 1
    return [
        MealCount(
            s,
            count.get(s.id, 0),
            sorted(
                ((spelling[k], n) for k, n in notes.get(s.id, Counter()).items()),
                key=lambda item: (-item[1], item[0].casefold()),
            ),
        )
        for s in sessions
    ]


@dataclass
class Arrival:
    expected: int
    arrived: int

    @property
    def rate(self) -> float | None:
        return self.arrived / self.expected if self.expected else None


@dataclass
class CheckinProgress:
    days: list[tuple[date, Arrival]]
    sessions: list[tuple[Session, Arrival]]


def checkin_progress(db: DbSession, edition: Edition) -> CheckinProgress:
    """At the entrance, day by day (expected: those attending that day); in each
    session chosen (expected: the confirmed seats) and at each meal (those taking it)."""
    expected_days = dict(
        db.execute(
            sa.select(RegistrationDay.date, sa.func.count())
            .join(Registration, Registration.id == RegistrationDay.registration_id)
            .where(*_confirmed(edition))
            .group_by(RegistrationDay.date)
        ).all()
    )
    arrived_days = dict(
        db.execute(
            sa.select(CheckIn.day, sa.func.count(sa.distinct(CheckIn.registration_id)))
            .join(Registration, Registration.id == CheckIn.registration_id)
            .where(*_confirmed(edition), CheckIn.session_id.is_(None), CheckIn.is_standing)
            .group_by(CheckIn.day)
        ).all()
    )
    arrived_sessions = dict(
        db.execute(
            sa.select(CheckIn.session_id, sa.func.count(sa.distinct(CheckIn.registration_id)))
            .join(Registration, Registration.id == CheckIn.registration_id)
            .where(*_confirmed(edition), CheckIn.session_id.is_not(None), CheckIn.is_standing)
            .group_by(CheckIn.session_id)
        ).all()
    )
    expected = [(f.session, f.confirmed) for f in session_fill(db, edition, capped_only=False)]
    expected += [(m.session, m.count) for m in meals(db, edition)]
    expected.sort(key=lambda item: (item[0].starts_at, item[0].id))
    return CheckinProgress(
        days=[
            (day, Arrival(expected_days.get(day, 0), arrived_days.get(day, 0)))
            for day in edition.dates
        ],
        sessions=[
            (session, Arrival(count, arrived_sessions.get(session.id, 0)))
            for session, count in expected
        ],
    )
