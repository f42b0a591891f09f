"""Reading the programme: the edition, its sessions with rooms, speakers and seats left.

Every read here runs a fixed number of queries, whatever the number of sessions:
the programme page and the JSON API are the busiest paths of the site.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from school import data_versions, keeping, watched_tables
from school.models import (
    Choice,
    Edition,
    Person,
    Registration,
    RegistrationMeal,
    Session,
    SessionPerson,
)
from school.models.vocabulary import ChoiceStatus, RegistrationStatus, SessionKind
from school.services.errors import NotFound
from school.services.programme import lifecycle

# An edition is read on every page and API call of it, and changes rarely: each process
# keeps a copy while these tables do not change (school/data_versions.py).
EDITION_TABLES = watched_tables.watched("editions", "edition_days")
_EDITION_STORE = "edition"


def _kept_edition(db: DbSession, slug: str) -> Edition | None:
    """A detached copy of the edition of ``slug`` with its days, or None."""

    def load() -> Edition | None:
        edition = (
            db.execute(
                sa.select(Edition).where(Edition.slug == slug).options(joinedload(Edition.days))
            )
            .unique()
            .scalar_one_or_none()
        )
        return None if edition is None else keeping.snapshot(edition, "days")

    return keeping.keep(db, _EDITION_STORE, EDITION_TABLES, slug, load)


def get_edition(db: DbSession, slug: str, *, preview: bool | None = None) -> Edition:
    """The edition of ``slug``. Public readers pass ``preview``: a draft is then found only
    by those who may preview it (organisers); the back office and the CLI pass nothing."""
    return keeping.attach(db, read_only_edition(db, slug, preview=preview))


def read_only_edition(db: DbSession, slug: str, *, preview: bool | None = None) -> Edition:
    """The same, as the process keeps it: to read only, outside any session (no
    relationship but its days, nothing to change)."""
    kept = _kept_edition(db, slug)
    if kept is None or not lifecycle.readable(kept.status, preview):
        raise NotFound(f"no edition {slug!r}")
    return kept


# Seats are taken without touching the edition's row (registration.seats): pages that
# show seats left are kept by these tables' versions too.
SEAT_TABLES = watched_tables.watched("choices", "registration_meals", "registrations")


def edition_state(
    db: DbSession, slug: str, *, preview: bool | None = None, now: datetime | None = None
) -> str | None:
    """What names one state of an edition's programme and seats in this process, without a
    query while the edition is kept: the key of pages built from them (``web.public``);
    None when this process cannot tell (then nothing is kept). The edition's state in
    time is part of it: the page changes (no "Register" link) the moment registration
    closes."""
    seats = data_versions.stamp(db, SEAT_TABLES)
    edition = read_only_edition(db, slug, preview=preview)
    return None if seats is None else _state_key(edition, seats, now or datetime.now(UTC))


def kept_edition_state(versions: data_versions.DataVersions, slug: str) -> str | None:
    """``edition_state`` for a public reader, from what this process keeps only (None when
    it keeps nothing current: then the view reads it)."""
    seats = versions.stamp(SEAT_TABLES)
    edition = keeping.peek(versions, _EDITION_STORE, slug)
    if seats is None or not isinstance(edition, Edition):
        return None
    if not lifecycle.readable(edition.status, False):
        return None
    return _state_key(edition, seats, datetime.now(UTC))


def _state_key(edition: Edition, seats: tuple, now: datetime) -> str:
    state = lifecycle.state_of(edition, now)
    changed = edition.changed_at.isoformat()
    taken = ".".join(map(str, seats))
    return f"{edition.id}:{edition.status}:{state.key}:{changed}:{taken}"


def list_editions(db: DbSession) -> list[Edition]:
    return list(db.scalars(sa.select(Edition).order_by(Edition.starts_on.desc())))


def seats_taken(db: DbSession, session_ids: Iterable[int]) -> dict[int, int]:
    """Places taken per session, in one query (``taken``)."""
    ids = list(session_ids)
    if not ids:
        return {}
    return _taken(db, _taken_statement("ids"), {"ids": ids})


def seats_taken_in_edition(db: DbSession, edition: Edition) -> dict[int, int]:
    """Places taken per session of the edition, in one query. Selecting by edition
    rather than by a list of ids keeps the statement the same whatever the size of
    the programme (a 500-id ``IN`` list cost more to build than to run)."""
    return _taken(db, _taken_statement("edition"), {"edition_id": edition.id})


def _taken(db: DbSession, statement: sa.Select, values: dict) -> dict[int, int]:
    return {session_id: count for session_id, count in db.execute(statement, values)}


@functools.cache
def _taken_statement(which: str) -> sa.Select:
    """The one count of a session's places, which every page, export, the API and the
    rules share: a session's confirmed seats; a meal's confirmed registrations taking it
    (a meal is never a seat, whatever rows an old database may still hold). Built once:
    every registration asks it, and building it cost more than running it. A new
    choice's seat is decided by the same count of confirmed choices, inside the
    statement that writes it (``seats.seat_or_line``)."""
    if which == "ids":
        chosen = Session.id.in_(sa.bindparam("ids", expanding=True))
    else:
        chosen = Session.edition_id == sa.bindparam("edition_id")
    seated = (
        sa.select(Choice.session_id)
        .join(Session, Session.id == Choice.session_id)
        .where(chosen, Session.is_meal.is_(False), Choice.status == ChoiceStatus.CONFIRMED)
    )
    fed = (
        sa.select(RegistrationMeal.session_id)
        .join(Session, Session.id == RegistrationMeal.session_id)
        .join(Registration, Registration.id == RegistrationMeal.registration_id)
        .where(
            chosen, Session.is_meal.is_(True), Registration.status == RegistrationStatus.CONFIRMED
        )
    )
    places = sa.union_all(seated, fed).subquery()
    return sa.select(places.c.session_id, sa.func.count()).group_by(places.c.session_id)


def key_figures(db: DbSession, edition: Edition) -> dict[str, int]:
    """The numbers on an edition's home page, counted by the database (two queries)."""
    live = sa.and_(
        Session.edition_id == edition.id,
        sa.not_(Session.is_cancelled),
        Session.kind != SessionKind.BREAK,
    )
    sessions, workshops = db.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Session.kind.in_((SessionKind.WORKSHOP, SessionKind.VISIT))),
        ).where(live)
    ).one()
    speakers = db.scalar(
        sa.select(sa.func.count(sa.distinct(SessionPerson.person_id)))
        .join(Session, Session.id == SessionPerson.session_id)
        .where(Session.edition_id == edition.id)
    )
    return {
        "days": len(edition.dates),
        "sessions": sessions,
        "speakers": speakers,
        "workshops": workshops,
    }


@dataclass
class Programme:
    edition: Edition
    sessions: list[Session]
    taken: dict[int, int]
    # Sessions not chosen here that some readers attend anyway (the members' assembly),
    # shown beside the slots they overlap.
    alongside: list[Session] = field(default_factory=list)

    def seats_left(self, session: Session) -> int | None:
        """Seats left, or for a meal the people who may still take it (None: no cap)."""
        if session.capacity is None:
            return None
        return max(session.capacity - self.taken.get(session.id, 0), 0)

    def days(self) -> list[Day]:
        return build_days(self.edition, self.sessions, self.alongside)


def load_programme(db: DbSession, edition: Edition) -> Programme:
    """Three queries: the sessions with their rooms, the people of the edition's
    sessions, the seats taken."""
    sessions = list(
        db.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition.id)
            .options(joinedload(Session.room), joinedload(Session.group))
            .order_by(Session.starts_at, Session.ends_at, Session.id)
        ).unique()
    )
    _attach_people(db, edition, sessions)
    return Programme(edition, sessions, seats_taken_in_edition(db, edition))


def _attach_people(db: DbSession, edition: Edition, sessions: list[Session]) -> None:
    """Fill ``session.people`` for all sessions from one query on the edition
    (what ``selectinload`` would do with an ``IN`` list of every session id)."""
    links = db.scalars(
        sa.select(SessionPerson)
        .join(SessionPerson.session)
        .where(Session.edition_id == edition.id)
        .options(joinedload(SessionPerson.person))
        .order_by(SessionPerson.session_id, SessionPerson.position)
    )
    by_session: defaultdict[int, list[SessionPerson]] = defaultdict(list)
    for link in links:
        by_session[link.session_id].append(link)
    for session in sessions:
        set_committed_value(session, "people", by_session.get(session.id, []))


def get_session(db: DbSession, edition: Edition, session_id: int) -> Session:
    session = db.scalar(
        sa.select(Session)
        .where(Session.id == session_id, Session.edition_id == edition.id)
        .options(
            joinedload(Session.room),
            selectinload(Session.people).joinedload(SessionPerson.person),
        )
    )
    if session is None:
        raise NotFound(f"no session {session_id} in {edition.slug}")
    return session


@dataclass
class Slot:
    """Sessions that overlap in time: shown side by side."""

    starts_at: datetime
    ends_at: datetime
    sessions: list[Session] = field(default_factory=list)
    alongside: list[Session] = field(default_factory=list)  # see ``Programme.alongside``

    @property
    def is_parallel(self) -> bool:
        return len(self.sessions) > 1

    @property
    def is_crowded(self) -> bool:
        """More than one thing happens in it: shown side by side."""
        return len(self.sessions) + len(self.alongside) > 1


@dataclass
class Day:
    date: date
    theme: object  # EditionDay or None
    slots: list[Slot]


def build_days(
    edition: Edition, sessions: list[Session], alongside: Iterable[Session] = ()
) -> list[Day]:
    """Group sessions by local day, and into slots of overlapping sessions; each of
    ``alongside`` beside every slot it overlaps."""
    tz = edition.tz
    themes = {day.date: day for day in edition.days}
    by_date: dict[date, list[Session]] = {}
    for session in sessions:
        by_date.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    days = []
    for day in sorted(set(by_date) | set(themes)):
        slots: list[Slot] = []
        for session in sorted(by_date.get(day, []), key=lambda s: (s.starts_at, s.ends_at, s.id)):
            if slots and session.overlaps(slots[-1]):
                slots[-1].sessions.append(session)
                slots[-1].ends_at = max(slots[-1].ends_at, session.ends_at)
            else:
                slots.append(Slot(session.starts_at, session.ends_at, [session]))
        days.append(Day(day, themes.get(day), slots))
    for other in alongside:
        for slot in (slot for day in days for slot in day.slots):
            if other.overlaps(slot):
                slot.alongside.append(other)
    return days


@dataclass
class SpeakerEntry:
    person: Person
    links: list[SessionPerson]


def load_speakers(db: DbSession, edition: Edition) -> list[SpeakerEntry]:
    people = db.scalars(
        sa.select(Person)
        .where(Person.edition_id == edition.id)
        .options(selectinload(Person.sessions).joinedload(SessionPerson.session))
    ).all()
    entries = [
        SpeakerEntry(p, sorted(p.sessions, key=lambda link: link.session.starts_at)) for p in people
    ]
    return sorted(entries, key=lambda e: e.person.sort_key)


def get_person(db: DbSession, edition: Edition, key: str) -> SpeakerEntry:
    person = db.scalar(
        sa.select(Person)
        .where(Person.edition_id == edition.id, Person.key == key)
        .options(
            selectinload(Person.sessions).joinedload(SessionPerson.session).joinedload(Session.room)
        )
    )
    if person is None:
        raise NotFound(f"no speaker {key!r}")
    return SpeakerEntry(person, sorted(person.sessions, key=lambda link: link.session.starts_at))
