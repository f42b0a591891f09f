"""What each calendar feed holds, and the version that its ETag is made of.

Calendar clients poll. A feed request first reads the feed's state with one small
query (``*_state``); when the client already has that version it gets ``304 Not
Modified`` and nothing else is read. Otherwise the feed loads with a fixed number
of queries, whatever the size of the edition, and ``calendar.render`` writes it.

- Programme and session feeds change when the programme does: ``Edition.changed_at``
  is raised by every change to it (import, a speaker's confirmation or details).
- A participant's feed also changes with their registration (days, status), their
  choices (``Choice.updated_at``, a choice added or removed) and their place in
  each waiting line, which moves when someone ahead leaves.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased, joinedload, selectinload

from school import data_versions, keeping, watched_tables
from school.models import Choice, Edition, Person, Registration, Session, SessionPerson
from school.models.vocabulary import ChoiceStatus
from school.services.checkin.checkpoints import Checkpoint, admission, is_admitted
from school.services.errors import NotFound
from school.services.programme import catalogue
from school.services.publishing.calendar import FeedItem, session_item

# Raise it when the output format changes, so clients holding an old ETag get the new one.
FORMAT = 1

# A session has one UID and one SEQUENCE, the same in every feed that carries it (the
# programme, one session, a participant's or a speaker's agenda): a client that imported
# it from one feed must take an update from another, which it does only when SEQUENCE
# is higher. So a personal feed never adds to a session's SEQUENCE. What is particular
# to a reader and is not the session as published (a place in a waiting line, every
# entry of a cancelled registration) is another calendar object, the reader's own, with
# its own UID (``personal_uid``): once the seat is theirs the session itself takes its
# place, with the session's UID and SEQUENCE, as in every other feed (subscribed
# calendars drop an event that leaves the feed).
# The reader's own object changes status too (waiting, then cancelled; or back to life
# when a cancelled registration is made again), so its SEQUENCE is the session's plus
# a personal part that only grows: twice the seconds from the registration to its
# latest change, plus one when it is cancelled. It never goes below the session's,
# rises with it, and stays small (a few million after a month).


def personal_uid(session: Session, registration: Registration) -> str:
    return f"{session.uid}-r{registration.id}"


def personal_sequence(registration: Registration) -> int:
    seconds = (registration.updated_at - registration.created_at).total_seconds()
    return 2 * max(0, int(seconds)) + (1 if registration.is_cancelled else 0)


@dataclass(frozen=True)
class FeedState:
    """Everything a feed's content depends on, read in one query."""

    edition_id: int
    key: tuple
    last_modified: datetime
    language: str | None = None  # the reader's, when the feed is someone's own
    # False when the content may change with no date moving (a waiting line shortened
    # by someone leaving): then only the ETag may answer 304, never If-Modified-Since.
    dates_are_enough: bool = True

    def etag(self, *extra: object) -> str:
        material = repr((FORMAT, self.key, extra)).encode()
        return hashlib.sha256(material).hexdigest()[:40]


def load_sessions(db: DbSession, *criteria) -> list[Session]:
    """Sessions with their room and people: three queries, however many sessions."""
    return list(
        db.scalars(
            sa.select(Session)
            .where(*criteria)
            .options(
                joinedload(Session.room),
                selectinload(Session.people).joinedload(SessionPerson.person),
            )
            .order_by(Session.starts_at, Session.ends_at, Session.id)
        ).unique()
    )


# --- The whole programme, and one session ---------------------------------------------


def programme_state(db: DbSession, slug: str, *, preview: bool | None = None) -> FeedState | None:
    try:
        row = catalogue.read_only_edition(db, slug, preview=preview)
    except NotFound:
        return None
    return FeedState(row.id, ("programme", row.id, row.changed_at), row.changed_at)


def programme_items(db: DbSession, edition: Edition) -> list[FeedItem]:
    return [session_item(s) for s in load_sessions(db, Session.edition_id == edition.id)]


# --- A participant's agenda -------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceState:
    status: str
    updated_at: datetime
    position: int | None  # place in the waiting line (1 = next), when waitlisted


@dataclass(frozen=True)
class ParticipantState(FeedState):
    registration_id: int = 0
    choices: dict[int, ChoiceState] = field(default_factory=dict)


@functools.cache
def _participant_query() -> sa.Select:
    """Built once: a feed is polled often, and building this statement (an alias and a
    correlated count) costs more than running it."""
    ahead = aliased(Choice)
    waitlisted = ChoiceStatus.WAITLISTED.value
    position = (
        sa.select(sa.func.count())
        .where(
            ahead.session_id == Choice.session_id,
            ahead.status == waitlisted,
            sa.or_(
                ahead.queued_at < Choice.queued_at,
                sa.and_(ahead.queued_at == Choice.queued_at, ahead.id < Choice.id),
            ),
        )
        .correlate(Choice)
        .scalar_subquery()
    )
    return (
        sa.select(
            Registration.id,
            Registration.edition_id,
            Registration.status,
            Registration.updated_at,
            Registration.language,
            Edition.changed_at,
            Choice.session_id,
            Choice.status.label("choice_status"),
            Choice.updated_at.label("choice_updated_at"),
            sa.case((Choice.status == waitlisted, position + 1), else_=None).label("position"),
        )
        .join(Edition, Edition.id == Registration.edition_id)
        .outerjoin(Choice, Choice.registration_id == Registration.id)
        .where(Registration.manage_token == sa.bindparam("token"))
        .order_by(Choice.session_id)
    )


# What a participant's state is read from: each process keeps it while they do not change.
PARTICIPANT_TABLES = watched_tables.watched("registrations", "choices", "editions")
_PARTICIPANT_STORE = "participant-state"


def participant_state(db: DbSession, token: str) -> ParticipantState | None:
    """The registration's version in one query (none while the process keeps it): its row,
    the edition's programme version and each choice with its place in line (counted in
    the database)."""
    if not token or len(token) > 64:
        return None
    return keeping.keep(
        db, _PARTICIPANT_STORE, PARTICIPANT_TABLES, token, lambda: _participant_state(db, token)
    )


def kept_participant_state(versions: data_versions.DataVersions, token: str) -> Any:
    """The state ``participant_state`` keeps for ``token``, if it is current, else
    ``keeping.NOT_KEPT`` (without a database session: nothing is read)."""
    return keeping.peek(versions, _PARTICIPANT_STORE, token)


def _participant_state(db: DbSession, token: str) -> ParticipantState | None:
    rows = db.execute(_participant_query(), {"token": token}).all()
    if not rows:
        return None
    first = rows[0]
    choices = {
        row.session_id: ChoiceState(row.choice_status, row.choice_updated_at, row.position)
        for row in rows
        if row.session_id is not None
    }
    moments = [first.updated_at, first.changed_at] + [c.updated_at for c in choices.values()]
    key = (
        "participant",
        first.id,
        first.status,
        first.updated_at,
        first.changed_at,
        tuple(sorted((sid, c.status, c.updated_at, c.position) for sid, c in choices.items())),
    )
    return ParticipantState(
        first.edition_id,
        key,
        max(moments),
        language=first.language,
        dates_are_enough=not any(c.position for c in choices.values()),
        registration_id=first.id,
        choices=choices,
    )


def participant_items(
    db: DbSession, state: ParticipantState
) -> tuple[Registration, list[FeedItem]]:
    """The participant's days: their confirmed choices, their waiting-list places (shown
    as tentative), and on the days they come what lets them in without a choice, as the
    door decides it (``checkin.checkpoints``): what is open to all, the members' sessions
    for a proved member, the meals they take. A cancelled session stays, marked so."""
    registration = db.scalar(
        sa.select(Registration)
        .where(Registration.id == state.registration_id)
        .options(
            joinedload(Registration.edition),
            selectinload(Registration.days),
            selectinload(Registration.meals),
        )
    )
    edition = registration.edition
    tz = edition.tz
    days = set(registration.attended_dates)
    chosen = state.choices
    sessions = load_sessions(
        db,
        Session.edition_id == edition.id,
        sa.or_(Session.id.in_(list(chosen)), sa.not_(Session.is_by_choice)),
    )
    items = []
    for session in sessions:
        choice = chosen.get(session.id)
        day = session.starts_at.astimezone(tz).date()
        if choice is not None:
            confirmed = choice.status == ChoiceStatus.CONFIRMED
            item = FeedItem(
                session,
                modified=max(session.updated_at, choice.updated_at),
                waitlist_position=None if confirmed else (choice.position or 1),
            )
            if not confirmed:
                item.personal_uid = personal_uid(session, registration)
                item.personal_sequence = personal_sequence(registration)
        elif day in days and is_admitted(
            registration, Checkpoint(day, session), None, admission(session, as_planned=True)
        ):
            item = session_item(session)
        else:
            continue
        if registration.is_cancelled:
            item.cancelled = True
            item.personal_uid = personal_uid(session, registration)
            item.personal_sequence = personal_sequence(registration)
            item.modified = max(item.modified, registration.updated_at)
        items.append(item)
    return registration, items


# --- A speaker's agenda -----------------------------------------------------------------


def speaker_state(db: DbSession, token: str) -> FeedState | None:
    if not token or len(token) > 64:
        return None
    row = db.execute(
        sa.select(
            Person.id, Person.edition_id, Person.updated_at, Person.language, Edition.changed_at
        )
        .join(Edition, Edition.id == Person.edition_id)
        .where(Person.speaker_token == token)
    ).first()
    if row is None:
        return None
    key = ("speaker", row.id, row.updated_at, row.changed_at)
    return FeedState(
        row.edition_id, key, max(row.updated_at, row.changed_at), language=row.language
    )


def speaker_items(links: Iterable[SessionPerson]) -> list[FeedItem]:
    """A speaker's sessions (``speakers.links_of``) with their role; those still
    "sous réserve" are tentative. Confirming (or the reverse) raises the session's
    SEQUENCE (its speakers changed, in every feed), so the status change is taken."""
    return [
        FeedItem(
            link.session,
            modified=link.session.updated_at,
            role=link.role,
            tentative=link.awaits_confirmation,
        )
        for link in links
    ]
