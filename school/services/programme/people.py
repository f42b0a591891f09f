"""Editing rooms and speakers from the organisers' pages, with the file's checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from school.models import Edition, Person, Room, Session, SessionPerson
from school.services import audit
from school.services.errors import DomainError
from school.services.programme.checks import check_person, check_room
from school.services.programme.editing import InvalidProgramme
from school.services.programme.fields import N_, Translate, untranslated
from school.services.programme.rules import new_key, raise_sequence
from school.services.programme.spec import Problem


def room_entry(room: Room) -> dict[str, Any]:
    return {
        "id": room.key,
        "name": {"fr": room.name_fr, "en": room.name_en},
        "capacity": room.capacity,
    }


def save_room(
    db: DbSession,
    edition: Edition,
    entry: dict[str, Any],
    *,
    room: Room | None = None,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Room:
    taken = {r.key for r in edition.rooms if room is None or r.id != room.id}
    entry = dict(entry)
    name = (entry.get("name") or {}).get("fr") or ""
    entry["id"] = room.key if room else new_key(name, taken)
    spec, problems = check_room(entry, taken, translate)
    # Two rooms of one name cannot be told apart in the session form's list.
    same_name = {r.name_fr.strip().casefold() for r in edition.rooms if r is not room}
    if spec.name["fr"] and spec.name["fr"].strip().casefold() in same_name:
        message = N_("%(value)r is already the name of another room")
        problems.append(
            Problem("room", "name", (translate or untranslated)(message, value=spec.name["fr"]))
        )
    if problems:
        raise InvalidProgramme(problems)
    if room is None:
        room = Room(edition_id=edition.id, key=spec.key)
        db.add(room)
    renamed = room.id is not None and (room.name_fr, room.name_en) != (
        spec.name["fr"],
        spec.name["en"],
    )
    room.name_fr, room.name_en, room.capacity = spec.name["fr"], spec.name["en"], spec.capacity
    db.flush()
    if renamed:  # the place shown in its sessions' calendar events changed
        for session in db.scalars(sa.select(Session).where(Session.room_id == room.id)):
            raise_sequence(session, now=now)
    edition.changed_at = now
    audit.record(
        db,
        actor,
        "room.saved",
        f"room:{room.id}",
        {"key": room.key, "name": room.name_fr},
        edition=edition,
        now=now,
    )
    db.flush()
    return room


def delete_room(db: DbSession, edition: Edition, room: Room, *, actor, now: datetime) -> None:
    used = db.scalar(sa.select(sa.func.count()).where(Session.room_id == room.id))
    if used:
        raise DomainError(
            _("%(num)d sessions take place in this room: move them first.", num=used),
            code="room_used",
        )
    audit.record(
        db,
        actor,
        "room.deleted",
        f"room:{room.id}",
        {"key": room.key, "name": room.name_fr},
        edition=edition,
        now=now,
    )
    db.delete(room)
    edition.changed_at = now
    db.flush()


def person_entry(person: Person) -> dict[str, Any]:
    return {
        "id": person.key,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "function": {"fr": person.function_fr, "en": person.function_en},
        "organisation": person.organisation,
        "bio": {"fr": person.bio_fr, "en": person.bio_en},
        "email": person.email,
    }


def save_person(
    db: DbSession,
    edition: Edition,
    entry: dict[str, Any],
    *,
    person: Person | None = None,
    actor: audit.Actor,
    now: datetime,
    translate: Translate | None = None,
) -> Person:
    taken = set(
        db.scalars(
            sa.select(Person.key).where(
                Person.edition_id == edition.id, Person.id != (person.id if person else -1)
            )
        )
    )
    entry = dict(entry)
    name = f"{entry.get('first_name') or ''} {entry.get('last_name') or ''}"
    entry["id"] = person.key if person else new_key(name, taken)
    spec, problems = check_person(entry, taken, translate)
    if problems:
        raise InvalidProgramme(problems)
    if person is None:
        person = Person(edition_id=edition.id, key=spec.key, created_at=now)
        db.add(person)
    person.first_name, person.last_name = spec.first_name, spec.last_name
    person.function_fr, person.function_en = spec.function["fr"], spec.function["en"]
    person.organisation, person.email = spec.organisation, spec.email
    person.bio_fr, person.bio_en = spec.bio["fr"], spec.bio["en"]
    person.updated_at = now
    edition.changed_at = now
    db.flush()
    audit.record(
        db,
        actor,
        "person.saved",
        f"person:{person.id}",
        {"key": person.key},
        edition=edition,
        now=now,
    )
    db.flush()
    return person


def delete_person(db: DbSession, edition: Edition, person: Person, *, actor, now) -> None:
    """Remove a speaker and their place in sessions."""
    sessions = db.scalars(
        sa.select(Session).join(SessionPerson).where(SessionPerson.person_id == person.id)
    ).all()
    for session in sessions:
        session.updated_at = now
    audit.record(
        db,
        actor,
        "person.deleted",
        f"person:{person.id}",
        {"key": person.key, "sessions": [s.key for s in sessions]},
        edition=edition,
        now=now,
    )
    db.delete(person)
    edition.changed_at = now
    db.flush()
