""" "What changed" notices: when organisers move, re-room, rename or cancel sessions,
everyone concerned — the participants holding a seat or a place in line (for a session
open to all, everyone attending that day; for a meal, those taking it), the session's
speakers and moderator — gets **one** e-mail per batch of edits, in their language,
listing what changed for them.

Edits are recorded as they happen (``record``); their calendars follow at once (the
edit raised the sessions' SEQUENCE). The e-mails go when the organiser says the batch
is done (``notify``), or by themselves once the edition has been quiet for a while
(``notify_quiet``, run by the mail worker), so ten edits never make ten e-mails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload

from school.models import (
    ChangeNotice,
    Choice,
    Edition,
    Person,
    Registration,
    RegistrationDay,
    RegistrationMeal,
    Room,
    Session,
    SessionPerson,
)
from school.models.vocabulary import Audience, RegistrationStatus
from school.services.email_addresses import email_key
from school.services.mail import writing
from school.services.registration.seats import lock_edition
from school.urls import absolute_url

FIELDS = ("starts_at", "ends_at", "room_id", "title_fr", "title_en", "status")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def record(
    db: DbSession, session: Session, before: dict[str, Any], *, now: datetime, send: bool = True
) -> ChangeNotice | None:
    """Note a change of ``session`` from ``before`` (its old values) to what it is now."""
    changes = {
        name: [_json(before[name]), _json(getattr(session, name))]
        for name in FIELDS
        if name in before and before[name] != getattr(session, name)
    }
    if not changes:
        return None
    notice = ChangeNotice(
        edition_id=session.edition_id,
        session_id=session.id,
        changes=changes,
        send=send,
        created_at=now,
        notified_at=None if send else now,
    )
    db.add(notice)
    db.flush()
    return notice


def pending(db: DbSession, edition_id: int) -> list[ChangeNotice]:
    return list(
        db.scalars(
            sa.select(ChangeNotice)
            .where(ChangeNotice.edition_id == edition_id, ChangeNotice.notified_at.is_(None))
            .options(selectinload(ChangeNotice.session))
            .order_by(ChangeNotice.created_at, ChangeNotice.id)
        )
    )


@dataclass
class SessionChange:
    """A session's net change over the batch: first value before, last value after."""

    session: Session
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return [
            name for name in FIELDS if name in self.before and self.before[name] != self.after[name]
        ]


def net_changes(notices: list[ChangeNotice]) -> list[SessionChange]:
    by_session: dict[int, SessionChange] = {}
    for notice in notices:
        change = by_session.setdefault(notice.session_id, SessionChange(notice.session))
        for name, (old, new) in notice.changes.items():
            change.before.setdefault(name, old)
            change.after[name] = new
    return [c for c in by_session.values() if c.fields]  # moved, then moved back: nothing


@dataclass
class Recipient:
    email: str
    language: str
    first_name: str
    manage_url: str | None
    registration_id: int | None = None  # a participant's, not a speaker's
    changes: list[SessionChange] = field(default_factory=list)


def concerned_registrations(
    db: DbSession, session: Session, before: dict[str, Any] | None = None
) -> list[Registration]:
    """The participants a session's change concerns. ``before``: its values before the
    batch — a session open to all that moves to another day concerns those attending the
    old day (they would look for it there) as well as those attending the new one."""
    query = sa.select(Registration).where(
        Registration.edition_id == session.edition_id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    # Seats and lines, even once cancelled: a cancelled workshop concerns its holders only.
    if session.is_meal:
        link = sa.exists().where(
            RegistrationMeal.registration_id == Registration.id,
            RegistrationMeal.session_id == session.id,
        )
    elif session.is_by_choice or session.audience == Audience.INVITED:
        link = sa.exists().where(
            Choice.registration_id == Registration.id, Choice.session_id == session.id
        )
    else:
        starts = [session.starts_at]
        if before and before.get("starts_at") is not None:
            starts.append(_moment(before["starts_at"]))
        days = {start.astimezone(session.edition.tz).date() for start in starts}
        link = sa.exists().where(
            RegistrationDay.registration_id == Registration.id, RegistrationDay.date.in_(days)
        )
    return list(db.scalars(query.where(link).order_by(Registration.id)))


def _speakers(db: DbSession, session: Session) -> list[Person]:
    return list(
        db.scalars(
            sa.select(Person)
            .join(SessionPerson, SessionPerson.person_id == Person.id)
            .where(SessionPerson.session_id == session.id, Person.email.is_not(None))
        )
    )


def recipients(db: DbSession, changes: list[SessionChange]) -> list[Recipient]:
    """One recipient per address, with every change that concerns them."""
    found: dict[str, Recipient] = {}
    for change in changes:
        for registration in concerned_registrations(db, change.session, change.before):
            key = registration.email_key
            recipient = found.setdefault(
                key,
                Recipient(
                    registration.email,
                    registration.language,
                    registration.first_name,
                    absolute_url("participant.manage", token=registration.manage_token),
                    registration.id,
                ),
            )
            recipient.changes.append(change)
        for person in _speakers(db, change.session):
            key = email_key(person.email)
            recipient = found.setdefault(
                key,
                Recipient(
                    person.email,
                    person.language,
                    person.first_name,
                    absolute_url("speaker.corner", token=person.speaker_token),
                ),
            )
            if change not in recipient.changes:
                recipient.changes.append(change)
    return list(found.values())


def notify(db: DbSession, edition: Edition, *, now: datetime) -> int:
    """Send the batch: one e-mail per person concerned. Returns how many were queued."""
    notices = pending(db, edition.id)
    if not notices:
        return 0
    changes = net_changes(notices)
    rooms = {r.id: r for r in db.scalars(sa.select(Room).where(Room.edition_id == edition.id))}
    people = recipients(db, changes)
    batch = writing.new_batch()
    for recipient in people:
        writing.queue_mail(
            db,
            to=recipient.email,
            template="change_notice",
            language=recipient.language,
            purpose="change_notice",
            batch=batch,
            now=now,
            edition=edition,
            recipient=recipient,
            registration_id=recipient.registration_id,
            changes=[_describe(change, rooms, edition) for change in recipient.changes],
        )
    for notice in notices:
        notice.notified_at = now
    db.flush()
    return len(people)


def _moment(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _describe(change: SessionChange, rooms: dict[int, Room], edition: Edition) -> dict:
    before, after = change.before, change.after
    return {
        "session": change.session,
        "was_start": _moment(before.get("starts_at", after.get("starts_at"))),
        "was_end": _moment(before.get("ends_at", after.get("ends_at"))),
        "moved": "starts_at" in change.fields or "ends_at" in change.fields,
        "room_before": rooms.get(before.get("room_id")) if "room_id" in change.fields else None,
        "room_changed": "room_id" in change.fields,
        "renamed": "title_fr" in change.fields or "title_en" in change.fields,
        "old_title": {"fr": before.get("title_fr"), "en": before.get("title_en")},
        "cancelled": after.get("status") == "cancelled" and "status" in change.fields,
        "restored": after.get("status") == "scheduled" and "status" in change.fields,
    }


def notify_quiet(db: DbSession, *, now: datetime, quiet: timedelta) -> int:
    """Send the batches of editions where nobody has edited for ``quiet``. Commits each."""
    editions = (
        db.execute(
            sa.select(ChangeNotice.edition_id)
            .where(ChangeNotice.notified_at.is_(None))
            .group_by(ChangeNotice.edition_id)
            .having(sa.func.max(ChangeNotice.created_at) <= now - quiet)
        )
        .scalars()
        .all()
    )
    sent = 0
    for edition_id in editions:
        lock_edition(db, edition_id)  # one sender per edition at a time
        sent += notify(db, db.get(Edition, edition_id), now=now)
        db.commit()
    return sent
