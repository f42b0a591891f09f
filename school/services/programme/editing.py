"""Editing the programme from the organisers' pages: sessions, with the importer's rules.

A form sends one session in the programme file's shape; ``checks`` checks
it with the file's rules. Then, under the edition lock (seats may move):

- a capacity below the confirmed seats is refused, unless the organiser moves the
  excess to the waiting line (``capacity``); they are told by e-mail;
- a raised capacity gives the new seats to the waiting line at once;
- a change of time, room, title or status raises the calendar SEQUENCE (the same
  function the importer uses), and may e-mail the participants concerned;
- a room booked twice at the same time is a warning, not an error (a room may
  really host a coffee and a welcome desk), except in the timetable editor
  (``refuse_clashes``); what a session collides with is in ``collisions``.

Rooms and speakers are in ``people``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import (
    ChangeNotice,
    Choice,
    Edition,
    Person,
    RegistrationMeal,
    Room,
    Session,
    SessionPerson,
)
from school.models.vocabulary import CONTENT_LANGUAGES
from school.services import audit
from school.services.errors import DomainError
from school.services.mail import change_notices, notifications
from school.services.programme import capacity, collisions, parallel
from school.services.programme.checks import check_session
from school.services.programme.fields import Translate
from school.services.programme.rules import (
    CALENDAR_FIELDS,
    apply_session_values,
    booked,
    new_key,
    session_values,
)
from school.services.programme.spec import Problem, SessionSpec
from school.services.registration import seats


class InvalidProgramme(DomainError):
    """Fields are wrong: ``errors`` maps each field (the file's names) to messages."""

    code = "invalid"

    def __init__(self, problems: list[Problem]):
        super().__init__(_("Please correct the highlighted fields."))
        self.errors: dict[str, list[str]] = {}
        for problem in problems:
            self.errors.setdefault(problem.field, []).append(problem.message)


@dataclass
class SessionOutcome:
    session: Session
    changed: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    moved_to_waitlist: list[Choice] = field(default_factory=list)
    promoted: list[Choice] = field(default_factory=list)
    notice: ChangeNotice | None = None  # the change people will be told of, if any


# -- sessions


def session_entry(edition: Edition, session: Session) -> dict[str, Any]:
    """A session in the programme file's shape: what its form starts from."""
    tz = edition.tz
    start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
    return {
        "id": session.key,
        "date": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "kind": session.kind,
        "title": {lang: getattr(session, f"title_{lang}") for lang in CONTENT_LANGUAGES},
        "description": {
            lang: getattr(session, f"description_{lang}") for lang in CONTENT_LANGUAGES
        },
        "room": session.room.key if session.room else None,
        "capacity": session.capacity,
        "requires_registration": session.requires_registration,
        "audience": session.audience,
        "status": session.status,
        "meal": session.is_meal,
        "speakers": [
            {"person": link.person.key, "role": link.role, "tentative": link.is_tentative}
            for link in session.people
        ],
    }


def save_session(
    db: DbSession,
    edition: Edition,
    entry: dict[str, Any],
    *,
    session: Session | None = None,
    actor: audit.Actor,
    now: datetime,
    move_excess: bool = False,
    notify: bool = True,
    translate: Translate | None = None,
    refuse_clashes: bool = False,
    check_group: bool = True,
) -> SessionOutcome:
    """Create (``session=None``) or change a session from ``entry`` (the file's shape).

    A room booked twice is a warning, or refused with ``refuse_clashes`` (the timetable
    editor: a session dropped on another is a slip of the hand). A session moved away
    from the other sessions of its group is refused, unless the caller checks the
    groups itself once it moved several (``check_group=False``: a sheet)."""
    seats.lock_edition(db, edition.id)
    edit = _load(db, edition.id, session.id if session else None)
    spec = _check(edit, entry, translate)
    outcome = _apply(db, edit, spec, move_excess=move_excess, now=now)
    if not outcome.changed and outcome.session.id is not None:
        return outcome
    edit.edition.changed_at = now
    db.flush()
    if check_group and outcome.changed & {"starts_at", "ends_at"}:
        parallel.refuse_move(db, edit.edition, outcome.session)
    if refuse_clashes:
        clashes = collisions.room_clashes(db, edit.edition, outcome.session)
        if clashes:
            raise DomainError(clashes[0], code="clash", field="room")
    db.expire(outcome.session, ["room"])  # room_id may have changed: e-mails show the new room
    _notify(db, edit, spec, outcome, notify=notify, now=now)
    outcome.warnings = collisions.warnings(db, edit.edition, outcome.session)
    _audit(db, actor, edit, outcome, now=now)
    db.flush()
    return outcome


@dataclass
class _Edit:
    """A session being saved, as found under the edition lock: what its entry is checked
    against, and its calendar fields and capacity before the change (a new one: none)."""

    edition: Edition
    session: Session | None
    rooms: dict[str, Room]
    people: dict[str, Person]
    taken_keys: set[str]
    before: dict[str, Any] = field(default_factory=dict)
    capacity_before: int | None = None


def _load(db: DbSession, edition_id: int, session_id: int | None) -> _Edit:
    edition = db.get(Edition, edition_id)
    existing = {
        s.key: s
        for s in db.scalars(
            sa.select(Session)
            .where(Session.edition_id == edition_id)
            .options(selectinload(Session.people).joinedload(SessionPerson.person))
        )
    }
    session = next((s for s in existing.values() if s.id == session_id), None)
    if session_id is not None and session is None:
        raise DomainError(_("This session no longer exists."), code="not_found")
    rooms = {room.key: room for room in edition.rooms}
    people = {
        p.key: p for p in db.scalars(sa.select(Person).where(Person.edition_id == edition_id))
    }
    taken_keys = set(existing) - ({session.key} if session else set())
    edit = _Edit(edition, session, rooms, people, taken_keys)
    if session is not None:
        edit.before = {name: getattr(session, name) for name in CALENDAR_FIELDS}
        edit.capacity_before = session.capacity
    return edit


def _check(edit: _Edit, entry: dict[str, Any], translate: Translate | None) -> SessionSpec:
    """The entry with the importer's rules; a new session gets a key from its title."""
    entry = dict(entry)
    if edit.session is None:
        title = (entry.get("title") or {}).get("fr") or ""
        entry["id"] = new_key(title, edit.taken_keys, prefix=f"{entry.get('date') or ''}-")
    else:
        entry["id"] = edit.session.key
    spec, problems = check_session(
        entry,
        edit.edition,
        edit.edition.timezone,
        rooms=set(edit.rooms),
        people=set(edit.people),
        taken_keys=edit.taken_keys,
        translate=translate,
    )
    if problems:
        raise InvalidProgramme(problems)
    return spec


def _apply(
    db: DbSession, edit: _Edit, spec: SessionSpec, *, move_excess: bool, now: datetime
) -> SessionOutcome:
    """Set the session's fields and speakers; seats beyond a lowered capacity first go
    to the waiting line (or the change is refused)."""
    if edit.session is None:
        outcome = SessionOutcome(Session(edition_id=edit.edition.id, key=spec.key))
        outcome.session.created_at = now
    else:
        outcome = SessionOutcome(edit.session)
        _refuse_switching_meal(db, edit.session, spec)
        outcome.moved_to_waitlist = capacity.fit(
            db, edit.session, spec.capacity, move_excess=move_excess, now=now
        )
    session = outcome.session
    values = session_values(spec, edit.rooms.get(spec.room) if spec.room else None)
    outcome.changed = apply_session_values(session, values, now=now)
    db.add(session)  # after its fields are set: a query may flush it
    if _set_speakers(db, session, spec, edit.people):
        outcome.changed.add("speakers")
        session.updated_at = now
    return outcome


def _refuse_switching_meal(db: DbSession, session: Session, spec: SessionSpec) -> None:
    """Seats would become meals or meals seats, and be counted as neither."""
    if bool(spec.meal) != bool(session.is_meal) and booked(db, [session.id]):
        raise DomainError(
            _(
                "People have chosen this session or take this meal: it cannot become, or"
                " stop being, a meal. Cancel it and add another."
            ),
            code="meal_switch",
            field="meal",
        )


def _notify(
    db: DbSession,
    edit: _Edit,
    spec: SessionSpec,
    outcome: SessionOutcome,
    *,
    notify: bool,
    now: datetime,
) -> None:
    """Seats given or taken are told at once; a change of time, room, title or status is
    recorded for a change notice (sent now or later: ``notify``)."""
    if _frees_seats(edit, spec):
        outcome.promoted = seats.promote_waitlist(db, [outcome.session.id], now=now)
        notifications.promotions(db, outcome.promoted, now=now)
    notifications.moved_to_waitlist(db, outcome.moved_to_waitlist, now=now)
    if _calendar_changes(edit, outcome):
        outcome.notice = change_notices.record(
            db, outcome.session, edit.before, now=now, send=notify
        )


def _frees_seats(edit: _Edit, spec: SessionSpec) -> bool:
    """More seats than before, or a cancelled session scheduled again."""
    if edit.session is None:
        return False
    restored = edit.before.get("status") == "cancelled" and spec.status == "scheduled"
    return capacity.is_raised(edit.capacity_before, spec.capacity) or restored


def _calendar_changes(edit: _Edit, outcome: SessionOutcome) -> list[str]:
    """What changed that calendars show (a new session: nothing "changed")."""
    return sorted(outcome.changed & set(CALENDAR_FIELDS)) if edit.before else []


def _audit(
    db: DbSession, actor: audit.Actor, edit: _Edit, outcome: SessionOutcome, *, now: datetime
) -> None:
    session, calendar = outcome.session, _calendar_changes(edit, outcome)
    audit.record(
        db,
        actor,
        _action(edit.before, outcome.changed, session),
        f"session:{session.id}",
        {
            "key": session.key,
            "changed": sorted(outcome.changed),
            "before": {k: _plain(edit.before[k]) for k in calendar},
            "after": {k: _plain(getattr(session, k)) for k in calendar},
            "moved_to_waitlist": [
                {"registration": c.registration_id, "email": c.registration.email}
                for c in outcome.moved_to_waitlist
            ],
            "notice": bool(outcome.notice and outcome.notice.send),
        },
        edition=edit.edition,
        now=now,
    )


def cancel_session(
    db: DbSession, edition: Edition, session: Session, *, actor, now, notify: bool = True
) -> SessionOutcome:
    """Cancel, keeping its choices: people see it struck out and are told if asked."""
    entry = session_entry(edition, session)
    entry["status"] = "cancelled"
    return save_session(db, edition, entry, session=session, actor=actor, now=now, notify=notify)


def delete_session(db: DbSession, edition: Edition, session: Session, *, actor, now) -> None:
    """Remove a session nobody chose (else cancel it: people must be told)."""
    seats.lock_edition(db, edition.id)
    session = db.get(Session, session.id)
    booked = db.scalar(
        sa.select(
            sa.exists().where(Choice.session_id == session.id)
            | sa.exists().where(RegistrationMeal.session_id == session.id)
        )
    )
    if booked:
        raise DomainError(
            _("This session has registrations: cancel it instead, so people are told."),
            code="booked",
        )
    audit.record(
        db,
        actor,
        "session.deleted",
        f"session:{session.id}",
        {"key": session.key},
        edition=edition,
        now=now,
    )
    db.delete(session)
    db.get(Edition, edition.id).changed_at = now
    db.flush()


def _action(before: dict, changed: set[str], session: Session) -> str:
    if not before:
        return "session.created"
    if "status" in changed:
        return "session.cancelled" if session.is_cancelled else "session.restored"
    if changed & {"starts_at", "ends_at", "room_id"}:
        return "session.moved"
    return "session.updated"


def _set_speakers(
    db: DbSession, session: Session, spec: SessionSpec, people: dict[str, Person]
) -> bool:
    wanted = [(s.person, s.role, s.tentative) for s in spec.speakers]
    current = [(link.person.key, link.role, link.is_tentative) for link in session.people]
    if wanted == current:
        return False
    session.people.clear()
    db.flush()
    for position, (key, role, tentative) in enumerate(wanted):
        session.people.append(
            SessionPerson(person=people[key], role=role, is_tentative=tentative, position=position)
        )
    return True


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
